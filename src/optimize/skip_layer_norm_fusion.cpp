// SkipLayerNormalization fusion, run after ONNX Runtime has turned the decomposed
// LayerNorm (ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add) into LayerNormalization:
//   LayerNormalization(Add(Add(Linear(x), bias), residual), gamma, beta)
//     -> com.microsoft.SkipLayerNormalization(Linear(x), residual, gamma, beta, bias)
// Linear is MatMul / FusedMatMul / Attention / Gemm, so that the input of the Add is the
// full [batch, seq, hidden] activation (SkipLayerNormalization broadcasts only `skip`).
// Embedding sums (Gather outputs) are left to LayerNormalization.
#include "optimize/graph_view.h"
#include "optimize/passes.h"

namespace splade::optimize {
namespace {

bool is_linear(const onnx::NodeProto* n) {
  if (!n) return false;
  const auto& op = n->op_type();
  return op == "MatMul" || op == "FusedMatMul" || op == "Attention" || op == "Gemm" || op == "MatMulInteger";
}

}  // namespace

int fuse_skip_layer_norm(onnx::ModelProto& model) {
  auto& graph = *model.mutable_graph();
  graph::GraphView g(graph);
  int fused = 0;
  std::vector<onnx::NodeProto> added;
  for (auto& ln : *graph.mutable_node()) {
    if (ln.op_type() != "LayerNormalization" || ln.input_size() < 3 || ln.output_size() < 1) continue;
    if (ln.output_size() > 1 && (!ln.output(1).empty() || (ln.output_size() > 2 && !ln.output(2).empty()))) continue;
    auto axis = graph::int_attribute(ln, "axis");
    if (axis && *axis != -1) continue;
    const auto* gamma = g.constant(ln.input(1));
    const auto* beta = g.constant(ln.input(2));
    if (!gamma || !beta || gamma->dims_size() != 1) continue;
    auto* sum = g.producer(ln.input(0));
    if (!graph::is_op(sum, "Add") || !sum->domain().empty() || g.only_consumer(sum->output(0)) != &ln) continue;
    if (g.constant(sum->input(0)) || g.constant(sum->input(1))) continue;
    // Which operand is the linear layer's output (with or without a bias Add)?
    std::string input, skip, bias;
    for (int i = 0; i < 2 && input.empty(); ++i) {
      const auto* p = g.producer(sum->input(i));
      if (is_linear(p)) {
        input = sum->input(i), skip = sum->input(1 - i);
      } else if (graph::is_op(p, "Add") && p->domain().empty() && g.only_consumer(p->output(0)) == sum) {
        for (int j = 0; j < 2; ++j) {
          const auto* b = g.constant(p->input(j));
          if (b && b->dims_size() == 1 && b->dims(0) == gamma->dims(0) && is_linear(g.producer(p->input(1 - j)))) {
            input = p->input(1 - j), bias = p->input(j), skip = sum->input(1 - i);
            break;
          }
        }
      }
    }
    if (input.empty()) continue;
    onnx::NodeProto skip_ln;
    skip_ln.set_op_type("SkipLayerNormalization");
    skip_ln.set_domain("com.microsoft");
    skip_ln.set_name(g.unique_name("SkipLayerNorm"));
    skip_ln.add_input(input);
    skip_ln.add_input(skip);
    skip_ln.add_input(ln.input(1));
    skip_ln.add_input(ln.input(2));
    if (!bias.empty()) skip_ln.add_input(bias);
    skip_ln.add_output(ln.output(0));
    const auto* eps = graph::find_attribute(ln, "epsilon");
    graph::set_float_attribute(skip_ln, "epsilon", eps ? eps->f() : 1e-5f);
    added.push_back(skip_ln);
    ln.set_output(0, g.unique_name("unfused_layer_norm_output"));
    ++fused;
  }
  if (fused) graph::splice_fused_nodes(model, added);
  return fused;
}

}  // namespace splade::optimize
