// Add(bias, MatMul(x, W)) -> Add(MatMul(x, W), bias). torch.onnx.export puts the bias
// first; ONNX Runtime's BiasGelu / MatMul+Add / SkipLayerNormalization fusions expect
// it second. Add is commutative, so only operand order changes.
#include "optimize/graph_view.h"
#include "optimize/passes.h"

namespace splade::optimize {

int canonicalize_bias_add(onnx::ModelProto& model) {
  auto& graph = *model.mutable_graph();
  graph::GraphView g(graph);
  int swapped = 0;
  for (auto& node : *graph.mutable_node()) {
    if (node.op_type() != "Add" || !node.domain().empty() || node.input_size() != 2) continue;
    const auto* first = g.constant(node.input(0));
    const auto* second_producer = g.producer(node.input(1));
    if (!first || first->dims_size() != 1 || g.constant(node.input(1))) continue;
    if (!second_producer || (second_producer->op_type() != "MatMul" && second_producer->op_type() != "FusedMatMul"))
      continue;
    std::string a = node.input(0);
    node.set_input(0, node.input(1));
    node.set_input(1, a);
    ++swapped;
  }
  return swapped;
}

}  // namespace splade::optimize
