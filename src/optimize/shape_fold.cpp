// Folds torch's element-by-element rebuild of a tensor's shape back into one Shape node.
#include <algorithm>

#include "optimize/graph_view.h"
#include "optimize/passes.h"

namespace splade::optimize {
namespace {

using graph::GraphView;
using graph::is_op;

int known_rank(const GraphView& g, const std::string& t) {
  if (const auto* in = g.graph_input(t); in && in->type().tensor_type().has_shape())
    return in->type().tensor_type().shape().dim_size();
  for (const auto& vi : const_cast<GraphView&>(g).graph().value_info())
    if (vi.name() == t && vi.type().tensor_type().has_shape()) return vi.type().tensor_type().shape().dim_size();
  return -1;
}

bool unsqueezed_at_zero(const GraphView& g, const onnx::NodeProto* u) {
  if (!is_op(u, "Unsqueeze")) return false;
  if (u->input_size() >= 2) {
    auto axes = g.constant_values(u->input(1));
    return axes && axes->size() == 1 && (*axes)[0] == 0;
  }
  return graph::ints_attribute(*u, "axes") == std::vector<std::int64_t>{0};
}

}  // namespace

int fold_shape_rebuild(onnx::ModelProto& model) {
  auto& graph = *model.mutable_graph();
  GraphView g(graph);
  int folded = 0;
  for (auto& concat : *graph.mutable_node()) {
    if (concat.op_type() != "Concat" || !concat.domain().empty() || concat.input_size() < 1) continue;
    std::string source;
    bool ok = true;
    for (int k = 0; k < concat.input_size() && ok; ++k) {
      const auto* u = g.producer(concat.input(k));
      const auto* gather = u && unsqueezed_at_zero(g, u) ? g.producer(u->input(0)) : nullptr;
      const auto* shape = is_op(gather, "Gather") ? g.producer(gather->input(0)) : nullptr;
      auto index = gather ? g.constant_scalar(gather->input(1)) : std::nullopt;
      if (!is_op(shape, "Shape") || !index || *index != k || shape->attribute_size() != 0 ||
          (!source.empty() && shape->input(0) != source))
        ok = false;
      else
        source = shape->input(0);
    }
    if (!ok || known_rank(g, source) != concat.input_size()) continue;
    concat.set_op_type("Shape");
    concat.clear_input();
    concat.add_input(source);
    concat.clear_attribute();
    ++folded;
    // Reshape(shape, [-1]) of a 1-D tensor is the identity.
    for (auto* r : g.consumers(concat.output(0))) {
      if (!is_op(r, "Reshape") || r->input(0) != concat.output(0) || g.is_graph_output(r->output(0))) continue;
      auto target = g.constant_values(r->input(1));
      if (!target || target->size() != 1 || (*target)[0] != -1) continue;
      for (auto* c : g.consumers(r->output(0)))
        for (int i = 0; i < c->input_size(); ++i)
          if (c->input(i) == r->output(0)) c->set_input(i, concat.output(0));
    }
  }
  if (folded) graph::remove_dead_nodes(graph);
  return folded;
}

int fold_reshape_chain(onnx::ModelProto& model) {
  auto& graph = *model.mutable_graph();
  GraphView g(graph);
  int folded = 0;
  for (auto& outer : *graph.mutable_node()) {
    if (outer.op_type() != "Reshape" || !outer.domain().empty() || outer.input_size() != 2) continue;
    auto* inner = g.producer(outer.input(0));
    if (!is_op(inner, "Reshape") || g.only_consumer(inner->output(0)) != &outer) continue;
    auto flat = g.constant_values(inner->input(1));
    if (!flat || flat->size() != 1 || (*flat)[0] != -1) continue;
    // A constant target without 0 entries does not read the inner shape; nor does a
    // 1-element target read from a Shape.
    bool independent = false;
    if (auto c = g.constant_values(outer.input(1))) {
      independent = std::find(c->begin(), c->end(), 0.0) == c->end();
    } else {
      const auto* target = g.producer(outer.input(1));
      if (is_op(target, "Concat") && target->input_size() == 1) target = g.producer(target->input(0));
      independent = is_op(target, "Shape");
    }
    if (!independent) continue;
    outer.set_input(0, inner->input(0));
    ++folded;
  }
  if (folded) graph::remove_dead_nodes(graph);
  return folded;
}

}  // namespace splade::optimize
