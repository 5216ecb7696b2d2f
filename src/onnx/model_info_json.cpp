#include <nlohmann/json.hpp>

#include "splade/model_info.h"

namespace splade {
namespace {

nlohmann::ordered_json tensor_json(const TensorInfo& t) {
  nlohmann::ordered_json j;
  j["name"] = t.name;
  j["type"] = t.element_type;
  if (t.has_shape) j["shape"] = t.dims;
  else j["shape"] = nullptr;
  return j;
}

}  // namespace

std::string model_info_to_json(const ModelInfo& info) {
  nlohmann::ordered_json j;
  j["path"] = info.path;
  j["file_bytes"] = info.file_bytes;
  j["ir_version"] = info.ir_version;
  j["producer_name"] = info.producer_name;
  j["producer_version"] = info.producer_version;
  j["graph_name"] = info.graph_name;
  nlohmann::ordered_json opsets = nlohmann::ordered_json::object();
  for (const auto& [domain, version] : info.opsets) opsets[domain.empty() ? "ai.onnx" : domain] = version;
  j["opsets"] = opsets;
  nlohmann::ordered_json metadata = nlohmann::ordered_json::object();
  for (const auto& [key, value] : info.metadata) metadata[key] = value;
  j["metadata"] = metadata;
  j["inputs"] = nlohmann::ordered_json::array();
  for (const auto& t : info.inputs) j["inputs"].push_back(tensor_json(t));
  j["outputs"] = nlohmann::ordered_json::array();
  for (const auto& t : info.outputs) j["outputs"].push_back(tensor_json(t));
  j["node_count"] = info.node_count;
  j["op_counts"] = info.op_counts;
  j["initializer_count"] = info.initializer_count;
  j["initializer_bytes"] = info.initializer_bytes;
  nlohmann::ordered_json by_type = nlohmann::ordered_json::object();
  for (const auto& [type, stats] : info.initializers_by_type)
    by_type[type] = {{"count", stats.count}, {"bytes", stats.bytes}};
  j["initializers_by_type"] = by_type;
  j["uses_external_data"] = info.uses_external_data;
  if (info.int8) {
    const auto& i = *info.int8;
    j["int8"] = {{"format", i.format},        {"integer_gemms", i.integer_gemms},
                 {"max_abs_int8_weight", i.max_abs_int8_weight}, {"recorded_target", i.recorded_target},
                 {"cpu", i.cpu},              {"exact_here", i.exact_here},
                 {"kernel", i.kernel}};
  } else {
    j["int8"] = nullptr;
  }
  if (info.ort_loadable.has_value()) {
    j["onnxruntime"] = {{"loadable", *info.ort_loadable}, {"error", info.ort_loadable.value() ? nullptr : nlohmann::ordered_json(info.ort_error)}};
  } else {
    j["onnxruntime"] = nullptr;
  }
  return j.dump(2);
}

}  // namespace splade
