// Attention fusion: the BERT/DistilBERT self-attention subgraph -> com.microsoft.Attention.
//
// Matched shape (tensors [batch, seq, hidden] unless noted; either Add operand order):
//   q = Reshape(Add(MatMul(x, Wq), bq), [b, s, heads, d]) -> Transpose(0,2,1,3)   [b, h, s, d]
//   k = ... -> Transpose(0,2,3,1)  (or Transpose(0,2,1,3) then Transpose(0,1,3,2))  [b, h, d, s]
//   v = ... -> Transpose(0,2,1,3)                                               [b, h, s, d]
//   scores = MatMul(q [/ c], k) [/ c | * c]  ; + mask  or  Where(cond, fill, scores)
//   ctx = MatMul(Softmax(scores, axis -1), v) -> Transpose(0,2,1,3) -> Reshape  [b, s, hidden]
// The mask subgraph must derive from one rank-2 graph input (the attention_mask); the
// fused node reads that input cast to int32 as a raw 2-D mask_index (1 keep, 0 pad).
#include <cmath>
#include <map>
#include <unordered_set>

#include "optimize/graph_view.h"
#include "optimize/passes.h"

namespace splade::optimize {
namespace {

using graph::GraphView;
using graph::is_op;

struct Projection {
  std::string input;           // x
  const onnx::TensorProto* weight = nullptr;  // [hidden, out]
  const onnx::TensorProto* bias = nullptr;    // [out]
  std::int64_t heads = 0;
};

bool perm_is(const onnx::NodeProto* node, std::vector<std::int64_t> perm) {
  return is_op(node, "Transpose") && graph::ints_attribute(*node, "perm") == perm;
}

// Follows a Div/Mul by a constant scalar, folding it into `scale`.
const onnx::NodeProto* skip_scale(const GraphView& g, const onnx::NodeProto* node, double& scale,
                                  std::string& through) {
  if (!node) return node;
  if (node->op_type() == "Div" && node->input_size() == 2) {
    if (auto c = g.constant_scalar(node->input(1)); c && *c != 0) {
      scale /= *c;
      through = node->input(0);
      return g.producer(node->input(0));
    }
  }
  if (node->op_type() == "Mul" && node->input_size() == 2) {
    for (int i = 0; i < 2; ++i)
      if (auto c = g.constant_scalar(node->input(i))) {
        scale *= *c;
        through = node->input(1 - i);
        return g.producer(node->input(1 - i));
      }
  }
  return node;
}

// The number of heads a Reshape to [b, s, heads, head_size] uses: its shape is either a
// constant ([0, 0, h, d] / [-1, s, h, d]) or a Concat whose third part is a constant.
std::int64_t heads_of_reshape(const GraphView& g, const onnx::NodeProto* reshape) {
  if (!is_op(reshape, "Reshape") || reshape->input_size() < 2) return 0;
  if (auto shape = g.constant_values(reshape->input(1))) return shape->size() == 4 ? static_cast<std::int64_t>((*shape)[2]) : 0;
  const auto* concat = g.producer(reshape->input(1));
  if (!is_op(concat, "Concat") || concat->input_size() != 4) return 0;
  auto h = g.constant_values(concat->input(2));
  return h && h->size() == 1 ? static_cast<std::int64_t>((*h)[0]) : 0;
}

// Add(MatMul(x, W), b) in either order, W [in, out] and b [out] constant float.
bool match_projection(const GraphView& g, const std::string& tensor, Projection& p) {
  const auto* add = g.producer(tensor);
  if (!is_op(add, "Add") || add->input_size() != 2) return false;
  for (int i = 0; i < 2; ++i) {
    const auto* mm = g.producer(add->input(i));
    const auto* bias = g.constant(add->input(1 - i));
    if (!is_op(mm, "MatMul") || !bias || bias->dims_size() != 1) continue;
    const auto* w = g.constant(mm->input(1));
    if (!w || w->dims_size() != 2 || w->data_type() != onnx::TensorProto::FLOAT ||
        bias->data_type() != onnx::TensorProto::FLOAT || w->dims(1) != bias->dims(0))
      continue;
    p.input = mm->input(0);
    p.weight = w;
    p.bias = bias;
    return true;
  }
  return false;
}

// q/k/v side: [Transpose(0,2,1,3)] <- Reshape <- projection. `extra_transpose` is the
// permutation expected on top for K ({0,2,3,1} direct, or {0,1,3,2} after {0,2,1,3}).
// `metadata_heads`: num_heads from the model's metadata (the seed's export writes it), 0
// when absent; the fallback when a head-split Reshape's shape is computed at run time.
bool match_head_split(const GraphView& g, const std::string& tensor, bool is_key, double& scale, Projection& p,
                      std::int64_t metadata_heads) {
  std::string through;
  const auto* node = skip_scale(g, g.producer(tensor), scale, through);
  const onnx::NodeProto* reshape = nullptr;
  if (is_key && perm_is(node, {0, 2, 3, 1})) {
    reshape = g.producer(node->input(0));
  } else if (is_key && perm_is(node, {0, 1, 3, 2})) {
    const auto* inner = skip_scale(g, g.producer(node->input(0)), scale, through);
    if (!perm_is(inner, {0, 2, 1, 3})) return false;
    reshape = g.producer(inner->input(0));
  } else if (!is_key && perm_is(node, {0, 2, 1, 3})) {
    reshape = g.producer(node->input(0));
  } else {
    return false;
  }
  if (!is_op(reshape, "Reshape")) return false;
  p.heads = heads_of_reshape(g, reshape);
  if (p.heads <= 0) p.heads = metadata_heads;
  return p.heads > 0 && match_projection(g, reshape->input(0), p);
}

// The one rank-2 graph input the mask subgraph is computed from, or "". `fill` gets the
// most negative constant in the subgraph (HF: finfo(float32).min, older code: -10000),
// which becomes the fused node's mask_filter_value so fully masked rows behave the same.
std::string mask_graph_input(const GraphView& g, const std::string& tensor, double& fill) {
  static const std::unordered_set<std::string> allowed = {
      "Unsqueeze", "Cast", "Sub", "Mul", "Reshape", "Expand", "Equal", "Not", "Where", "Shape", "Gather",
      "Concat", "Constant", "ConstantOfShape", "Slice", "Squeeze", "Div", "Add"};
  std::vector<std::string> stack{tensor};
  std::unordered_set<std::string> seen;
  std::string found;
  while (!stack.empty()) {
    std::string t = stack.back();
    stack.pop_back();
    if (!seen.insert(t).second) continue;
    if (const auto* in = g.graph_input(t)) {
      const auto& type = in->type().tensor_type();
      if (type.shape().dim_size() != 2) return "";
      if (!found.empty() && found != t) return "";
      found = t;
      continue;
    }
    if (auto c = g.constant_scalar(t)) fill = std::min(fill, *c);
    const auto* node = g.producer(t);
    if (!node) continue;  // initializer
    if (!allowed.count(node->op_type())) return "";
    if (node->op_type() == "Shape") continue;  // reads only the shape of its input
    for (const auto& in : node->input())
      if (!in.empty()) stack.push_back(in);
  }
  return found;
}

std::vector<float> floats_of(const onnx::TensorProto& t) { return graph::tensor_floats(t); }

struct Match {
  Projection q, k, v;
  double scale = 1.0;
  std::string mask_input;        // graph input, "" when unmasked
  double mask_fill = 0;          // value added to masked scores
  onnx::NodeProto* out_reshape = nullptr;
};

bool match_attention(GraphView& g, onnx::NodeProto* softmax, Match& m, std::int64_t metadata_heads) {
  auto axis = graph::int_attribute(*softmax, "axis");
  if (axis && *axis != -1 && *axis != 3) return false;
  // Scores and mask.
  std::string scores = softmax->input(0);
  std::string mask_tensor;
  double where_fill = 0;
  const auto* pre = g.producer(scores);
  auto leads_to_qk = [&](const std::string& t) {
    double s = 1;
    std::string through;
    return is_op(skip_scale(g, g.producer(t), s, through), "MatMul");
  };
  if (is_op(pre, "Add")) {
    if (leads_to_qk(pre->input(0))) scores = pre->input(0), mask_tensor = pre->input(1);
    else if (leads_to_qk(pre->input(1))) scores = pre->input(1), mask_tensor = pre->input(0);
    else return false;
  } else if (is_op(pre, "Where") && leads_to_qk(pre->input(2))) {
    auto fill = g.constant_scalar(pre->input(1));
    if (!fill) return false;
    scores = pre->input(2), mask_tensor = pre->input(0);
    where_fill = *fill;
  }
  std::string through;
  const auto* qk = skip_scale(g, g.producer(scores), m.scale, through);
  if (!is_op(qk, "MatMul")) return false;
  if (!match_head_split(g, qk->input(0), false, m.scale, m.q, metadata_heads)) return false;
  if (!match_head_split(g, qk->input(1), true, m.scale, m.k, metadata_heads)) return false;
  // Context.
  auto* ctx = g.only_consumer(softmax->output(0));
  if (!is_op(ctx, "MatMul") || ctx->input(0) != softmax->output(0)) return false;
  if (!match_head_split(g, ctx->input(1), false, m.scale, m.v, metadata_heads)) return false;
  auto* back = g.only_consumer(ctx->output(0));
  if (!perm_is(back, {0, 2, 1, 3})) return false;
  // Torch reads the shape of the context for the Reshape: Shape consumers are allowed.
  if (g.is_graph_output(back->output(0))) return false;
  for (auto* c : g.consumers(back->output(0))) {
    if (is_op(c, "Reshape") && c->input(0) == back->output(0) && !m.out_reshape) m.out_reshape = c;
    else if (!is_op(c, "Shape")) return false;
  }
  if (!m.out_reshape) return false;
  // One input, same heads and widths for q, k, v.
  if (m.q.input != m.k.input || m.q.input != m.v.input) return false;
  if (m.q.heads != m.k.heads || m.q.heads != m.v.heads) return false;
  const auto hidden = m.q.weight->dims(0);
  for (const auto* p : {&m.q, &m.k, &m.v})
    if (p->weight->dims(0) != hidden || p->weight->dims(1) != m.q.weight->dims(1)) return false;
  if (m.q.weight->dims(1) % m.q.heads != 0) return false;
  if (!mask_tensor.empty()) {
    m.mask_input = mask_graph_input(g, mask_tensor, m.mask_fill);
    if (where_fill < 0) m.mask_fill = where_fill;
    if (m.mask_input.empty()) return false;
  }
  return true;
}

}  // namespace

int fuse_attention(onnx::ModelProto& model) {
  std::int64_t metadata_heads = 0;
  for (const auto& p : model.metadata_props())
    if (p.key() == "num_heads") {
      try {
        metadata_heads = std::stoll(p.value());
      } catch (const std::exception&) {
        metadata_heads = 0;
      }
    }
  auto& graph = *model.mutable_graph();
  GraphView g(graph);
  std::vector<onnx::NodeProto*> softmaxes;
  for (auto& node : *graph.mutable_node())
    if (node.op_type() == "Softmax" && node.domain().empty()) softmaxes.push_back(&node);

  std::vector<Match> matches;
  for (auto* s : softmaxes) {
    Match m;
    if (match_attention(g, s, m, metadata_heads)) matches.push_back(m);
  }
  if (matches.empty()) return 0;

  std::map<std::string, std::string> mask_int32;  // graph input -> int32 tensor
  std::vector<onnx::NodeProto> new_nodes;
  std::vector<onnx::TensorProto> new_inits;
  for (auto& m : matches) {
    const auto rows = m.q.weight->dims(0), cols = m.q.weight->dims(1);
    const auto wq = floats_of(*m.q.weight), wk = floats_of(*m.k.weight), wv = floats_of(*m.v.weight);
    std::vector<float> w(static_cast<size_t>(rows * cols * 3));
    for (std::int64_t r = 0; r < rows; ++r)
      for (int part = 0; part < 3; ++part) {
        const auto& src = part == 0 ? wq : part == 1 ? wk : wv;
        std::copy_n(src.begin() + r * cols, cols, w.begin() + r * cols * 3 + part * cols);
      }
    std::vector<float> b;
    for (const auto* p : {m.q.bias, m.k.bias, m.v.bias}) {
      auto v = floats_of(*p);
      b.insert(b.end(), v.begin(), v.end());
    }
    const std::string w_name = g.unique_name("attention_qkv_weight");
    const std::string b_name = g.unique_name("attention_qkv_bias");
    new_inits.push_back(graph::make_float_tensor(w_name, {rows, cols * 3}, w));
    new_inits.push_back(graph::make_float_tensor(b_name, {cols * 3}, b));

    onnx::NodeProto att;
    att.set_op_type("Attention");
    att.set_domain("com.microsoft");
    att.set_name(g.unique_name("Attention"));
    att.add_input(m.q.input);
    att.add_input(w_name);
    att.add_input(b_name);
    if (!m.mask_input.empty()) {
      auto it = mask_int32.find(m.mask_input);
      if (it == mask_int32.end()) {
        const auto* in = g.graph_input(m.mask_input);
        std::string mask = m.mask_input;
        if (in->type().tensor_type().elem_type() != onnx::TensorProto::INT32) {
          mask = g.unique_name("attention_mask_int32");
          onnx::NodeProto cast;
          cast.set_op_type("Cast");
          cast.set_name(g.unique_name("Cast_mask_int32"));
          cast.add_input(m.mask_input);
          cast.add_output(mask);
          graph::set_int_attribute(cast, "to", onnx::TensorProto::INT32);
          new_nodes.push_back(cast);
        }
        it = mask_int32.emplace(m.mask_input, mask).first;
      }
      att.add_input(it->second);
    }
    att.add_output(m.out_reshape->output(0));
    graph::set_int_attribute(att, "num_heads", m.q.heads);
    const double head_size = static_cast<double>(cols) / static_cast<double>(m.q.heads);
    if (std::abs(m.scale * std::sqrt(head_size) - 1.0) > 1e-6) graph::set_float_attribute(att, "scale", static_cast<float>(m.scale));
    if (m.mask_fill < -1.0) graph::set_float_attribute(att, "mask_filter_value", static_cast<float>(m.mask_fill));
    new_nodes.push_back(att);
    // The old output Reshape now writes a dead tensor; dead-node removal drops the chain.
    m.out_reshape->set_output(0, g.unique_name("unfused_attention_output"));
  }
  graph::splice_fused_nodes(model, new_nodes, std::move(new_inits));
  return static_cast<int>(matches.size());
}

}  // namespace splade::optimize
