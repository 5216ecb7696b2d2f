// BERT (BertForMaskedLM, BertModel) checkpoint names, as transformers' modeling_bert.py
// registers them.
#include "convert/model_spec.h"
#include "splade/error.h"

namespace splade::convert {

ModelSpec describe_bert(const hf::ModelConfig& config, const hf::TensorStore& store) {
  // BertForMaskedLM prefixes the encoder with "bert."; a bare BertModel does not.
  const std::string p = store.contains("bert.embeddings.word_embeddings.weight") ? "bert." : "";
  ModelSpec s;
  s.config = config;
  s.word_embeddings = p + "embeddings.word_embeddings.weight";
  s.position_embeddings = p + "embeddings.position_embeddings.weight";
  s.token_type_embeddings = p + "embeddings.token_type_embeddings.weight";
  s.embedding_norm = norm_names(store, p + "embeddings.LayerNorm");
  auto linear = [&](const std::string& prefix) { return LinearNames{prefix + ".weight", prefix + ".bias"}; };
  for (std::int64_t i = 0; i < config.num_layers; ++i) {
    const std::string l = p + "encoder.layer." + std::to_string(i) + ".";
    LayerNames L;
    L.query = linear(l + "attention.self.query");
    L.key = linear(l + "attention.self.key");
    L.value = linear(l + "attention.self.value");
    L.attention_output = linear(l + "attention.output.dense");
    L.attention_norm = norm_names(store, l + "attention.output.LayerNorm");
    L.intermediate = linear(l + "intermediate.dense");
    L.output = linear(l + "output.dense");
    L.output_norm = norm_names(store, l + "output.LayerNorm");
    s.layers.push_back(L);
  }
  if (store.contains("cls.predictions.transform.dense.weight")) {
    MlmHeadNames h;
    h.transform = linear("cls.predictions.transform.dense");
    h.norm = norm_names(store, "cls.predictions.transform.LayerNorm");
    h.decoder_bias = pick_name(store, {"cls.predictions.bias", "cls.predictions.decoder.bias"});
    // As transformers' tie_weights(): when tie_word_embeddings is set (the default) the
    // decoder IS the word embedding matrix, whatever the file holds under its own name.
    if (config.tie_word_embeddings) {
      h.decoder_weight = s.word_embeddings;  // save_pretrained drops the tied copy anyway
      h.tied = true;
    } else if (store.contains("cls.predictions.decoder.weight")) {
      h.decoder_weight = "cls.predictions.decoder.weight";
    } else {
      throw Error(ErrorCode::kNotFound, store.label() + ": tensor 'cls.predictions.decoder.weight' is missing and "
                                                        "config.json sets tie_word_embeddings to false");
    }
    s.mlm_head = h;
  }
  s.head_norm_eps = config.layer_norm_eps;
  return s;
}

}  // namespace splade::convert
