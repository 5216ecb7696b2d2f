// EmbedLayerNormalization fusion. Matched (any Add nesting/order):
//   LayerNormalization(Add(Add(Gather(Wword, ids), Gather(Wtype, seg)), Gather(Wpos, pos)), gamma, beta)
// ids: an integer graph input; seg: any integer tensor [b, s] (torch exports the
// token_type_ids buffer as Expand(Slice(zeros))); pos: Slice(const arange, 0, ...) on the
// last axis or a position_ids graph input. The fused op reads int32 ids: Casts are added.
#include "optimize/graph_view.h"
#include "optimize/passes.h"

namespace splade::optimize {
namespace {

using graph::GraphView;
using graph::is_op;

struct Lookup {
  const onnx::NodeProto* gather = nullptr;
  std::string table, index;
};

// Gather(2-D constant float table, index) on axis 0.
bool as_lookup(const GraphView& g, const std::string& t, Lookup& out) {
  const auto* n = g.producer(t);
  if (!is_op(n, "Gather") || !n->domain().empty()) return false;
  auto axis = graph::int_attribute(*n, "axis");
  if (axis && *axis != 0) return false;
  const auto* table = g.initializer(n->input(0));
  if (!table || table->dims_size() != 2 || table->data_type() != onnx::TensorProto::FLOAT) return false;
  out = {n, n->input(0), n->input(1)};
  return true;
}

// Leaves of a tree of single-use Adds.
void add_leaves(const GraphView& g, const std::string& t, const onnx::NodeProto* parent, std::vector<std::string>& leaves,
                int depth) {
  const auto* n = g.producer(t);
  if (depth < 3 && is_op(n, "Add") && n->domain().empty() && (!parent || g.only_consumer(t) == parent)) {
    add_leaves(g, n->input(0), n, leaves, depth + 1);
    add_leaves(g, n->input(1), n, leaves, depth + 1);
  } else {
    leaves.push_back(t);
  }
}

// pos = Slice(arange constant, starts 0, ends, axes = last) — positions 0..seq-1.
bool is_position_range(const GraphView& g, const std::string& t) {
  const auto* s = g.producer(t);
  if (!is_op(s, "Slice") || s->input_size() < 3) return false;
  auto data = g.constant_values(s->input(0));
  auto starts = g.constant_values(s->input(1));
  if (!data || !starts || starts->size() != 1 || (*starts)[0] != 0) return false;
  if (s->input_size() >= 4 && !s->input(3).empty()) {
    auto axes = g.constant_values(s->input(3));
    const auto* c = g.constant(s->input(0));
    if (!axes || axes->size() != 1 || !((*axes)[0] == -1 || (*axes)[0] == c->dims_size() - 1)) return false;
  }
  if (s->input_size() >= 5 && !s->input(4).empty()) {
    auto steps = g.constant_values(s->input(4));
    if (!steps || steps->size() != 1 || (*steps)[0] != 1) return false;
  }
  for (size_t i = 0; i < data->size(); ++i)
    if ((*data)[i] != static_cast<double>(i)) return false;
  return true;
}

}  // namespace

int fuse_embed_layer_norm(onnx::ModelProto& model) {
  auto& graph = *model.mutable_graph();
  GraphView g(graph);
  std::vector<onnx::NodeProto> added;
  int fused = 0;
  for (auto& ln : *graph.mutable_node()) {
    if (ln.op_type() != "LayerNormalization" || ln.input_size() < 3) continue;
    auto axis = graph::int_attribute(ln, "axis");
    if ((axis && *axis != -1) || (ln.output_size() > 1 && !ln.output(1).empty())) continue;
    std::vector<std::string> leaves;
    add_leaves(g, ln.input(0), nullptr, leaves, 0);
    if (leaves.size() < 2 || leaves.size() > 3) continue;
    // Positions are recognized by their index; of the rest, the larger table is the word
    // embedding (vocabulary rows), the smaller the token type embedding.
    Lookup word, type, pos;
    std::vector<Lookup> others;
    bool ok = true;
    for (const auto& leaf : leaves) {
      Lookup l;
      if (!as_lookup(g, leaf, l)) {
        ok = false;
        break;
      }
      const bool position_input = g.is_graph_input(l.index) && l.index.find("position") != std::string::npos;
      if (!pos.gather && (is_position_range(g, l.index) || position_input)) pos = l;
      else others.push_back(l);
    }
    if (others.size() == 2 && g.initializer(others[1].table)->dims(0) > g.initializer(others[0].table)->dims(0))
      std::swap(others[0], others[1]);
    if (!others.empty()) word = others[0];
    if (others.size() == 2) type = others[1];
    if (word.gather && !g.is_graph_input(word.index)) ok = false;
    if (!ok || !word.gather || !pos.gather) continue;
    if (leaves.size() == 3 && !type.gather) continue;

    auto to_int32 = [&](const std::string& t) {
      if (const auto* in = g.graph_input(t); in && in->type().tensor_type().elem_type() == onnx::TensorProto::INT32) return t;
      onnx::NodeProto cast;
      cast.set_op_type("Cast");
      cast.set_name(g.unique_name("Cast_int32"));
      cast.add_input(t);
      const std::string out = g.unique_name(t + "_int32");
      cast.add_output(out);
      graph::set_int_attribute(cast, "to", onnx::TensorProto::INT32);
      added.push_back(cast);
      return out;
    };
    onnx::NodeProto e;
    e.set_op_type("EmbedLayerNormalization");
    e.set_domain("com.microsoft");
    e.set_name(g.unique_name("EmbedLayerNormalization"));
    e.add_input(to_int32(word.index));
    e.add_input(type.gather ? to_int32(type.index) : "");
    e.add_input(word.table);
    e.add_input(pos.table);
    e.add_input(type.gather ? type.table : "");
    e.add_input(ln.input(1));
    e.add_input(ln.input(2));
    if (g.is_graph_input(pos.index)) {
      e.add_input("");  // mask
      e.add_input(to_int32(pos.index));
    }
    e.add_output(ln.output(0));
    e.add_output(g.unique_name("embed_mask_index_unused"));
    const auto* eps = graph::find_attribute(ln, "epsilon");
    graph::set_float_attribute(e, "epsilon", eps ? eps->f() : 1e-5f);
    added.push_back(e);
    ln.set_output(0, g.unique_name("unfused_embedding_output"));
    ++fused;
  }
  if (fused) graph::splice_fused_nodes(model, added);
  return fused;
}

}  // namespace splade::optimize
