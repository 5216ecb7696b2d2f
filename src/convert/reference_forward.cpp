#include "convert/reference_forward.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "splade/error.h"

namespace splade::convert {
namespace {

// Runs fn(begin, end) over [0, n) split across `threads` threads.
template <class Fn>
void parallel_for(std::int64_t n, int threads, Fn fn) {
  const std::int64_t t = std::max<std::int64_t>(1, std::min<std::int64_t>(threads, n));
  if (t == 1) {
    fn(std::int64_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  for (std::int64_t k = 0; k < t; ++k) pool.emplace_back(fn, n * k / t, n * (k + 1) / t);
  for (auto& th : pool) th.join();
}

constexpr int kRows = 8;  // rows of x handled together: their 8 sums vectorize, each stays sequential
constexpr int kOuts = 4;  // weight rows handled together: 4 independent chains hide the FMA latency

// acc[k * kRows + r] = sum_i xt[i * kRows + r] * w[k][i], each sum in the order i = 0..n-1
// (nothing is reassociated; only FMA contraction differs between instruction sets).
__attribute__((target_clones("avx512f", "avx2", "default"))) void dot_rows(const double* xt, const float* const* w,
                                                                            std::int64_t n, double* acc) {
  double a[kOuts][kRows] = {};
  for (std::int64_t i = 0; i < n; ++i) {
    const double* x = xt + i * kRows;
    for (int k = 0; k < kOuts; ++k) {
      const double wi = w[k][i];
      for (int r = 0; r < kRows; ++r) a[k][r] += x[r] * wi;
    }
  }
  for (int k = 0; k < kOuts; ++k)
    for (int r = 0; r < kRows; ++r) acc[k * kRows + r] = a[k][r];
}

}  // namespace

ReferenceModel::ReferenceModel(const ModelSpec& spec, const hf::TensorStore& store, int threads)
    : spec_(spec), store_(store), threads_(threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency())) {
  word_ = load(spec.word_embeddings);
  position_ = load(spec.position_embeddings);
  if (spec.has_token_types()) token_type_ = load(spec.token_type_embeddings);
  emb_norm_ = norm(spec.embedding_norm);
  for (const auto& L : spec.layers) {
    Layer l;
    l.q = linear(L.query);
    l.k = linear(L.key);
    l.v = linear(L.value);
    l.o = linear(L.attention_output);
    l.attn_norm = norm(L.attention_norm);
    l.inter = linear(L.intermediate);
    l.out = linear(L.output);
    l.out_norm = norm(L.output_norm);
    layers_.push_back(l);
  }
  if (spec.mlm_head) {
    transform_ = linear(spec.mlm_head->transform);
    head_norm_ = norm(spec.mlm_head->norm);
    decoder_ = linear({spec.mlm_head->decoder_weight, spec.mlm_head->decoder_bias});
  }
}

const std::vector<float>* ReferenceModel::load(const std::string& name) {
  auto it = weights_.find(name);
  if (it != weights_.end()) return &it->second;
  const auto& t = store_.at(name);
  auto values = store_.to_float(t);
  store_.release(t);
  return &weights_.emplace(name, std::move(values)).first->second;
}

ReferenceModel::Linear ReferenceModel::linear(const LinearNames& n) {
  Linear l;
  l.w = load(n.weight);
  l.b = load(n.bias);
  const auto& t = store_.at(n.weight);
  l.out = t.shape[0];
  l.in = t.shape[1];
  return l;
}

ReferenceModel::Norm ReferenceModel::norm(const NormNames& n) { return {load(n.weight), load(n.bias)}; }

std::vector<double> ReferenceModel::apply(const Linear& l, const std::vector<double>& x, std::int64_t rows) const {
  std::vector<double> y(static_cast<size_t>(rows * l.out));
  const std::int64_t blocks = (rows + kRows - 1) / kRows;
  // x in blocks of kRows rows, transposed so the kRows values of one input feature are adjacent.
  std::vector<double> xt(static_cast<size_t>(blocks * l.in * kRows), 0.0);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < l.in; ++i) xt[((r / kRows) * l.in + i) * kRows + r % kRows] = x[r * l.in + i];
  parallel_for(l.out, threads_, [&](std::int64_t o0, std::int64_t o1) {
    // Tiles of kTile weight rows stay in cache while every block of x streams past them.
    constexpr std::int64_t kTile = 128;
    double acc[kOuts * kRows];
    const float* w[kOuts];
    for (std::int64_t t0 = o0; t0 < o1; t0 += kTile) {
      const std::int64_t t1 = std::min(o1, t0 + kTile);
      for (std::int64_t blk = 0; blk < blocks; ++blk) {
        for (std::int64_t o = t0; o < t1; o += kOuts) {
          // Past the end of the tile, repeat its last row (computed, not stored).
          for (int k = 0; k < kOuts; ++k) w[k] = l.w->data() + std::min(o + k, t1 - 1) * l.in;
          dot_rows(xt.data() + blk * l.in * kRows, w, l.in, acc);
          for (int k = 0; k < kOuts && o + k < t1; ++k) {
            const double bias = (*l.b)[o + k];
            for (int r = 0; r < kRows && blk * kRows + r < rows; ++r)
              y[(blk * kRows + r) * l.out + o + k] = acc[k * kRows + r] + bias;
          }
        }
      }
    }
  });
  return y;
}

void ReferenceModel::layer_norm(std::vector<double>& x, std::int64_t rows, const Norm& n, double eps) const {
  const auto H = spec_.config.hidden_size;
  for (std::int64_t r = 0; r < rows; ++r) {
    double* v = x.data() + r * H;
    double mean = 0;
    for (std::int64_t i = 0; i < H; ++i) mean += v[i];
    mean /= static_cast<double>(H);
    double var = 0;
    for (std::int64_t i = 0; i < H; ++i) var += (v[i] - mean) * (v[i] - mean);
    var /= static_cast<double>(H);
    const double inv = 1.0 / std::sqrt(var + eps);
    for (std::int64_t i = 0; i < H; ++i) v[i] = (v[i] - mean) * inv * (*n.g)[i] + (*n.b)[i];
  }
}

void ReferenceModel::activate(std::vector<double>& x) const {
  switch (spec_.config.activation) {
    case hf::Activation::kRelu:
      for (auto& v : x) v = v > 0 ? v : 0;
      break;
    case hf::Activation::kGelu:
      for (auto& v : x) v = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
      break;
    case hf::Activation::kGeluTanh:
      for (auto& v : x) v = 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
      break;
  }
}

std::vector<double> ReferenceModel::hidden(const TokenBatch& in, bool use_token_types) const {
  const auto& c = spec_.config;
  const auto B = in.batch, S = in.seq, H = c.hidden_size, rows = B * S;
  if (S > c.max_position_embeddings)
    throw Error(ErrorCode::kInvalidArgument, "reference: sequence of " + std::to_string(S) + " tokens is longer than " +
                                                 "max_position_embeddings " + std::to_string(c.max_position_embeddings));
  std::vector<double> x(static_cast<size_t>(rows * H));
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto id = in.input_ids[r];
    if (id < 0 || id >= c.vocab_size) throw Error(ErrorCode::kInvalidArgument, "reference: token id out of range");
    const auto pos = r % S;
    const auto type = use_token_types && token_type_ ? in.token_type_ids[r] : 0;
    for (std::int64_t i = 0; i < H; ++i) {
      double v = (*word_)[id * H + i];
      if (token_type_) v += (*token_type_)[type * H + i];
      v += (*position_)[pos * H + i];
      x[r * H + i] = v;
    }
  }
  layer_norm(x, rows, emb_norm_, c.layer_norm_eps);

