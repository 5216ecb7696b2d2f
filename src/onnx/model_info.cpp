#include "splade/model_info.h"

#include <filesystem>
#include <unordered_set>

#include "onnx/model_io.h"
#include "quantize/int8_format.h"
#include "ort/environment.h"

namespace splade {
namespace {

TensorInfo describe(const onnx::ValueInfoProto& value) {
  TensorInfo info;
  info.name = value.name();
  info.element_type = "undefined";
  if (!value.type().has_tensor_type()) return info;
  const auto& tensor = value.type().tensor_type();
  info.element_type = onnxio::element_type_name(tensor.elem_type());
  if (!tensor.has_shape()) return info;
  info.has_shape = true;
  for (const auto& dim : tensor.shape().dim()) {
    if (dim.has_dim_value()) info.dims.push_back(std::to_string(dim.dim_value()));
    else if (dim.has_dim_param() && !dim.dim_param().empty()) info.dims.push_back(dim.dim_param());
    else info.dims.push_back("?");
  }
  return info;
}

std::string qualified_op(const onnx::NodeProto& node) {
  // The default domain may be written "" or "ai.onnx"; both are the standard operator set.
  if (node.domain().empty() || node.domain() == "ai.onnx") return node.op_type();
  return node.domain() + "." + node.op_type();
}

}  // namespace

ModelInfo inspect_model(const std::string& path, const InspectOptions& options) {
  const onnx::ModelProto model = onnxio::load_model(path);
  const onnx::GraphProto& graph = model.graph();

  ModelInfo info;
  info.path = path;
  info.file_bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
  info.ir_version = model.ir_version();
  info.producer_name = model.producer_name();
  info.producer_version = model.producer_version();
  info.graph_name = graph.name();
  for (const auto& opset : model.opset_import()) {
    info.opsets[opset.domain() == "ai.onnx" ? "" : opset.domain()] = opset.version();
  }
  for (const auto& kv : model.metadata_props()) info.metadata.emplace_back(kv.key(), kv.value());
  if (const auto f = quantize::read_int8_format(model); f.integer_gemms) {
    const auto& cpu = cpu::cpu_features();
    Int8Info i;
    i.format = quantize::to_string(f.worst());
    i.integer_gemms = f.integer_gemms;
    i.max_abs_int8_weight = f.max_abs_int8_weight;
    i.recorded_target = f.recorded_target;
    i.cpu = cpu::describe(cpu);
    i.exact_here = quantize::exact_on(f.worst(), cpu);
    i.kernel = quantize::kernel_description(f.worst(), cpu);
    info.int8 = i;
  }

  std::unordered_set<std::string> initializer_names;
  for (const auto& init : graph.initializer()) initializer_names.insert(init.name());
  // Old exporters (IR < 4) list initializers among the inputs; they are not inputs a user feeds.
  for (const auto& in : graph.input()) {
    if (!initializer_names.count(in.name())) info.inputs.push_back(describe(in));
  }
  for (const auto& out : graph.output()) info.outputs.push_back(describe(out));

  info.node_count = graph.node_size();
  for (const auto& node : graph.node()) ++info.op_counts[qualified_op(node)];

  info.initializer_count = graph.initializer_size();
  for (const auto& init : graph.initializer()) {
    const std::int64_t bytes = onnxio::tensor_data_bytes(init);
    auto& stats = info.initializers_by_type[onnxio::element_type_name(init.data_type())];
    ++stats.count;
    stats.bytes += bytes;
    info.initializer_bytes += bytes;
    if (init.data_location() == onnx::TensorProto::EXTERNAL) info.uses_external_data = true;
  }

  if (options.try_onnxruntime) {
    auto error = ort::try_load(path);
    info.ort_loadable = !error.has_value();
    if (error) info.ort_error = *error;
  }
  return info;
}

}  // namespace splade
