#include "hf/sentence_transformers.h"

#include <nlohmann/json.hpp>

#include <fstream>

#include "splade/error.h"

namespace splade::hf {
namespace {

namespace fs = std::filesystem;
constexpr const char* kTransformer = "sentence_transformers.sparse_encoder.models.MLMTransformer";
constexpr const char* kPooling = "sentence_transformers.sparse_encoder.models.SpladePooling";
constexpr const char* kSupported = "supported: MLMTransformer then SpladePooling, a SPLADE SparseEncoder";

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::kNotFound, path.string() + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kCorrupt, path.string() + ": not valid JSON: " + e.what());
  }
}

std::string string_at(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string())
    throw Error(ErrorCode::kCorrupt, where + ": field '" + key + "' is missing or not a string");
  return j[key].get<std::string>();
}

std::string short_name(const std::string& type) { return type.substr(type.rfind('.') + 1); }

SpladePooling read_pooling(const fs::path& config, const std::string& where) {
  SpladePooling p;
  const auto j = read_json(config);
  if (!j.is_object()) throw Error(ErrorCode::kCorrupt, config.string() + ": expected a JSON object");
  const std::string strategy = j.contains("pooling_strategy") ? string_at(j, "pooling_strategy", config.string()) : "max";
  if (strategy == "max") p.strategy = SpladePooling::Strategy::kMax;
  else if (strategy == "sum") p.strategy = SpladePooling::Strategy::kSum;
  else
    throw Error(ErrorCode::kUnsupported, config.string() + ": pooling_strategy '" + strategy +
                                             "' cannot be expressed by the SPLADE heads (supported: max, sum)");
  const std::string act =
      j.contains("activation_function") ? string_at(j, "activation_function", config.string()) : "relu";
  if (act == "relu") p.activation = SpladePooling::Activation::kRelu;
  else if (act == "log1p_relu") p.activation = SpladePooling::Activation::kLog1pRelu;
  else
    throw Error(ErrorCode::kUnsupported, config.string() + ": activation_function '" + act +
                                             "' cannot be expressed by the SPLADE heads (supported: relu, log1p_relu)");
  if (j.contains("chunk_size") && !j["chunk_size"].is_null() && !j["chunk_size"].is_number_integer())
    throw Error(ErrorCode::kCorrupt, where + ": chunk_size is not an integer");  // memory only, no math
  return p;
}

}  // namespace

std::optional<SparseEncoderLayout> read_sparse_encoder_layout(const fs::path& dir) {
  const fs::path modules_json = dir / "modules.json";
  std::error_code ec;
  if (!fs::exists(modules_json, ec)) return std::nullopt;
  const auto modules = read_json(modules_json);
  if (!modules.is_array() || modules.empty())
    throw Error(ErrorCode::kCorrupt, modules_json.string() + ": expected a non-empty list of modules");
  SparseEncoderLayout layout;
  bool have_transformer = false, have_pooling = false;
  for (size_t i = 0; i < modules.size(); ++i) {
    const std::string where = modules_json.string() + ": module " + std::to_string(i);
    const std::string type = string_at(modules[i], "type", where);
    const std::string path = modules[i].contains("path") ? string_at(modules[i], "path", where) : "";
    if (type == kTransformer && i == 0) {
      layout.transformer_dir = path.empty() ? dir : dir / path;
      have_transformer = true;
    } else if (type == kPooling && i == 1 && have_transformer) {
      layout.pooling = read_pooling(dir / path / "config.json", where);
      layout.pooling_source = (fs::path(path) / "config.json").string();
      have_pooling = true;
    } else {
      throw Error(ErrorCode::kUnsupported, where + " is " + short_name(type) + " (" + type + "): " +
                                               "splade converts only a SPLADE SparseEncoder (" + kSupported + ")");
    }
  }
  if (!have_pooling)
    throw Error(ErrorCode::kUnsupported, modules_json.string() + ": no SpladePooling module after MLMTransformer (" +
                                             kSupported + ")");
  return layout;
}

}  // namespace splade::hf
