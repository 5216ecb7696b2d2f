// fp16 weights with fp32 compute: large float initializers are stored as float16 and a
// Cast back to float32 is inserted before their readers. Halves the file; every op keeps
// running in fp32 on the CPU provider (whose fp16 kernels are incomplete), so LayerNorm,
// Softmax and the SPLADE relu/log1p/max see fp32 as required, and I/O types are unchanged.
#include <cstring>
#include <map>

#include "optimize/graph_view.h"
#include "optimize/half_float.h"
#include "quantize/passes.h"

namespace splade::quantize {

Fp16Stats convert_weights_fp16(onnx::ModelProto& model, std::int64_t min_elements) {
  auto& graph = *model.mutable_graph();
  graph::GraphView g(graph);
  Fp16Stats stats;
  std::vector<onnx::NodeProto> casts;
  std::map<std::string, std::string> renamed;  // initializer -> fp32 Cast output
  for (auto& init : *graph.mutable_initializer()) {
    if (init.data_type() != onnx::TensorProto::FLOAT || init.data_location() == onnx::TensorProto::EXTERNAL) continue;
    const auto n = graph::tensor_elements(init);
    if (n < min_elements) continue;
    // Only weights read by nodes (graph outputs/inputs named like an initializer stay fp32).
    if (g.is_graph_output(init.name()) || g.consumers(init.name()).empty()) continue;
    auto values = graph::tensor_floats(init);
    std::string raw(static_cast<size_t>(n) * 2, '\0');
    for (std::int64_t i = 0; i < n; ++i) {
      const std::uint16_t h = graph::float_to_half(values[i]);
      std::memcpy(raw.data() + 2 * i, &h, 2);
    }
    const std::string fp32_name = init.name();
    const std::string fp16_name = g.unique_name(fp32_name + "_fp16");
    init.clear_float_data();
    init.set_data_type(onnx::TensorProto::FLOAT16);
    init.set_raw_data(raw);
    init.set_name(fp16_name);
    onnx::NodeProto cast;
    cast.set_op_type("Cast");
    cast.set_name(g.unique_name("Cast_fp16_to_fp32"));
    cast.add_input(fp16_name);
    cast.add_output(fp32_name);  // readers keep their input names
    graph::set_int_attribute(cast, "to", onnx::TensorProto::FLOAT);
    casts.push_back(cast);
    ++stats.initializers;
    stats.elements += n;
  }
  // Graph inputs that shadow an initializer (IR < 4 style) would now clash with the Cast.
  auto* inputs = graph.mutable_input();
  for (int i = inputs->size() - 1; i >= 0; --i)
    for (const auto& c : casts)
      if (inputs->Get(i).name() == c.output(0)) {
        inputs->DeleteSubrange(i, 1);
        break;
      }
  for (auto& c : casts) *graph.add_node() = std::move(c);
  graph::topological_sort(graph);
  return stats;
}

}  // namespace splade::quantize