  const auto heads = c.num_heads, D = c.head_size();
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  for (const auto& L : layers_) {
    const auto q = apply(L.q, x, rows), k = apply(L.k, x, rows), v = apply(L.v, x, rows);
    std::vector<double> ctx(static_cast<size_t>(rows * H), 0.0);
    parallel_for(B * heads, threads_, [&](std::int64_t j0, std::int64_t j1) {
      std::vector<double> p(static_cast<size_t>(S));
      for (std::int64_t j = j0; j < j1; ++j) {
        const auto b = j / heads, h = j % heads;
        for (std::int64_t s = 0; s < S; ++s) {
          // Softmax over the unmasked keys only (exactly what -inf masking gives).
          double m = -std::numeric_limits<double>::infinity();
          for (std::int64_t t = 0; t < S; ++t) {
            if (!in.attention_mask[b * S + t]) continue;
            double dot = 0;
            for (std::int64_t d = 0; d < D; ++d) dot += q[(b * S + s) * H + h * D + d] * k[(b * S + t) * H + h * D + d];
            p[t] = dot * scale;
            m = std::max(m, p[t]);
          }
          double sum = 0;
          for (std::int64_t t = 0; t < S; ++t) {
            p[t] = in.attention_mask[b * S + t] ? std::exp(p[t] - m) : 0.0;
            sum += p[t];
          }
          double* out = ctx.data() + (b * S + s) * H + h * D;
          for (std::int64_t t = 0; t < S; ++t) {
            if (p[t] == 0.0) continue;
            const double w = p[t] / sum;
            for (std::int64_t d = 0; d < D; ++d) out[d] += w * v[(b * S + t) * H + h * D + d];
          }
        }
      }
    });
    auto a = apply(L.o, ctx, rows);
    for (size_t i = 0; i < a.size(); ++i) a[i] += x[i];
    layer_norm(a, rows, L.attn_norm, c.layer_norm_eps);
    auto f = apply(L.inter, a, rows);
    activate(f);
    auto o = apply(L.out, f, rows);
    for (size_t i = 0; i < o.size(); ++i) o[i] += a[i];
    layer_norm(o, rows, L.out_norm, c.layer_norm_eps);
    x = std::move(o);
  }
  return x;
}

