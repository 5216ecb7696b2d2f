// What a BERT-family encoder (+ masked-LM head) is made of, as checkpoint tensor names.
// Each architecture maps its names here (bert_spec.cpp, distilbert_spec.cpp); the graph
// builder and the reference forward pass only read this description, so a new
// architecture of the same shape touches only a new *_spec.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hf/config.h"
#include "hf/tensor_store.h"

namespace splade::convert {

struct LinearNames {
  std::string weight;  // [out, in] (torch nn.Linear layout)
  std::string bias;    // [out]
};

struct NormNames {
  std::string weight;  // [hidden]
  std::string bias;    // [hidden]
};

struct LayerNames {
  LinearNames query, key, value, attention_output;
  NormNames attention_norm;  // after attention + residual
  LinearNames intermediate;  // hidden -> intermediate, then the activation
  LinearNames output;        // intermediate -> hidden
  NormNames output_norm;     // after the feed-forward + residual
};

struct MlmHeadNames {
  LinearNames transform;       // hidden -> hidden, then the activation
  NormNames norm;
  std::string decoder_weight;  // [vocab, hidden]; the word embeddings when tied
  std::string decoder_bias;    // [vocab]
  bool tied = false;           // decoder weight absent from the file: word embeddings used
};

struct ModelSpec {
  hf::ModelConfig config;
  std::string word_embeddings;        // [vocab, hidden]
  std::string position_embeddings;    // [max_position_embeddings, hidden]
  std::string token_type_embeddings;  // [type_vocab_size, hidden]; empty for DistilBERT
  NormNames embedding_norm;
  std::vector<LayerNames> layers;
  std::optional<MlmHeadNames> mlm_head;  // absent for BertModel / DistilBertModel checkpoints
  double head_norm_eps = 1e-12;          // the MLM head's LayerNorm epsilon

  bool has_token_types() const { return !token_type_embeddings.empty(); }
};

// Maps the checkpoint's names for config.arch and checks that every tensor exists, is
// floating point and has the shape config.json implies. Throws splade::Error (kNotFound
// for a missing tensor, kCorrupt for a shape that disagrees with the config,
// kUnsupported for a non-float dtype).
ModelSpec describe_model(const hf::ModelConfig& config, const hf::TensorStore& store);

// Per architecture (called by describe_model before its checks).
ModelSpec describe_bert(const hf::ModelConfig& config, const hf::TensorStore& store);
ModelSpec describe_distilbert(const hf::ModelConfig& config, const hf::TensorStore& store);

// The first of `candidates` present in `store`, or the first candidate (so that the later
// presence check names it).
std::string pick_name(const hf::TensorStore& store, const std::vector<std::string>& candidates);
// LayerNorm parameters under `prefix`: weight/bias, or the gamma/beta of older checkpoints.
NormNames norm_names(const hf::TensorStore& store, const std::string& prefix);

}  // namespace splade::convert
