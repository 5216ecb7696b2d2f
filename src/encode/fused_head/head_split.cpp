#include "encode/fused_head/head_split.h"

#include "onnx/model_io.h"
#include "optimize/graph_view.h"

namespace splade::encode {
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

// Walks back from `tensor` over Log(Add(x, 1)) pairs; returns how many, and sets `inner`.
int log1p_chain(const GraphView& g, std::string tensor, std::string& inner) {
  int count = 0;
  for (;;) {
    const auto* log = g.producer(tensor);
    if (!plain(log, "Log")) break;
    const auto* add = g.producer(log->input(0));
    if (!plain(add, "Add")) break;
    const std::string x = other_than_scalar(g, *add, 1.0);
    if (x.empty()) break;
    tensor = x;
    ++count;
  }
  inner = tensor;
  return count;
}

}  // namespace

std::optional<HeadSplit> split_splade_head(const std::filesystem::path& model_path, std::string& why) {
  onnx::ModelProto model = onnxio::load_model(model_path);
  auto& graph = *model.mutable_graph();
  GraphView g(graph);
  if (graph.output_size() != 1) {
    why = "not a single-output pooled model";
    return std::nullopt;
  }
  // Output: optionally Add(pooled, 0 * sum(token_type_ids)) (the seed's keep-alive term).
  std::string pooled = graph.output(0).name();
  if (const auto* keep = g.producer(pooled); plain(keep, "Add")) {
    for (int i = 0; i < 2; ++i)
      if (plain(g.producer(keep->input(i)), "Log")) pooled = keep->input(i);
  }
  std::string relu_out;
  const int logs = log1p_chain(g, pooled, relu_out);
  const auto* relu = g.producer(relu_out);
  if (logs < 1 || logs > 2 || !plain(relu, "Relu")) {
    why = "no log1p(relu(.)) at the output";
    return std::nullopt;
  }
  const auto* bias_add = g.producer(relu->input(0));
  const auto* max = bias_add && plain(bias_add, "Add") ? g.producer(bias_add->input(0)) : nullptr;
  const auto* bias = bias_add ? g.constant(bias_add->input(1)) : nullptr;
  if (!plain(max, "ReduceMax") || !bias || bias->dims_size() != 1) {
    why = "the activation does not follow ReduceMax + bias (not the pool-first form)";
    return std::nullopt;
  }
  const auto* masked = g.producer(max->input(0));
  if (!plain(masked, "Add") || graph::ints_attribute(*max, "axes") != std::vector<std::int64_t>{1}) {
    why = "ReduceMax is not over the tokens of a masked projection";
    return std::nullopt;
  }
  const onnx::NodeProto* matmul = nullptr;
  for (int i = 0; i < 2 && !matmul; ++i)
    if (const auto* p = g.producer(masked->input(i)); plain(p, "MatMul")) matmul = p;
  const auto* w = matmul ? g.initializer(matmul->input(1)) : nullptr;
  if (!w || w->dims_size() != 2 || w->data_type() != onnx::TensorProto::FLOAT || w->dims(1) != bias->dims(0)) {
    why = "the vocabulary projection is not an fp32 MatMul by a [hidden, vocab] initializer (an int8 decoder runs unfused)";
    return std::nullopt;
  }
  HeadSplit s;
  s.hidden = w->dims(0);
  s.vocab = w->dims(1);
  s.hidden_name = matmul->input(0);
  s.weight = graph::tensor_floats(*w);
  s.bias = graph::tensor_floats(*bias);
  s.log1p_count = logs;
  if (static_cast<std::int64_t>(s.weight.size()) != s.hidden * s.vocab || static_cast<std::int64_t>(s.bias.size()) != s.vocab) {
    why = "decoder weight or bias is not stored in the graph";
    return std::nullopt;
  }
  // The body: the same graph, its output the projection's input. Inputs are kept as they are
  // (the encoder feeds them by name); nodes that only fed the head are removed.
  graph.clear_output();
  auto* out = graph.add_output();
  out->set_name(s.hidden_name);
  out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  graph::remove_dead_nodes(graph);
  s.body_model = model.SerializeAsString();
  return s;
}

}  // namespace splade::encode