std::vector<double> ReferenceModel::logits(const std::vector<double>& hidden, std::int64_t rows) const {
  if (!spec_.mlm_head) throw Error(ErrorCode::kInvalidArgument, "reference: the checkpoint has no masked-LM head");
  auto t = apply(transform_, hidden, rows);
  activate(t);
  layer_norm(t, rows, head_norm_, spec_.head_norm_eps);
  return apply(decoder_, t, rows);
}

std::vector<double> ReferenceModel::splade_pooled(const std::vector<double>& logits, const TokenBatch& in,
                                                  const SpladePooling& pooling) const {
  const auto V = spec_.config.vocab_size;
  const bool sum = pooling.strategy == SpladePooling::Strategy::kSum;
  const bool twice = pooling.activation == SpladePooling::Activation::kLog1pRelu;
  std::vector<double> pooled(static_cast<size_t>(in.batch * V), 0.0);
  for (std::int64_t b = 0; b < in.batch; ++b) {
    double* out = pooled.data() + b * V;
    if (!sum)
      for (std::int64_t v = 0; v < V; ++v) out[v] = -std::numeric_limits<double>::infinity();
    for (std::int64_t s = 0; s < in.seq; ++s) {
      const double m = static_cast<double>(in.attention_mask[b * in.seq + s]);
      const double* l = logits.data() + (b * in.seq + s) * V;
      for (std::int64_t v = 0; v < V; ++v) {
        double a = std::log1p(std::max(l[v] * m, 0.0));
        if (twice) a = std::log1p(a);
        out[v] = sum ? out[v] + a : std::max(out[v], a);
      }
    }
  }
  return pooled;
}

}  // namespace splade::convert
