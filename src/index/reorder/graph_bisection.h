// Doc-id reordering by recursive graph bisection (Dhulipala et al., KDD 2016, as PISA's
// `reorder-docids --recursive-graph-bisection` does it; Mackenzie et al., ECIR 2019): split
// the documents in two, swap the pairs of documents whose moves most reduce the estimated
// log-gap cost of the postings, repeat, recurse on each half. Documents that share terms end
// up close together, so ranges of consecutive doc ids have tight block-max bounds and small
// gaps.
#pragma once

#include <cstdint>
#include <vector>

namespace splade::reorder {

// Documents as their term ids: document d's terms are terms[offsets[d] .. offsets[d + 1]).
struct ForwardIndex {
  std::vector<std::uint64_t> offsets{0};
  std::vector<std::uint32_t> terms;
  std::uint32_t num_terms = 0;
  std::uint32_t num_docs() const { return static_cast<std::uint32_t>(offsets.size() - 1); }
};

struct BisectionOptions {
  int iterations = 20;             // swap rounds per split (fewer when nothing moves)
  std::uint32_t leaf_size = 16;    // partitions this small are left in their order
  int threads = 1;                 // halves are bisected in parallel near the top
};

// The new order: result[i] is the document placed at position i (a permutation of
// 0 .. num_docs - 1). Deterministic: the same input gives the same order at any thread count.
std::vector<std::uint32_t> recursive_graph_bisection(const ForwardIndex& docs, const BisectionOptions& options = {});

}  // namespace splade::reorder
