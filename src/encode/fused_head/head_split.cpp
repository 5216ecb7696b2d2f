#include "encode/fused_head/head_split.h"

#include <algorithm>
#include <cmath>

#include "onnx/initializer_file_spans.h"
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

// A head tensor kept in an external-data file (a model saved with its weights beside it) is
// read into the graph: the head copies it out, and it leaves the body with the head's nodes.
void read_in(const GraphView& g, const std::string& name, const std::filesystem::path& model_path) {
  if (auto* t = g.initializer(name)) onnxio::load_external_data(*t, model_path);
}

// The model's own external-data references (relative to model_path's folder) made relative to
// `folder`, the folder of the model file's real path; false (with `why`) when a data file lies
// in another folder once links are resolved, which ORT would refuse.
bool relocate_external_data(onnx::GraphProto& graph, const std::filesystem::path& model_path,
                            const std::filesystem::path& folder, std::string& why) {
  for (auto& t : *graph.mutable_initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL) continue;
    for (auto& kv : *t.mutable_external_data()) {
      if (kv.key() != "location") continue;
      std::error_code ec;
      const auto data = std::filesystem::canonical(model_path.parent_path() / kv.value(), ec);
      if (ec || data.parent_path() != folder) {
        why = "initializer '" + t.name() + "' keeps its data in '" + kv.value() +
              "', outside the folder of the model file's real path";
        return false;
      }
      kv.set_value(data.filename().string());
    }
  }
  return true;
}

// The int8 decoder producing `y` (head_split.h): sets s.int8, s.weight (W_q - W_zp),
// s.hidden and s.vocab; false with `why` for any other form.
bool match_int8_decoder(const GraphView& g, const std::string& y, std::int64_t vocab, const std::filesystem::path& model_path,
                        HeadSplit& s, std::string& why) {
  why = "the vocabulary projection is neither an fp32 MatMul nor a dynamically quantized MatMulInteger";
  const auto* mul = g.producer(y);
  if (!plain(mul, "Mul") || mul->input_size() != 2) return false;
  const onnx::NodeProto *cast = nullptr, *scales = nullptr;
  for (int i = 0; i < 2; ++i) {
    const auto* p = g.producer(mul->input(i));
    if (plain(p, "Cast") && graph::int_attribute(*p, "to") == onnx::TensorProto::FLOAT) cast = p;
    else if (plain(p, "Mul")) scales = p;
  }
  const auto* mmi = cast ? g.producer(cast->input(0)) : nullptr;
  if (!plain(mmi, "MatMulInteger") || !scales || mmi->input_size() < 3) return false;
  const auto* dql = g.producer(mmi->input(0));
  if (!plain(dql, "DynamicQuantizeLinear") || dql->output_size() != 3 || mmi->input(2) != dql->output(2)) {
    why = "the int8 decoder's activations are not quantized by DynamicQuantizeLinear";
    return false;
  }
  for (const auto& name : {scales->input(0), scales->input(1), mmi->input(1)}) read_in(g, name, model_path);
  if (mmi->input_size() > 3) read_in(g, mmi->input(3), model_path);
  const onnx::TensorProto* w_scale = nullptr;
  for (int i = 0; i < 2; ++i)
    if (scales->input(i) == dql->output(1)) w_scale = g.constant(scales->input(1 - i));
  const auto* w = g.initializer(mmi->input(1));
  const auto* w_zp = mmi->input_size() > 3 && !mmi->input(3).empty() ? g.constant(mmi->input(3)) : nullptr;
  if (!w || w->dims_size() != 2 || w->dims(1) != vocab || !w_scale ||
      (w->data_type() != onnx::TensorProto::UINT8 && w->data_type() != onnx::TensorProto::INT8)) {
    why = "the int8 decoder is not a MatMulInteger by a [hidden, vocab] int8/uint8 initializer with its scale";
    return false;
  }
  const std::int64_t hidden = w->dims(0);
  const auto wq = graph::tensor_values(*w);
  const auto zp = w_zp ? graph::tensor_values(*w_zp) : std::vector<double>{0.0};
  const auto scale = graph::tensor_floats(*w_scale);
  const auto per_column = [&](std::size_t n) { return n == 1 || n == static_cast<std::size_t>(vocab); };
  if (static_cast<std::int64_t>(wq.size()) != hidden * vocab || !per_column(zp.size()) || !per_column(scale.size())) {
    why = "the int8 decoder's zero point or scale is neither per tensor nor per vocabulary column";
    return false;
  }
  Int8Decoder d;
  d.quantized_name = dql->output(0);
  d.scale_name = dql->output(1);
  d.zero_point_name = dql->output(2);
  d.weight_scale.resize(static_cast<std::size_t>(vocab));
  for (std::int64_t v = 0; v < vocab; ++v) d.weight_scale[v] = scale[scale.size() == 1 ? 0 : v];
  s.weight.resize(wq.size());
  for (std::int64_t k = 0; k < hidden; ++k)
    for (std::int64_t v = 0; v < vocab; ++v) {
      const double centered = wq[k * vocab + v] - zp[zp.size() == 1 ? 0 : v];
      s.weight[k * vocab + v] = static_cast<float>(centered);
      d.weight_max_abs = std::max(d.weight_max_abs, static_cast<int>(std::abs(centered)));
    }
  s.hidden = hidden;
  s.vocab = vocab;
  s.int8 = std::move(d);
  why.clear();
  return true;
}

