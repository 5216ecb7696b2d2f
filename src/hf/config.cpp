#include "hf/config.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "splade/error.h"

namespace splade::hf {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(ErrorCode code, const std::string& label, const std::string& what) {
  throw Error(code, label + ": " + what);
}

std::int64_t get_int(const json& j, const char* key, const std::string& label, std::int64_t min_value,
                     std::int64_t fallback = -1) {
  if (!j.contains(key)) {
    if (fallback >= 0) return fallback;
    fail(ErrorCode::kCorrupt, label, std::string("field '") + key + "' is missing");
  }
  const auto& v = j[key];
  if (!v.is_number_integer())
    fail(ErrorCode::kCorrupt, label, std::string("field '") + key + "' is " + v.dump() + ", expected an integer");
  const auto i = v.get<std::int64_t>();
  if (i < min_value)
    fail(ErrorCode::kCorrupt, label, std::string("field '") + key + "' is " + std::to_string(i) +
                                         ", expected at least " + std::to_string(min_value));
  return i;
}

Activation parse_activation(const json& j, const char* key, const std::string& label, std::string& name) {
  if (!j.contains(key)) {
    name = "gelu";
    return Activation::kGelu;
  }
  if (!j[key].is_string()) fail(ErrorCode::kCorrupt, label, std::string("field '") + key + "' is not a string");
  name = j[key].get<std::string>();
  if (name == "gelu") return Activation::kGelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::kGeluTanh;
  if (name == "relu") return Activation::kRelu;
  fail(ErrorCode::kUnsupported, label, std::string("field '") + key + "' is '" + name +
                                           "', expected gelu, gelu_new, gelu_pytorch_tanh or relu");
}

}  // namespace

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kGelu: return "gelu";
    case Activation::kGeluTanh: return "gelu_tanh";
    case Activation::kRelu: return "relu";
  }
  return "?";
}

ModelConfig parse_config(const std::string& text, const std::string& label) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    fail(ErrorCode::kCorrupt, label, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail(ErrorCode::kCorrupt, label, "is not a JSON object");
  ModelConfig c;
  if (!j.contains("model_type") || !j["model_type"].is_string())
    fail(ErrorCode::kCorrupt, label, "field 'model_type' is missing (expected \"bert\" or \"distilbert\")");
  c.model_type = j["model_type"].get<std::string>();
  if (j.contains("architectures") && j["architectures"].is_array())
    for (const auto& a : j["architectures"])
      if (a.is_string()) c.architectures.push_back(a.get<std::string>());
  if (j.contains("tie_word_embeddings")) {
    if (!j["tie_word_embeddings"].is_boolean())
      fail(ErrorCode::kCorrupt, label, "field 'tie_word_embeddings' is not a boolean");
    c.tie_word_embeddings = j["tie_word_embeddings"].get<bool>();
  }
  if (c.model_type == "bert") {
    c.arch = Arch::kBert;
    if (j.contains("position_embedding_type") && j["position_embedding_type"] != "absolute")
      fail(ErrorCode::kUnsupported, label, "field 'position_embedding_type' is " + j["position_embedding_type"].dump() +
                                               "; only \"absolute\" position embeddings are supported");
    if (j.contains("is_decoder") && j["is_decoder"] == true)
      fail(ErrorCode::kUnsupported, label, "field 'is_decoder' is true; only encoder BERT models are supported");
    c.vocab_size = get_int(j, "vocab_size", label, 1);
    c.hidden_size = get_int(j, "hidden_size", label, 1);
    c.num_layers = get_int(j, "num_hidden_layers", label, 1);
    c.num_heads = get_int(j, "num_attention_heads", label, 1);
    c.intermediate_size = get_int(j, "intermediate_size", label, 1);
    c.max_position_embeddings = get_int(j, "max_position_embeddings", label, 1, 512);
    c.type_vocab_size = get_int(j, "type_vocab_size", label, 1, 2);
    if (j.contains("layer_norm_eps")) {
      if (!j["layer_norm_eps"].is_number() || j["layer_norm_eps"].get<double>() < 0)
        fail(ErrorCode::kCorrupt, label, "field 'layer_norm_eps' is not a non-negative number");
      c.layer_norm_eps = j["layer_norm_eps"].get<double>();
    }
    c.activation = parse_activation(j, "hidden_act", label, c.activation_name);
  } else if (c.model_type == "distilbert") {
    c.arch = Arch::kDistilBert;
    c.vocab_size = get_int(j, "vocab_size", label, 1);
    c.hidden_size = get_int(j, "dim", label, 1);
    c.num_layers = get_int(j, "n_layers", label, 1);
    c.num_heads = get_int(j, "n_heads", label, 1);
    c.intermediate_size = get_int(j, "hidden_dim", label, 1);
    c.max_position_embeddings = get_int(j, "max_position_embeddings", label, 1, 512);
    c.type_vocab_size = 0;
    c.layer_norm_eps = 1e-12;  // fixed in transformers' DistilBERT (nn.LayerNorm(eps=1e-12))
    c.activation = parse_activation(j, "activation", label, c.activation_name);
  } else {
    fail(ErrorCode::kUnsupported, label, "model_type '" + c.model_type +
                                             "' is not supported; expected \"bert\" or \"distilbert\" (BertForMaskedLM, DistilBertForMaskedLM "
                                             "and their bare encoders)");
  }
  if (c.hidden_size % c.num_heads != 0)
    fail(ErrorCode::kCorrupt, label, "hidden size " + std::to_string(c.hidden_size) + " is not a multiple of the " +
                                         std::to_string(c.num_heads) + " attention heads");
  return c;
}

ModelConfig read_config(const std::filesystem::path& config_json) {
  std::ifstream in(config_json, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, config_json.string() +
                                            ": cannot open (expected a Hugging Face model directory: config.json, "
                                            "model.safetensors or pytorch_model.bin, tokenizer.json or vocab.txt)");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), config_json.string());
}

}  // namespace splade::hf
