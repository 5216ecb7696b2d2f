// Block-max search over blockmax.bin, in the manner of BMP (Mallia, Suel, Tonellotto,
// SIGIR 2024): an upper bound per range of doc ids from the query and each term's range
// maxima, ranges visited in falling bound order and scored whole from the forward postings,
// stopping once the k-th best score beats every bound left. The threshold starts from the
// query terms' k-th largest impacts (k documents score at least weight * that impact).
// Exact (alpha = 1) it returns exhaustive search's top k, ties included.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "index/index_impl.h"
#include "search/resolved_query.h"

namespace splade {

class BlockMaxSearch {
 public:
  explicit BlockMaxSearch(const Index::Impl& index) : index_(index) {}

  // alpha in (0, 1]: a range is visited while alpha * its bound can still beat the k-th
  // score (BMP's alpha); below 1 it may miss documents, trading recall for speed.
  // max_cost (> 0): after the bound pass, give up (return nullopt) when scoring the ranges
  // that pass the seeded threshold would cost more than this many postings' worth of work
  // (what --algorithm auto compares with exhaustive evaluation).
  std::optional<std::vector<Hit>> search(const ResolvedQuery& query, std::size_t k, double alpha,
                                         double max_cost = 0);

 private:
  template <typename Impact, typename Score>
  std::optional<std::vector<Hit>> run(const ResolvedQuery& query, std::size_t k, double alpha, double max_cost,
                                      std::vector<Score>& bounds);

  const Index::Impl& index_;
  // Per-range bounds, reused between queries; 32-bit when the query's score bound fits.
  std::vector<std::uint32_t> bounds32_;
  std::vector<std::uint64_t> bounds64_;
};

}  // namespace splade