// A graph input or output as ort::InferenceSession describes it (ONNX's TensorProto data
// types are ONNX Runtime's element types, number for number).
ort::IoSpec io_spec(const onnx::ValueInfoProto& v) {
  ort::IoSpec spec;
  spec.name = v.name();
  if (!v.type().has_tensor_type()) return spec;
  const auto& t = v.type().tensor_type();
  spec.onnx_type = t.elem_type();
  switch (t.elem_type()) {
    case onnx::TensorProto::FLOAT: spec.type = ort::ElementType::kFloat; break;
    case onnx::TensorProto::INT64: spec.type = ort::ElementType::kInt64; break;
    case onnx::TensorProto::INT32: spec.type = ort::ElementType::kInt32; break;
    case onnx::TensorProto::FLOAT16: spec.type = ort::ElementType::kFloat16; break;
    case onnx::TensorProto::UINT8: spec.type = ort::ElementType::kUInt8; break;
    default: spec.type = ort::ElementType::kOther;
  }
  for (const auto& d : t.shape().dim()) spec.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  return spec;
}

}  // namespace

std::optional<HeadSplit> split_splade_head(onnx::ModelProto&& loaded, const std::filesystem::path& model_path,
                                           std::string& why, bool refer_weights_to_file) {
  onnx::ModelProto model = std::move(loaded);
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
  if (bias_add && bias_add->input_size() == 2) read_in(g, bias_add->input(1), model_path);
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
  HeadSplit s;
  for (const auto& in : graph.input())
    if (!g.initializer(in.name())) s.model_inputs.push_back(io_spec(in));
  s.model_outputs.push_back(io_spec(graph.output(0)));
  s.log1p_count = logs;
  s.bias = graph::tensor_floats(*bias);
  std::string projection;  // the masked Add's operand computed by the decoder
  for (int i = 0; i < 2 && projection.empty(); ++i)
    if (const auto* p = g.producer(masked->input(i)); plain(p, "MatMul") || plain(p, "Mul")) projection = masked->input(i);
  const auto* matmul = g.producer(projection);
  if (plain(matmul, "MatMul")) {
    read_in(g, matmul->input(1), model_path);
    const auto* w = g.initializer(matmul->input(1));
    if (!w || w->dims_size() != 2 || w->data_type() != onnx::TensorProto::FLOAT || w->dims(1) != bias->dims(0)) {
      why = "the vocabulary projection is not an fp32 MatMul by a [hidden, vocab] initializer";
      return std::nullopt;
    }
    s.hidden = w->dims(0);
    s.vocab = w->dims(1);
    s.hidden_name = matmul->input(0);
    s.weight = graph::tensor_floats(*w);
  } else if (!match_int8_decoder(g, projection, bias->dims(0), model_path, s, why)) {
    return std::nullopt;
  }
  if (static_cast<std::int64_t>(s.weight.size()) != s.hidden * s.vocab || static_cast<std::int64_t>(s.bias.size()) != s.vocab) {
    why = "decoder weight or bias is not stored in the graph";
    return std::nullopt;
  }
  // The body: the same graph, its outputs the projection's inputs. Inputs are kept as they
  // are (the encoder feeds them by name); nodes that only fed the head are removed.
  graph.clear_output();
  auto add_output = [&](const std::string& name, int type) {
    auto* out = graph.add_output();
    out->set_name(name);
    out->mutable_type()->mutable_tensor_type()->set_elem_type(type);
  };
  if (s.int8) {
    add_output(s.int8->quantized_name, onnx::TensorProto::UINT8);
    add_output(s.int8->scale_name, onnx::TensorProto::FLOAT);
    add_output(s.int8->zero_point_name, onnx::TensorProto::UINT8);
  } else {
    add_output(s.hidden_name, onnx::TensorProto::FLOAT);
  }
  graph::remove_dead_nodes(graph);
  // The body's weights are not copied into the bytes handed to ORT: ORT reads them from the
  // model file, so they are held once while it loads (BENCHMARKS.md, "Peak memory of the fused
  // head"). ORT resolves external data against one folder and refuses a path that leads out of
  // it once symlinks are resolved (a model.onnx linked to a blob, as a Hugging Face cache
  // snapshot keeps it), so every reference is relative to the folder of the file's real path.
  std::error_code ec;
  const auto file = std::filesystem::canonical(model_path, ec);
  if (ec) {
    why = "cannot resolve the model file's path: " + ec.message();
    return std::nullopt;
  }
  s.body_data_folder = file.parent_path();
  if (!relocate_external_data(graph, model_path, s.body_data_folder, why)) return std::nullopt;
  constexpr std::int64_t kInlineBelowBytes = 64 << 10;
  if (refer_weights_to_file) onnxio::refer_initializers_to_file(model, file, kInlineBelowBytes);
  s.body_model = model.SerializeAsString();
  return s;
}

}  // namespace splade::encode
