// Two views of an index's postings that impact-ordered (score-at-a-time) search reads,
// derived in memory from postings.bin the first time that search runs on an Index
// (impact_layout_of(), built once per Index, shared by every Searcher):
//   - each term's postings in falling impact order, as runs ("segments") of one impact
//     whose doc ids ascend: the postings a query term contributes most with come first;
//   - a forward index: each document's (term, impact) pairs by ascending term, so that a
//     candidate's exact score is one pass over its own terms.
// Memory: 4 bytes a posting for the impact order, 4 (or 8 where term and impact bits do
// not fit in 32) for the forward index, plus 8 bytes a segment and a document.
#pragma once

#include <cstdint>
#include <vector>

#include "splade/index.h"

namespace splade {

struct ImpactLayout {
  // Term t's postings: docs[term_first[t] .. term_first[t + 1]), impacts falling.
  std::vector<std::uint64_t> term_first;  // [num_terms + 1]
  std::vector<std::uint32_t> docs;        // [num_postings]
  // Term t's segments are [term_segments[t], term_segments[t + 1]): segment s holds the
  // postings of impact segment_impact[s] (strictly falling within a term), and ends at
  // docs[term_first[t] + segment_end[s]] (exclusive; an offset within the term).
  std::vector<std::uint64_t> term_segments;  // [num_terms + 1]
  std::vector<std::uint32_t> segment_impact;
  std::vector<std::uint32_t> segment_end;

  // Forward index: document d's entries are [doc_first[d], doc_first[d + 1]) of
  // forward32 (or forward64 when !narrow), each (term << impact_bits) | impact.
  std::vector<std::uint64_t> doc_first;  // [num_docs + 1]
  bool narrow = true;
  std::uint32_t impact_bits = 0;
  std::vector<std::uint32_t> forward32;
  std::vector<std::uint64_t> forward64;

  std::uint64_t bytes() const;
};

// Decodes every posting list once (one thread).
ImpactLayout build_impact_layout(const Index& index);
// The index's layout, built by the first caller (others wait for it) and kept with the
// Index; thread-safe.
const ImpactLayout& impact_layout_of(const Index& index);
// The layout if impact_layout_of has finished building it, else nullptr; never builds or
// waits.
const ImpactLayout* built_impact_layout(const Index& index);

}  // namespace splade
