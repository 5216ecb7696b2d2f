#include "convert/onnx_graph.h"

#include <cmath>
#include <cstring>

#include "convert/graph_builder.h"
#include "splade/error.h"
#include "splade/version.h"

namespace splade::convert {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;
constexpr int kInt64 = onnx::TensorProto::INT64;

// [rows, cols] -> [cols, rows], in tiles so that both sides stay in cache.
void transpose(const float* src, std::int64_t rows, std::int64_t cols, float* dst) {
  constexpr std::int64_t kTile = 64;
  for (std::int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (std::int64_t c0 = 0; c0 < cols; c0 += kTile)
      for (std::int64_t r = r0; r < std::min(rows, r0 + kTile); ++r)
        for (std::int64_t c = c0; c < std::min(cols, c0 + kTile); ++c) dst[c * rows + r] = src[r * cols + c];
}

class EncoderWriter {
 public:
  EncoderWriter(const ModelSpec& spec, const hf::TensorStore& store, GraphBuilder& b)
      : spec_(spec), store_(store), b_(b) {}

  // A checkpoint tensor as an initializer of the same name and shape.
  std::string tensor(const std::string& name) {
    const auto& t = store_.at(name);
    auto values = store_.to_float(t);
    store_.release(t);
    return b_.float_tensor(name, t.shape, values);
  }

  // A [out, in] nn.Linear weight as the [in, out] right operand of MatMul.
  std::string matmul_weight(const std::string& name) {
    const auto& t = store_.at(name);
    auto values = store_.to_float(t);
    store_.release(t);
    float* dst = nullptr;
    auto* init = b_.float_tensor_raw(name + ".T", {t.shape[1], t.shape[0]}, &dst);
    transpose(values.data(), t.shape[0], t.shape[1], dst);
    return init->name();
  }

  // Add(MatMul(x, W^T), b): MatMul first, as ONNX Runtime's fusions expect.
  std::string linear(const std::string& name, const std::string& x, const LinearNames& l) {
    const auto mm = b_.op("MatMul", name + "/MatMul", {x, matmul_weight(l.weight)});
    return b_.op("Add", name + "/Add", {mm, tensor(l.bias)});
  }

  std::string norm(const std::string& name, const std::string& x, const NormNames& n, double eps) {
    return b_.layer_norm(name, x, tensor(n.weight), tensor(n.bias), eps);
  }

  std::string activation(const std::string& name, const std::string& x) {
    switch (spec_.config.activation) {
      case hf::Activation::kRelu: return b_.op("Relu", name + "/Relu", {x});
      case hf::Activation::kGelu: {
        const auto d = b_.op("Div", name + "/Div", {x, b_.scalar(name + "/sqrt2", static_cast<float>(M_SQRT2))});
        const auto e = b_.op("Erf", name + "/Erf", {d});
        const auto a = b_.op("Add", name + "/Add", {e, b_.scalar(name + "/one", 1.0f)});
        const auto m = b_.op("Mul", name + "/Mul", {x, a});
        return b_.op("Mul", name + "/Mul_1", {m, b_.scalar(name + "/half", 0.5f)});
      }
      case hf::Activation::kGeluTanh: {
        const auto p = b_.op("Pow", name + "/Pow", {x, b_.scalar(name + "/three", 3.0f)});
        const auto c = b_.op("Mul", name + "/Mul", {p, b_.scalar(name + "/coef", 0.044715f)});
        const auto s = b_.op("Add", name + "/Add", {x, c});
        const auto k = b_.op("Mul", name + "/Mul_1",
                             {s, b_.scalar(name + "/sqrt_2_over_pi", static_cast<float>(std::sqrt(2.0 / M_PI)))});
        const auto t = b_.op("Tanh", name + "/Tanh", {k});
        const auto a = b_.op("Add", name + "/Add_1", {t, b_.scalar(name + "/one", 1.0f)});
        const auto h = b_.op("Mul", name + "/Mul_2", {x, b_.scalar(name + "/half", 0.5f)});
        return b_.op("Mul", name + "/Mul_3", {h, a});
      }
    }
    return x;
  }

  // input_ids, attention_mask [batch, seq] (+ token_type_ids, or zeros when `token_types`
  // is empty) -> last hidden state [batch, seq, hidden].
  std::string encoder(const std::string& input_ids, const std::string& attention_mask, const std::string& token_types) {
    const auto& c = spec_.config;
    const std::string e = "/embeddings";
    std::string x = b_.op("Gather", e + "/word_embeddings/Gather", {tensor(spec_.word_embeddings), input_ids});
    if (spec_.has_token_types()) {
      std::string types = token_types;
      if (types.empty()) {  // the token type ids transformers uses by default: zeros
        const auto shape = b_.op("Shape", e + "/Shape_ids", {input_ids});
        types = b_.op("ConstantOfShape", e + "/zero_token_type_ids", {shape}, {attr_int64_tensor("value", {0})});
      }
      const auto te = b_.op("Gather", e + "/token_type_embeddings/Gather", {tensor(spec_.token_type_embeddings), types});
      x = b_.op("Add", e + "/Add", {x, te});
      b_.hint(x, kFloat, hidden_dims());
    }
    // position_ids = arange(max_position_embeddings)[None, :seq]
    std::vector<std::int64_t> positions(static_cast<size_t>(c.max_position_embeddings));
    for (size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<std::int64_t>(i);
    const auto pos_table = b_.int64_tensor("/embeddings/position_ids", {1, c.max_position_embeddings}, positions);
    const auto shape = b_.op("Shape", e + "/Shape", {input_ids});
    const auto seq = b_.op("Slice", e + "/seq_len", {shape, b_.int64_tensor(e + "/one_i", {1}, {1}),
                                                     b_.int64_tensor(e + "/two_i", {1}, {2})});
    const auto pos_ids = b_.op("Slice", e + "/position_ids/Slice",
                               {pos_table, b_.int64_tensor(e + "/zero_i", {1}, {0}), seq, b_.int64_tensor(e + "/axis1", {1}, {1})});
    b_.hint(pos_ids, kInt64, {"1", "sequence"});
    const auto pe = b_.op("Gather", e + "/position_embeddings/Gather", {tensor(spec_.position_embeddings), pos_ids});
    b_.hint(pe, kFloat, {"1", "sequence", std::to_string(c.hidden_size)});
    x = b_.op("Add", e + "/Add_1", {x, pe});
    b_.hint(x, kFloat, hidden_dims());
    x = norm(e + "/LayerNorm", x, spec_.embedding_norm, embedding_eps());

    // Additive mask [batch, 1, 1, seq]: 0 for tokens, -10000 for padding.
    // Two Unsqueezes, as transformers' mask[:, None, None, :] exports and as the seed's
    // optimizer (onnxruntime.transformers FusionAttention) matches.
    const auto m3 = b_.op("Unsqueeze", "/mask/Unsqueeze", {attention_mask, b_.int64_tensor("/mask/axis1", {1}, {1})});
    const auto m4 = b_.op("Unsqueeze", "/mask/Unsqueeze_1", {m3, b_.int64_tensor("/mask/axis2", {1}, {2})});
    const auto mf = b_.op("Cast", "/mask/Cast", {m4}, {attr_i("to", kFloat)});
    const auto inv = b_.op("Sub", "/mask/Sub", {b_.scalar("/mask/one", 1.0f), mf});
    const auto mask = b_.op("Mul", "/mask/Mul", {inv, b_.scalar("/mask/neg", -10000.0f)});

    const auto heads = c.num_heads, head_size = c.head_size();
    const auto split_shape = b_.int64_tensor("/attention/split_heads_shape", {4}, {0, 0, heads, head_size});
    const auto merge_shape = b_.int64_tensor("/attention/merge_heads_shape", {3}, {0, 0, c.hidden_size});
    const auto scale = b_.scalar("/attention/sqrt_head_size", static_cast<float>(std::sqrt(static_cast<double>(head_size))));
    for (size_t i = 0; i < spec_.layers.size(); ++i) {
      const auto& L = spec_.layers[i];
      const std::string p = "/encoder/layer." + std::to_string(i);
      auto heads_of = [&](const std::string& what, const LinearNames& l, std::vector<std::int64_t> perm) {
        const auto y = linear(p + "/attention/" + what, x, l);
        const auto r = b_.op("Reshape", p + "/attention/" + what + "/Reshape", {y, split_shape});
        return b_.op("Transpose", p + "/attention/" + what + "/Transpose", {r}, {attr_ints("perm", perm)});
      };
      const auto q = heads_of("query", L.query, {0, 2, 1, 3});  // [b, h, s, d]
      const auto k = heads_of("key", L.key, {0, 2, 3, 1});      // [b, h, d, s]
      const auto v = heads_of("value", L.value, {0, 2, 1, 3});  // [b, h, s, d]
      const auto qk = b_.op("MatMul", p + "/attention/MatMul", {q, k});
      const auto scaled = b_.op("Div", p + "/attention/Div", {qk, scale});
      const auto masked = b_.op("Add", p + "/attention/Add", {scaled, mask});
      const auto probs = b_.op("Softmax", p + "/attention/Softmax", {masked}, {attr_i("axis", -1)});
      const auto ctx = b_.op("MatMul", p + "/attention/MatMul_1", {probs, v});
      const auto ctx_t = b_.op("Transpose", p + "/attention/Transpose", {ctx}, {attr_ints("perm", {0, 2, 1, 3})});
      const auto merged = b_.op("Reshape", p + "/attention/Reshape", {ctx_t, merge_shape});
      const auto ao = linear(p + "/attention/output", merged, L.attention_output);
      const auto r1 = b_.op("Add", p + "/attention/residual", {ao, x});
      b_.hint(r1, kFloat, hidden_dims());
      x = norm(p + "/attention/LayerNorm", r1, L.attention_norm, layer_eps());
      const auto inter = activation(p + "/intermediate/act", linear(p + "/intermediate", x, L.intermediate));
      const auto out = linear(p + "/output", inter, L.output);
      const auto r2 = b_.op("Add", p + "/output/residual", {out, x});
      b_.hint(r2, kFloat, hidden_dims());
      x = norm(p + "/output/LayerNorm", r2, L.output_norm, layer_eps());
    }
    return x;
  }

  // [batch, seq, hidden] -> logits [batch, seq, vocab].
  std::string mlm_head(const std::string& hidden, const std::string& output_name) {
    const auto& h = *spec_.mlm_head;
    auto t = linear("/mlm/transform", hidden, h.transform);
    t = activation("/mlm/transform/act", t);
    t = norm("/mlm/transform/LayerNorm", t, h.norm, spec_.head_norm_eps);
    const auto mm = b_.op("MatMul", "/mlm/decoder/MatMul", {t, matmul_weight(h.decoder_weight)});
    return b_.op("Add", "/mlm/decoder/Add", {mm, tensor(h.decoder_bias)}, {}, output_name);
  }

  // The MLM head without its decoder bias: the transformed hidden states times the decoder,
  // [batch, sequence, hidden] -> [batch, sequence, vocab]; the bias is returned apart
  // (a [vocab] initializer) so that a pooled head can add it to [batch, vocab] only.
  std::pair<std::string, std::string> mlm_projection(const std::string& hidden) {
    const auto& h = *spec_.mlm_head;
    auto t = linear("/mlm/transform", hidden, h.transform);
    t = activation("/mlm/transform/act", t);
    t = norm("/mlm/transform/LayerNorm", t, h.norm, spec_.head_norm_eps);
    return {b_.op("MatMul", "/mlm/decoder/MatMul", {t, matmul_weight(h.decoder_weight)}), tensor(h.decoder_bias)};
  }

 private:
  std::vector<std::string> hidden_dims() const { return {"batch_size", "sequence", std::to_string(spec_.config.hidden_size)}; }
  double layer_eps() const { return spec_.config.layer_norm_eps; }
  double embedding_eps() const { return spec_.config.layer_norm_eps; }
  const ModelSpec& spec_;
  const hf::TensorStore& store_;
  GraphBuilder& b_;
};

}  // namespace

onnx::ModelProto build_onnx_model(const ModelSpec& spec, const hf::TensorStore& store, ConvertHead head, int opset,
                                  const std::map<std::string, std::string>& metadata, const SpladePooling& pooling) {
  if (opset < 14 || opset > 21)
    throw Error(ErrorCode::kInvalidArgument, "--opset " + std::to_string(opset) + ": expected 14 to 21 (17 is the default)");
  const bool needs_mlm = head != ConvertHead::kHidden;
  if (needs_mlm && !spec.mlm_head)
    throw Error(ErrorCode::kInvalidArgument,
                store.label() + ": the checkpoint has no masked-LM head (a bare " +
                    std::string(spec.config.arch == hf::Arch::kBert ? "BertModel" : "DistilBertModel") +
                    "), so --head " + head_name(head) + " cannot be built; use --head hidden");
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("splade.cpp");
  model.set_producer_version(version());
  auto* op = model.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  for (const auto& [k, v] : metadata) {
    auto* p = model.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  auto* g = model.mutable_graph();
  g->set_name(std::string(spec.config.model_type) + "_" + head_name(head));
  GraphBuilder b(g, opset);
  EncoderWriter w(spec, store, b);

  const bool splade = head == ConvertHead::kSplade || head == ConvertHead::kSpladePooled;
  const bool types_input = splade || spec.has_token_types();
  const std::vector<std::string> dims = {"batch_size", "sequence"};
  // Input order: the tokenizer's for the generic exports, Anserini's for the SPLADE heads.
  b.input("input_ids", kInt64, dims);
  if (!splade && types_input) b.input("token_type_ids", kInt64, dims);
  b.input("attention_mask", kInt64, dims);
  if (splade) b.input("token_type_ids", kInt64, dims);

  // The SPLADE heads follow SpladeExportWrapper: the model is called without
  // token_type_ids (so transformers uses zeros), and the input is kept alive by adding
  // token_type_ids.sum() * 0.0 to the output.
  const std::string types = (splade || !spec.has_token_types()) ? "" : "token_type_ids";
  const auto hidden = w.encoder("input_ids", "attention_mask", types);

  const auto H = std::to_string(spec.config.hidden_size), V = std::to_string(spec.config.vocab_size);
  switch (head) {
    case ConvertHead::kHidden: {
      b.op("Identity", "/last_hidden_state", {hidden}, {}, "last_hidden_state");
      b.output("last_hidden_state", kFloat, {"batch_size", "sequence", H});
      break;
    }
    case ConvertHead::kLogits: {
      w.mlm_head(hidden, "logits");
      b.output("logits", kFloat, {"batch_size", "sequence", V});
      break;
    }
    case ConvertHead::kSplade:
    case ConvertHead::kSpladePooled: {
      const bool twice = pooling.activation == SpladePooling::Activation::kLog1pRelu;
      auto log1p = [&](const std::string& x, const std::string& name) {
        return b.op("Log", name + "/Log", {b.op("Add", name + "/Add", {x, b.scalar(name + "/one", 1.0f)})});
      };
      const auto mask3 = b.op("Unsqueeze", "/splade/mask/Unsqueeze",
                              {"attention_mask", b.int64_tensor("/splade/mask/axes", {1}, {-1})});
      const auto maskf = b.op("Cast", "/splade/mask/Cast", {mask3}, {attr_i("to", kFloat)});  // [batch, seq, 1]
      std::string pooled;  // [batch, vocab]
      if (pooling.strategy == SpladePooling::Strategy::kMax) {
        // Pool first (ARCHITECTURE.md, "The SPLADE head"): max_t f(x_t + b) * m_t, f = log1p(relu)
        // (or log1p twice), equals f(max over unmasked t of x_t + b), because f and the
        // rounding of "+ b" are monotonic and every seed term is >= 0 (a masked one is 0). So
        // the [batch, sequence, vocab] product is passed over twice (a penalty add, ReduceMax)
        // instead of six times, and the bias and activation run on [batch, vocab] only.
        // Padding gets x + (-1e30), which rounds to -1e30 for any logit (|x| << 1e22), and
        // unmasked x + 0 is x exactly; an all-masked row pools to -1e30 + b, which relu makes
        // 0, as the seed's masked max does. (Add is measured 1.6x faster than Where(mask, x,
        // -inf) in ONNX Runtime 1.20.)
        const auto [projection, bias] = w.mlm_projection(hidden);
        const auto off = b.op("Sub", "/splade/mask/Sub", {maskf, b.scalar("/splade/mask/one", 1.0f)});
        const auto penalty = b.op("Mul", "/splade/mask/Penalty", {off, b.scalar("/splade/mask/big", 1e30f)});
        const auto masked = b.op("Add", "/splade/mask/Add", {projection, penalty});
        const auto max_raw = b.op("ReduceMax", "/splade/ReduceMax", {masked}, {attr_ints("axes", {1}), attr_i("keepdims", 0)});
        const auto relu = b.op("Relu", "/splade/Relu", {b.op("Add", "/splade/bias/Add", {max_raw, bias})});
        pooled = log1p(relu, "/splade/log1p");
        if (twice) pooled = log1p(pooled, "/splade/log1p_1");
      } else {
        // Sum pooling, as sentence-transformers' SpladePooling: f(x_t * m_t) summed over t.
        const auto logits = w.mlm_head(hidden, "");
        const auto relu = b.op("Relu", "/splade/Relu", {b.op("Mul", "/splade/mask/Mul", {logits, maskf})});
        auto act = log1p(relu, "/splade/log1p");
        if (twice) act = log1p(act, "/splade/log1p_1");
        pooled = b.op("ReduceSum", "/splade/ReduceSum", {act, b.int64_tensor("/splade/sum/axes", {1}, {1})},
                      {attr_i("keepdims", 0)});
      }
      const auto type_sum = b.op("ReduceSum", "/splade/dummy/ReduceSum", {"token_type_ids"}, {attr_i("keepdims", 0)});
      const auto type_sum_f = b.op("Cast", "/splade/dummy/Cast", {type_sum}, {attr_i("to", kFloat)});
      const auto dummy = b.op("Mul", "/splade/dummy/Mul", {type_sum_f, b.scalar("/splade/dummy/zero", 0.0f)});
      if (head == ConvertHead::kSpladePooled) {
        b.op("Add", "/splade/sparse_vector", {pooled, dummy}, {}, "sparse_vector");
        b.output("sparse_vector", kFloat, {"batch_size", V});
      } else {
        // nonzero(as_tuple=True): [2, n] -> output_idx = the vocab ids, output_weights = values.
        const auto nz = b.op("NonZero", "/splade/NonZero", {pooled});
        b.op("Gather", "/splade/output_idx", {nz, b.int64_tensor("/splade/one", {}, {1})}, {attr_i("axis", 0)},
             "output_idx");
        const auto nz_t = b.op("Transpose", "/splade/Transpose", {nz}, {attr_ints("perm", {1, 0})});
        const auto values = b.op("GatherND", "/splade/GatherND", {pooled, nz_t});
        b.op("Add", "/splade/output_weights", {values, dummy}, {}, "output_weights");
        b.output("output_idx", kInt64, {"num_nonzero"});
        b.output("output_weights", kFloat, {"num_nonzero"});
      }
      break;
    }
  }
  return model;
}

}  // namespace splade::convert
