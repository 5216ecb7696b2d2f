#include "splade/query_encoder.h"

namespace splade {

QueryVector SpladeQueryEncoder::encode(std::string_view text) {
  return to_query_vector(encoder_.encode(text), encoder_.tokenizer());
}

QueryVector to_query_vector(const SparseVector& v, const Tokenizer& tokenizer) {
  QueryVector q;
  q.reserve(v.ids.size());
  for (std::size_t i = 0; i < v.ids.size(); ++i) {
    const std::int32_t impact = anserini_impact(v.weights[i]);
    if (impact > 0) q.emplace_back(tokenizer.id_to_token(v.ids[i]), impact);
  }
  return q;
}

}  // namespace splade
