// The seed's SPLADE pooling -> the pool-first form `splade convert` writes (ARCHITECTURE.md,
// "The SPLADE head"):
//   ReduceMax_seq(Mul(Log(Add(Relu(Add(MatMul(t, W), b)), 1)), Cast(Unsqueeze(mask))))
//     -> Log(Add(Relu(Add(ReduceMax_seq(Add(MatMul(t, W), (mask - 1) * 1e30)), b)), 1))
// Equal because log1p(relu(.)) and the rounding of "+ b" are monotonic and each seed term is
// >= 0 (a masked one 0): the [batch, seq, vocab] product is then read once by ReduceMax
// instead of being rewritten five times. Matches torch.onnx.export of SpladeExportWrapper
// (Add(bias, MatMul), Add(1, Relu)) and either operand order.
#include "optimize/graph_view.h"
#include "optimize/passes.h"

namespace splade::optimize {
namespace {

using graph::GraphView;

bool plain(const onnx::NodeProto* n, const char* op) { return graph::is_op(n, op) && n->domain().empty(); }

// The operand of a two-input node that is not the constant scalar `value`, else "".
std::string other_than_scalar(const GraphView& g, const onnx::NodeProto& n, double value) {
  for (int i = 0; i < 2; ++i) {
    const auto s = g.constant_scalar(n.input(i));
    if (s && *s == value) return n.input(1 - i);
  }
  return "";
}

// A [batch, seq, 1] float mask: Cast(to float) of Unsqueeze(x, [-1] or [2]).
bool is_float_mask(const GraphView& g, const std::string& tensor) {
  const auto* cast = g.producer(tensor);
  if (!plain(cast, "Cast") || graph::int_attribute(*cast, "to").value_or(0) != onnx::TensorProto::FLOAT) return false;
  const auto* unsq = g.producer(cast->input(0));
  if (!plain(unsq, "Unsqueeze")) return false;
  std::vector<std::int64_t> axes = graph::ints_attribute(*unsq, "axes");
  if (axes.empty() && unsq->input_size() > 1)
    if (auto v = g.constant_values(unsq->input(1))) axes.assign(v->begin(), v->end());
  return axes.size() == 1 && (axes[0] == -1 || axes[0] == 2);
}

std::vector<std::int64_t> reduce_axes(const GraphView& g, const onnx::NodeProto& n) {
  std::vector<std::int64_t> axes = graph::ints_attribute(n, "axes");
  if (axes.empty() && n.input_size() > 1)
    if (auto v = g.constant_values(n.input(1))) axes.assign(v->begin(), v->end());
  return axes;
}

}  // namespace

int pool_splade_first(onnx::ModelProto& model) {
  auto& graph = *model.mutable_graph();
  GraphView g(graph);
  int rewritten = 0;
  std::vector<onnx::NodeProto> added;
  std::vector<onnx::TensorProto> constants;
  auto node = [&](const char* op, std::vector<std::string> inputs, const std::string& output) {
    onnx::NodeProto n;
    n.set_op_type(op);
    n.set_name(g.unique_name(std::string("/splade/pool_first/") + op));
    for (auto& i : inputs) n.add_input(i);
    n.add_output(output.empty() ? g.unique_name(std::string("/splade/pool_first/") + op + "_output") : output);
    added.push_back(n);
    return added.back().output(0);
  };
  for (auto& max : *graph.mutable_node()) {
    if (!plain(&max, "ReduceMax") || graph::int_attribute(max, "keepdims").value_or(1) != 0) continue;
    if (reduce_axes(g, max) != std::vector<std::int64_t>{1}) continue;
    auto* mul = g.producer(max.input(0));
    if (!plain(mul, "Mul") || g.only_consumer(mul->output(0)) != &max) continue;
    int log_side = plain(g.producer(mul->input(0)), "Log") ? 0 : plain(g.producer(mul->input(1)), "Log") ? 1 : -1;
    if (log_side < 0 || !is_float_mask(g, mul->input(1 - log_side))) continue;
    auto* log = g.producer(mul->input(log_side));
    if (g.only_consumer(log->output(0)) != mul) continue;
    auto* plus1 = g.producer(log->input(0));
    if (!plain(plus1, "Add") || g.only_consumer(plus1->output(0)) != log) continue;
    const std::string relu_out = other_than_scalar(g, *plus1, 1.0);
    auto* relu = g.producer(relu_out);
    if (!plain(relu, "Relu") || g.only_consumer(relu->output(0)) != plus1) continue;
    auto* bias_add = g.producer(relu->input(0));
    if (!plain(bias_add, "Add") || g.only_consumer(bias_add->output(0)) != relu) continue;
    std::string projection, bias;
    for (int i = 0; i < 2; ++i) {
      const auto* b = g.constant(bias_add->input(i));
      if (b && b->dims_size() == 1 && plain(g.producer(bias_add->input(1 - i)), "MatMul"))
        bias = bias_add->input(i), projection = bias_add->input(1 - i);
    }
    if (bias.empty()) continue;

    if (constants.empty()) {
      constants.push_back(graph::make_float_tensor(g.unique_name("/splade/pool_first/one"), {}, {1.0f}));
      constants.push_back(graph::make_float_tensor(g.unique_name("/splade/pool_first/big"), {}, {1e30f}));
    }
    const std::string& one = constants[0].name();
    const std::string& big = constants[1].name();
    const std::string mask = mul->input(1 - log_side);
    const auto penalty = node("Mul", {node("Sub", {mask, one}, ""), big}, "");
    const auto masked = node("Add", {projection, penalty}, "");
    onnx::NodeProto reduce = max;  // same axes and keepdims
    reduce.set_name(g.unique_name("/splade/pool_first/ReduceMax"));
    reduce.set_input(0, masked);
    reduce.set_output(0, g.unique_name("/splade/pool_first/ReduceMax_output"));
    added.push_back(reduce);
    const auto relu2 = node("Relu", {node("Add", {reduce.output(0), bias}, "")}, "");
    node("Log", {node("Add", {relu2, one}, "")}, max.output(0));
    max.set_output(0, g.unique_name("seed_pooling_output"));  // the old chain is now dead
    ++rewritten;
  }
  if (rewritten) graph::splice_fused_nodes(model, added, constants);
  return rewritten;
}

}  // namespace splade::optimize
