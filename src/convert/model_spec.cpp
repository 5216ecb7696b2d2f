#include "convert/model_spec.h"

#include "splade/error.h"

namespace splade::convert {
namespace {

void check(const hf::TensorStore& store, const std::string& name, std::vector<std::int64_t> expected,
           const std::string& why) {
  const auto& t = store.at(name);
  if (!hf::is_floating(t.dtype))
    throw Error(ErrorCode::kUnsupported, t.source + ": tensor '" + name + "' has dtype " + hf::dtype_name(t.dtype) +
                                             ", expected F32, F16, BF16 or F64");
  if (t.shape != expected) {
    std::string e = "[";
    for (size_t i = 0; i < expected.size(); ++i) e += (i ? ", " : "") + std::to_string(expected[i]);
    throw Error(ErrorCode::kCorrupt, t.source + ": tensor '" + name + "' has shape " + t.shape_text() +
                                         ", but config.json (" + why + ") implies " + e + "]");
  }
}

}  // namespace

std::string pick_name(const hf::TensorStore& store, const std::vector<std::string>& candidates) {
  for (const auto& c : candidates)
    if (store.contains(c)) return c;
  return candidates.front();
}

NormNames norm_names(const hf::TensorStore& store, const std::string& prefix) {
  return {pick_name(store, {prefix + ".weight", prefix + ".gamma"}), pick_name(store, {prefix + ".bias", prefix + ".beta"})};
}

ModelSpec describe_model(const hf::ModelConfig& config, const hf::TensorStore& store) {
  ModelSpec spec = config.arch == hf::Arch::kBert ? describe_bert(config, store) : describe_distilbert(config, store);
  const auto& c = spec.config;
  const auto H = c.hidden_size, V = c.vocab_size, I = c.intermediate_size;
  const std::string h = "hidden size " + std::to_string(H);
  const std::string hv = h + ", vocab_size " + std::to_string(V);
  const std::string hi = h + ", intermediate size " + std::to_string(I);
  check(store, spec.word_embeddings, {V, H}, hv);
  check(store, spec.position_embeddings, {c.max_position_embeddings, H},
        h + ", max_position_embeddings " + std::to_string(c.max_position_embeddings));
  if (spec.has_token_types())
    check(store, spec.token_type_embeddings, {c.type_vocab_size, H},
          h + ", type_vocab_size " + std::to_string(c.type_vocab_size));
  auto check_norm = [&](const NormNames& n) {
    check(store, n.weight, {H}, h);
    check(store, n.bias, {H}, h);
  };
  auto check_linear = [&](const LinearNames& l, std::int64_t out, std::int64_t in, const std::string& why) {
    check(store, l.weight, {out, in}, why);
    check(store, l.bias, {out}, why);
  };
  check_norm(spec.embedding_norm);
  for (const auto& L : spec.layers) {
    for (const auto* l : {&L.query, &L.key, &L.value, &L.attention_output}) check_linear(*l, H, H, h);
    check_norm(L.attention_norm);
    check_linear(L.intermediate, I, H, hi);
    check_linear(L.output, H, I, hi);
    check_norm(L.output_norm);
  }
  if (spec.mlm_head) {
    check_linear(spec.mlm_head->transform, H, H, h);
    check_norm(spec.mlm_head->norm);
    check(store, spec.mlm_head->decoder_weight, {V, H}, hv);
    check(store, spec.mlm_head->decoder_bias, {V}, hv);
  }
  return spec;
}

}  // namespace splade::convert
