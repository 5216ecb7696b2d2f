#include <array>
#include <cmath>
#include <map>
#include <set>

#include "optimize/graph_view.h"
#include "quantize/passes.h"
#include "splade/error.h"

namespace splade::quantize {
namespace {

using graph::GraphView;

constexpr const char* kMs = "com.microsoft";

// Weights [K, N] in one of the two formats `splade quantize` writes, over the whole tensor
// or per output column n:
//   u8s8: int8, symmetric: zero point 0, scale = max|w| / 127 (quantize_dynamic's QInt8);
//   u8u8: uint8, asymmetric over [min(0, min w), max(0, max w)]: scale = range / 255,
//         zero point = round(-min / scale) (quantize_dynamic's QUInt8).
// Values round half to even (numpy's round, as onnxruntime's quantizer).
struct QuantizedWeight {
  bool is_uint8 = false;
  std::vector<std::uint8_t> values;  // the bytes of int8 or uint8 values
  std::vector<float> scales;         // 1 or N
  std::vector<std::uint8_t> zero_points;  // 1 or N (the bytes of int8 or uint8 values)
};

QuantizedWeight quantize_weight(const std::vector<float>& w, std::int64_t k, std::int64_t n, bool per_channel,
                                Int8Format format) {
  QuantizedWeight q;
  q.is_uint8 = format == Int8Format::kU8U8;
  q.values.resize(w.size());
  const std::size_t channels = per_channel ? static_cast<std::size_t>(n) : 1;
  std::vector<float> lo(channels, 0.0f), hi(channels, 0.0f);
  for (std::int64_t r = 0; r < k; ++r)
    for (std::int64_t c = 0; c < n; ++c) {
      const std::size_t ch = per_channel ? static_cast<std::size_t>(c) : 0;
      lo[ch] = std::min(lo[ch], w[r * n + c]);
      hi[ch] = std::max(hi[ch], w[r * n + c]);
    }
  q.scales.resize(channels);
  q.zero_points.assign(channels, 0);
  for (std::size_t ch = 0; ch < channels; ++ch) {
    if (q.is_uint8) {
      q.scales[ch] = hi[ch] > lo[ch] ? (hi[ch] - lo[ch]) / 255.0f : 1.0f;
      const float zp = std::nearbyint(-lo[ch] / q.scales[ch]);
      q.zero_points[ch] = static_cast<std::uint8_t>(std::max(0.0f, std::min(255.0f, zp)));
    } else {
      const float absmax = std::max(-lo[ch], hi[ch]);
      q.scales[ch] = absmax > 0 ? absmax / 127.0f : 1.0f;
    }
  }
  for (std::int64_t r = 0; r < k; ++r)
    for (std::int64_t c = 0; c < n; ++c) {
      const std::size_t ch = per_channel ? static_cast<std::size_t>(c) : 0;
      const float v = std::nearbyint(w[r * n + c] / q.scales[ch]);
      q.values[r * n + c] =
          q.is_uint8 ? static_cast<std::uint8_t>(std::max(0.0f, std::min(255.0f, v + q.zero_points[ch])))
                     : static_cast<std::uint8_t>(static_cast<std::int8_t>(std::max(-127.0f, std::min(127.0f, v))));
    }
  return q;
}

onnx::TensorProto byte_tensor(const std::string& name, bool is_uint8, const std::vector<std::int64_t>& dims,
                              const std::vector<std::uint8_t>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(is_uint8 ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8);
  for (auto d : dims) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size()));
  return t;
}

onnx::NodeProto make_node(GraphView& g, const std::string& op, const std::string& domain,
                          const std::vector<std::string>& in, const std::vector<std::string>& out) {
  onnx::NodeProto n;
  n.set_op_type(op);
  if (!domain.empty()) n.set_domain(domain);
  n.set_name(g.unique_name(op));
  for (const auto& s : in) n.add_input(s);
  for (const auto& s : out) n.add_output(s);
  return n;
}

std::vector<float> transpose(const std::vector<float>& w, std::int64_t rows, std::int64_t cols) {
  std::vector<float> t(w.size());
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) t[c * rows + r] = w[r * cols + c];
  return t;
}

