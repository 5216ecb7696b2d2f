// DistilBERT (DistilBertForMaskedLM, DistilBertModel) checkpoint names, as transformers'
// modeling_distilbert.py registers them.
#include "convert/model_spec.h"
#include "splade/error.h"

namespace splade::convert {

ModelSpec describe_distilbert(const hf::ModelConfig& config, const hf::TensorStore& store) {
  const std::string p = store.contains("distilbert.embeddings.word_embeddings.weight") ? "distilbert." : "";
  ModelSpec s;
  s.config = config;
  s.word_embeddings = p + "embeddings.word_embeddings.weight";
  s.position_embeddings = p + "embeddings.position_embeddings.weight";
  s.embedding_norm = norm_names(store, p + "embeddings.LayerNorm");
  auto linear = [&](const std::string& prefix) { return LinearNames{prefix + ".weight", prefix + ".bias"}; };
  for (std::int64_t i = 0; i < config.num_layers; ++i) {
    const std::string l = p + "transformer.layer." + std::to_string(i) + ".";
    LayerNames L;
    L.query = linear(l + "attention.q_lin");
    L.key = linear(l + "attention.k_lin");
    L.value = linear(l + "attention.v_lin");
    L.attention_output = linear(l + "attention.out_lin");
    L.attention_norm = norm_names(store, l + "sa_layer_norm");
    L.intermediate = linear(l + "ffn.lin1");
    L.output = linear(l + "ffn.lin2");
    L.output_norm = norm_names(store, l + "output_layer_norm");
    s.layers.push_back(L);
  }
  if (store.contains("vocab_transform.weight")) {
    MlmHeadNames h;
    h.transform = linear("vocab_transform");
    h.norm = norm_names(store, "vocab_layer_norm");
    h.decoder_bias = "vocab_projector.bias";
    // As transformers' tie_weights(): when tie_word_embeddings is set (the default) the
    // decoder IS the word embedding matrix, whatever the file holds under its own name.
    if (config.tie_word_embeddings) {
      h.decoder_weight = s.word_embeddings;
      h.tied = true;
    } else if (store.contains("vocab_projector.weight")) {
      h.decoder_weight = "vocab_projector.weight";
    } else {
      throw Error(ErrorCode::kNotFound, store.label() + ": tensor 'vocab_projector.weight' is missing and "
                                                        "config.json sets tie_word_embeddings to false");
    }
    s.mlm_head = h;
  }
  s.head_norm_eps = 1e-12;  // nn.LayerNorm(config.dim, eps=1e-12) in DistilBertForMaskedLM
  return s;
}

}  // namespace splade::convert
