// Impact-ordered (score-at-a-time) search, in the manner of JASS (Lin and Trotman, ICTIR
// 2015), with the candidates scored exactly from a forward index, as Seismic does (Bruch
// et al., SIGIR 2024). Over index/impact_layout.h:
//   1. The query's postings are taken in falling order of their contribution (query weight
//      x impact): every posting contributing at least a threshold, the threshold chosen so
//      that a fraction rho of the query terms' postings is scored (JASS's rho). Their
//      contributions are summed per document: a lower bound on its score.
//   2. The documents of the best lower bounds (max(k, candidates) of them) are scored
//      exactly from the forward index, and the k best of those are returned.
// rho = 1 scores every posting, so the result is exhaustive search's, ties included. Below
// 1 it is approximate: a document may be missed whose skipped postings held enough of its
// score. Returned scores are always the exact dot products.
#pragma once

#include <cstdint>
#include <vector>

#include "index/impact_layout.h"
#include "search/resolved_query.h"

namespace splade {

class ImpactOrderedSearch {
 public:
  explicit ImpactOrderedSearch(const Index& index) : index_(index) {}

  // rho in (0, 1]; candidates >= 1.
  std::vector<Hit> search(const ResolvedQuery& query, std::size_t k, double rho, std::size_t candidates);

 private:
  template <typename Acc>
  std::vector<Hit> run(const ImpactLayout& layout, const ResolvedQuery& query, std::size_t k, double rho,
                       std::size_t candidates, std::vector<Acc>& acc);

  const Index& index_;
  // One lower bound per document, zero between queries; 32-bit when the query's score
  // bound fits.
  std::vector<std::uint32_t> acc32_;
  std::vector<std::uint64_t> acc64_;
  // Query weight by term ordinal (zero outside the query between queries), for rescoring;
  // resolve() keeps weights below 2^32.
  std::vector<std::uint32_t> term_weight_;
};

}  // namespace splade