struct Builder {
  GraphView& g;
  bool per_channel;
  Int8Format format;
  std::vector<onnx::NodeProto> nodes;
  std::vector<onnx::TensorProto> inits;
  std::map<std::string, std::array<std::string, 3>> dql;  // activation -> (q, scale, zp)

  const std::array<std::string, 3>& quantize_activation(const std::string& x) {
    auto it = dql.find(x);
    if (it != dql.end()) return it->second;
    std::array<std::string, 3> o{g.unique_name(x + "_quantized"), g.unique_name(x + "_scale"), g.unique_name(x + "_zero_point")};
    nodes.push_back(make_node(g, "DynamicQuantizeLinear", "", {x}, {o[0], o[1], o[2]}));
    return dql.emplace(x, o).first->second;
  }

  // Adds W_q, its zero point and scale; returns their names.
  std::array<std::string, 3> add_weight(const std::string& stem, const QuantizedWeight& q, std::int64_t k, std::int64_t n) {
    std::array<std::string, 3> names{g.unique_name(stem + "_quantized"), g.unique_name(stem + "_zero_point"),
                                     g.unique_name(stem + "_scale")};
    inits.push_back(byte_tensor(names[0], q.is_uint8, {k, n}, q.values));
    const std::int64_t channels = static_cast<std::int64_t>(q.scales.size());
    inits.push_back(byte_tensor(names[1], q.is_uint8,
                                channels > 1 ? std::vector<std::int64_t>{channels} : std::vector<std::int64_t>{}, q.zero_points));
    inits.push_back(graph::make_float_tensor(names[2], channels > 1 ? std::vector<std::int64_t>{channels} : std::vector<std::int64_t>{},
                                             q.scales));
    return names;
  }

  // x [.., K] @ W [K, N] -> `output`, in the standard dynamic-quantization form.
  void matmul(const std::string& x, const std::vector<float>& w, std::int64_t k, std::int64_t n, const std::string& stem,
              const std::string& output) {
    const auto q = quantize_weight(w, k, n, per_channel, format);
    const auto wn = add_weight(stem, q, k, n);
    const auto& a = quantize_activation(x);
    const std::string acc = g.unique_name(stem + "_int32"), acc_f = g.unique_name(stem + "_int32_float"),
                      scale = g.unique_name(stem + "_scales_mul");
    nodes.push_back(make_node(g, "MatMulInteger", "", {a[0], wn[0], a[2], wn[1]}, {acc}));
    auto cast = make_node(g, "Cast", "", {acc}, {acc_f});
    graph::set_int_attribute(cast, "to", onnx::TensorProto::FLOAT);
    nodes.push_back(cast);
    nodes.push_back(make_node(g, "Mul", "", {a[1], wn[2]}, {scale}));
    nodes.push_back(make_node(g, "Mul", "", {acc_f, scale}, {output}));
  }
};

// Whether `tensor` is computed (in part) from a graph input: an activation, as opposed to
// a weight that is merely computed from constants (Transpose(initializer), ...).
bool reads_graph_input(const GraphView& g, const std::string& tensor) {
  std::vector<std::string> stack{tensor};
  std::set<std::string> seen;
  while (!stack.empty()) {
    auto t = stack.back();
    stack.pop_back();
    if (t.empty() || !seen.insert(t).second) continue;
    if (g.is_graph_input(t)) return true;
    if (const auto* n = g.producer(t))
      for (const auto& in : n->input()) stack.push_back(in);
  }
  return false;
}

}  // namespace

