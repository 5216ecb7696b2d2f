#include <cmath>
#include <map>

#include "optimize/graph_view.h"
#include "quantize/passes.h"

namespace splade::quantize {
namespace {

using graph::GraphView;

struct Uint8Tensor {
  std::string q, scale, zero_point;
};

// Adds the uint8 copy of float initializer `name` (+ scalar scale and zero point), once.
class Uint8Initializers {
 public:
  explicit Uint8Initializers(GraphView& g) : g_(g) {}
  const Uint8Tensor& get(const onnx::TensorProto& t) {
    auto it = done_.find(t.name());
    if (it != done_.end()) return it->second;
    const auto v = graph::tensor_floats(t);
    float lo = 0, hi = 0;
    for (float x : v) lo = std::min(lo, x), hi = std::max(hi, x);
    const float scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    const float zp = std::nearbyint(-lo / scale);
    std::string raw(v.size(), '\0');
    for (size_t i = 0; i < v.size(); ++i)
      raw[i] = static_cast<char>(static_cast<std::uint8_t>(std::max(0.0f, std::min(255.0f, std::nearbyint(v[i] / scale) + zp))));
    Uint8Tensor names{g_.unique_name(t.name() + "_quantized"), g_.unique_name(t.name() + "_scale"),
                      g_.unique_name(t.name() + "_zero_point")};
    onnx::TensorProto q;
    q.set_name(names.q);
    q.set_data_type(onnx::TensorProto::UINT8);
    for (auto d : t.dims()) q.add_dims(d);
    q.set_raw_data(raw);
    added.push_back(q);
    added.push_back(graph::make_float_tensor(names.scale, {}, {scale}));
    onnx::TensorProto z;
    z.set_name(names.zero_point);
    z.set_data_type(onnx::TensorProto::UINT8);
    z.set_raw_data(std::string(1, static_cast<char>(static_cast<std::uint8_t>(zp))));
    added.push_back(z);
    return done_.emplace(t.name(), names).first->second;
  }
  std::vector<onnx::TensorProto> added;

 private:
  GraphView& g_;
  std::map<std::string, Uint8Tensor> done_;
};

}  // namespace

int quantize_embeddings_uint8(onnx::ModelProto& model, std::int64_t min_elements) {
  auto& graph = *model.mutable_graph();
  GraphView g(graph);
  Uint8Initializers q(g);
  std::vector<onnx::NodeProto> added;
  int converted = 0;
  for (auto& node : *graph.mutable_node()) {
    const bool std_domain = node.domain().empty() || node.domain() == "ai.onnx";
    if (std_domain && node.op_type() == "Gather") {
      const auto* table = g.initializer(node.input(0));
      auto axis = graph::int_attribute(node, "axis");
      if (!table || table->data_type() != onnx::TensorProto::FLOAT || table->dims_size() != 2 ||
          graph::tensor_elements(*table) < min_elements || (axis && *axis != 0))
        continue;
      const auto& t = q.get(*table);
      const std::string gathered = g.unique_name(node.output(0) + "_quantized");
      onnx::NodeProto deq;
      deq.set_op_type("DequantizeLinear");
      deq.set_name(g.unique_name("DequantizeLinear"));
      deq.add_input(gathered);
      deq.add_input(t.scale);
      deq.add_input(t.zero_point);
      deq.add_output(node.output(0));
      node.set_input(0, t.q);
      node.set_output(0, gathered);
      added.push_back(deq);
      ++converted;
    } else if (node.domain() == "com.microsoft" && node.op_type() == "EmbedLayerNormalization") {
      if (node.output_size() > 2 || node.input_size() < 7) continue;
      const int tables[] = {2, 3, 4, 5, 6};  // word, position, segment, gamma, beta
      bool ok = true;
      for (int i : tables) {
        if (i == 4 && node.input(4).empty()) continue;
        const auto* t = g.initializer(node.input(i));
        ok &= t && t->data_type() == onnx::TensorProto::FLOAT;
      }
      if (!ok || node.input(4).empty()) continue;  // the kernel needs a segment table
      std::vector<Uint8Tensor> qt;
      for (int i : tables) qt.push_back(q.get(*g.initializer(node.input(i))));
      onnx::NodeProto qe;
      qe.set_op_type("QEmbedLayerNormalization");
      qe.set_domain("com.microsoft");
      qe.set_name(g.unique_name("QEmbedLayerNormalization"));
      qe.add_input(node.input(0));
      qe.add_input(node.input(1));
      for (const auto& t : qt) qe.add_input(t.q);
      qe.add_input(node.input_size() > 7 ? node.input(7) : "");
      for (const auto& t : qt) qe.add_input(t.scale);
      for (const auto& t : qt) qe.add_input(t.zero_point);
      for (const auto& o : node.output()) qe.add_output(o);
      for (const auto& a : node.attribute())
        if (a.name() == "epsilon") *qe.add_attribute() = a;
      for (int i = 0; i < node.output_size(); ++i) node.set_output(i, g.unique_name("unquantized_embedding_output"));
      added.push_back(qe);
      ++converted;
    }
  }
  for (auto& n : added) *graph.add_node() = std::move(n);
  for (auto& t : q.added) *graph.add_initializer() = std::move(t);
  if (converted) {
    graph::remove_dead_nodes(graph);
    graph::topological_sort(graph);
  }
  return converted;
}

}  // namespace splade::quantize
