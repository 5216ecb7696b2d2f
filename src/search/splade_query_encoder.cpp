#include "splade/query_encoder.h"

namespace splade {

QueryVector SpladeQueryEncoder::encode(std::string_view text) {
  const SparseVector v = encoder_.encode(text);
  QueryVector q;
  q.reserve(v.ids.size());
  for (std::size_t i = 0; i < v.ids.size(); ++i) {
    const std::int32_t impact = anserini_impact(v.weights[i]);
    if (impact > 0) q.emplace_back(encoder_.tokenizer().id_to_token(v.ids[i]), impact);
  }
  return q;
}

}  // namespace splade