Int8Stats quantize_dynamic_int8(onnx::ModelProto& model, Int8Format format, bool per_channel) {
  if (format != Int8Format::kU8U8 && format != Int8Format::kU8S8)
    throw Error(ErrorCode::kInvalidArgument, std::string("int8 format ") + to_string(format) + " is read, not written (expected u8u8 or u8s8)");
  auto& graph = *model.mutable_graph();
  GraphView g(graph);
  Builder b{g, per_channel, format, {}, {}, {}};
  Int8Stats stats;
  for (auto& node : *graph.mutable_node()) {
    const bool std_domain = node.domain().empty() || node.domain() == "ai.onnx";
    const std::string label = node.op_type() + " '" + node.name() + "'";
    if (std_domain && node.op_type() == "MatMul") {
      const auto* w = g.constant(node.input(1));
      if (!w) {
        // Activation x activation (attention scores) is not a weight; a weight computed
        // from constants is reported.
        if (!reads_graph_input(g, node.input(1)))
          stats.skipped.push_back(label + ": weight is computed at run time from constants (run `splade optimize` first "
                                          "to fold it)");
        continue;
      }
      if (w->dims_size() != 2 || w->data_type() != onnx::TensorProto::FLOAT || g.constant(node.input(0))) {
        stats.skipped.push_back(label + ": weight is not a 2-D float constant");
        continue;
      }
      const std::string out = node.output(0);
      b.matmul(node.input(0), graph::tensor_floats(*w), w->dims(0), w->dims(1), node.input(1), out);
      node.set_output(0, g.unique_name("unquantized_matmul_output"));
      stats.weights_quantized += w->dims(0) * w->dims(1);
      ++stats.matmuls;
    } else if (std_domain && node.op_type() == "Gemm") {
      const auto* w = node.input_size() > 1 ? g.constant(node.input(1)) : nullptr;
      auto alpha = graph::find_attribute(node, "alpha"), beta = graph::find_attribute(node, "beta");
      auto trans_a = graph::int_attribute(node, "transA"), trans_b = graph::int_attribute(node, "transB");
      if (!w || w->dims_size() != 2 || w->data_type() != onnx::TensorProto::FLOAT || (trans_a && *trans_a) ||
          (alpha && alpha->f() != 1.0f) || (beta && beta->f() != 1.0f)) {
        stats.skipped.push_back(label + ": weight not constant, or transA/alpha/beta not default");
        continue;
      }
      auto values = graph::tensor_floats(*w);
      std::int64_t k = w->dims(0), n = w->dims(1);
      if (trans_b && *trans_b) values = transpose(values, k, n), std::swap(k, n);
      const std::string out = node.output(0);
      const bool has_bias = node.input_size() > 2 && !node.input(2).empty();
      const std::string mm_out = has_bias ? g.unique_name(out + "_matmul") : out;
      b.matmul(node.input(0), values, k, n, node.input(1), mm_out);
      if (has_bias) b.nodes.push_back(make_node(g, "Add", "", {mm_out, node.input(2)}, {out}));
      node.set_output(0, g.unique_name("unquantized_gemm_output"));
      stats.weights_quantized += k * n;
      ++stats.matmuls;
    } else if (node.domain() == kMs && node.op_type() == "Attention") {
      const auto* w = g.constant(node.input(1));
      if (!w || w->dims_size() != 2 || w->data_type() != onnx::TensorProto::FLOAT) {
        stats.skipped.push_back(label + ": weight is not a 2-D float constant");
        continue;
      }
      // QAttention(input_q, W_q, bias, input_scale, weight_scale, mask, input_zp, weight_zp);
      // Per-column weights where asked: the CPU kernel takes a [3 * hidden] scale and zero point.
      const auto q = quantize_weight(graph::tensor_floats(*w), w->dims(0), w->dims(1), b.per_channel, format);
      const auto wn = b.add_weight(node.input(1), q, w->dims(0), w->dims(1));
      const auto& a = b.quantize_activation(node.input(0));
      auto qa = make_node(g, "QAttention", kMs,
                          {a[0], wn[0], node.input(2), a[1], wn[2], node.input_size() > 3 ? node.input(3) : "", a[2], wn[1]},
                          {node.output(0)});
      // QAttention knows num_heads/unidirectional only (its mask fill is fixed at -10000).
      for (const auto& attr : node.attribute())
        if (attr.name() == "num_heads" || attr.name() == "unidirectional") *qa.add_attribute() = attr;
      b.nodes.push_back(qa);
      node.set_output(0, g.unique_name("unquantized_attention_output"));
      stats.weights_quantized += w->dims(0) * w->dims(1);
      ++stats.attentions;
    }
  }
  for (auto& n : b.nodes) *graph.add_node() = std::move(n);
  for (auto& t : b.inits) *graph.add_initializer() = std::move(t);
  graph::remove_dead_nodes(graph);
  graph::topological_sort(graph);
  if (stats.attentions) graph::ensure_opset(model, kMs, 1);
  return stats;
}

}  // namespace splade::quantize
