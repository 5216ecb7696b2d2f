#include "search/query_pruning.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "splade/error.h"

namespace splade {

void keep_heaviest_terms(ResolvedQuery& query, double beta) {
  if (!(beta > 0.0 && beta <= 1.0))
    throw Error(ErrorCode::kInvalidArgument, "search beta " + std::to_string(beta) + ", expected 0 < beta <= 1");
  auto& terms = query.terms;
  const auto keep = static_cast<std::size_t>(std::ceil(beta * static_cast<double>(terms.size())));
  if (keep >= terms.size()) return;
  std::nth_element(terms.begin(), terms.begin() + static_cast<std::ptrdiff_t>(keep), terms.end(),
                   [](const QueryTerm& a, const QueryTerm& b) {
                     return a.weight != b.weight ? a.weight > b.weight : a.term < b.term;
                   });
  terms.resize(keep);
  std::sort(terms.begin(), terms.end(), [](const QueryTerm& a, const QueryTerm& b) { return a.term < b.term; });
}

}  // namespace splade
