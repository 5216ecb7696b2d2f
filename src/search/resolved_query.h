// A query resolved against an index: term ordinals with integer weights, and the most any
// document can score (which picks 32- or 64-bit accumulators).
#pragma once

#include <cstdint>
#include <vector>

#include "index/index_impl.h"
#include "splade/searcher.h"

namespace splade {

struct QueryTerm {
  std::uint32_t term;
  std::uint64_t weight;
};

struct ResolvedQuery {
  std::vector<QueryTerm> terms;   // by term ordinal, ascending
  std::uint64_t score_bound = 0;  // no document can score more
};

// Sums repeated tokens, drops weights of 0 and tokens the index lacks; throws splade::Error
// (kInvalidArgument) on a negative weight or one over 2^32 - 1.
ResolvedQuery resolve(const Index::Impl& index, const QueryVector& query);

}  // namespace splade
