// config.json of a Hugging Face BERT or DistilBERT model, reduced to the fields that change
// the math. DistilBERT's own names (dim, n_layers, n_heads, hidden_dim, activation) are
// mapped to BERT's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace splade::hf {

enum class Arch { kBert, kDistilBert };
// gelu: exact (erf); gelu_tanh: gelu_new / gelu_pytorch_tanh (the tanh approximation).
enum class Activation { kGelu, kGeluTanh, kRelu };

struct ModelConfig {
  Arch arch = Arch::kBert;
  std::string model_type;  // "bert" | "distilbert", as in config.json
  std::vector<std::string> architectures;
  std::int64_t vocab_size = 0;
  std::int64_t hidden_size = 0;
  std::int64_t num_layers = 0;
  std::int64_t num_heads = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t max_position_embeddings = 512;
  std::int64_t type_vocab_size = 0;  // 0 for DistilBERT (no token type embeddings)
  double layer_norm_eps = 1e-12;
  Activation activation = Activation::kGelu;
  std::string activation_name;  // as written in config.json
  bool tie_word_embeddings = true;

  std::int64_t head_size() const { return hidden_size / num_heads; }
};

// Parses config.json text. Throws splade::Error: kCorrupt (not JSON, a field of the wrong
// type or missing), kUnsupported (an unknown model_type or hidden_act, a
// position_embedding_type other than "absolute"). Messages start with `label`.
ModelConfig parse_config(const std::string& text, const std::string& label);
ModelConfig read_config(const std::filesystem::path& config_json);

const char* activation_name(Activation a);

}  // namespace splade::hf
