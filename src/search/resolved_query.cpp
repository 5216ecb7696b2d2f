// resolve(): a query vector -> term ordinals and weights (search/resolved_query.h).
#include <algorithm>
#include <unordered_map>

#include "search/resolved_query.h"
#include "splade/error.h"

namespace splade {

ResolvedQuery resolve(const Index::Impl& index, const QueryVector& query) {
  std::unordered_map<std::uint32_t, std::int64_t> weights;
  for (const auto& [token, w] : query) {
    if (w == 0) continue;
    if (w < 0 || w > 0xFFFFFFFFll)
      throw Error(ErrorCode::kInvalidArgument, "query weight of '" + token + "' is " + std::to_string(w) +
                                                   ", expected 0 .. 2^32-1");
    if (auto t = index.find(token)) weights[*t] += w;
  }
  std::vector<QueryTerm> terms;
  unsigned __int128 bound = 0;
  for (const auto& [t, w] : weights) {
    terms.push_back({t, static_cast<std::uint64_t>(w)});
    bound += static_cast<unsigned __int128>(w) * index.terms[t].max_impact;
  }
  if (bound >> 63) throw Error(ErrorCode::kUnsupported, "query score bound exceeds 2^63");
  std::sort(terms.begin(), terms.end(), [](const QueryTerm& a, const QueryTerm& b) { return a.term < b.term; });
  return {std::move(terms), static_cast<std::uint64_t>(bound)};
}

}  // namespace splade
