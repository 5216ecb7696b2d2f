#include "encode/fused_head/splade_head.h"

#include "encode/fused_head/avx2_column_max.h"
#include "encode/fused_head/avx512_column_max.h"
#include "splade/error.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>

namespace splade::encode {
namespace {

// A block of 128 tokens x 1024 vocabulary columns is a 512 KB product: it stays in L2 while
// its column maxima are taken. (Measured on SPLADE-tiny, AMD EPYC: see BENCHMARKS.md.)
constexpr std::int64_t kTokenBlock = 128;
constexpr std::int64_t kVocabBlock = 1024;
static_assert(kVocabBlock % avx2::kPanel == 0 && kVocabBlock % avx512::kPanel == 0);
// Every integer up to 2^24 is a float.
constexpr std::int64_t kExactFloatIntegers = std::int64_t{1} << 24;

// int8 panels (avx512::pack_int8) re-laid as int16 pairs (avx2::pack_int16), without the weights.
std::vector<std::int16_t> int16_from_int8(const avx512::Int8Panels& p8, std::int64_t k, std::int64_t v) {
  const std::int64_t panels = (v + avx2::kPanel - 1) / avx2::kPanel, pairs = (k + 1) / 2,
                     quads = avx512::quad_row(k) / 4;
  std::vector<std::int16_t> out(static_cast<std::size_t>(panels * pairs * avx2::kPanel * 2), 0);
  for (std::int64_t p = 0; p < panels; ++p)
    for (std::int64_t r = 0; r < k; ++r)
      for (std::int64_t c = 0; c < avx2::kPanel; ++c)
        out[static_cast<std::size_t>(((p * pairs + r / 2) * avx2::kPanel + c) * 2 + r % 2)] =
            static_cast<std::int16_t>(p8.weights[static_cast<std::size_t>(((p * quads + r / 4) * avx512::kPanel + c) * 4 + r % 4)] +
                                      p8.offsets[static_cast<std::size_t>(p * avx512::kPanel + c)]);
  return out;
}

}  // namespace

SpladeHead::SpladeHead(std::vector<float> weight, std::vector<float> bias, std::int64_t hidden, int log1p_count,
                       int threads, std::int64_t integer_max_product, HeadKernel kernel)
    : weight_(std::move(weight)), bias_(std::move(bias)), hidden_(hidden),
      vocab_(static_cast<std::int64_t>(bias_.size())), log1p_count_(log1p_count),
      threads_(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
      integer_(integer_max_product > 0),
      chunk_(integer_ ? std::clamp<std::int64_t>(kExactFloatIntegers / integer_max_product, 1, hidden) : hidden) {
  // The head runs one sgemm per thread of its own; OpenBLAS' own threads would only contend
  // with them (this is process-wide: OpenBLAS has no per-call thread count before 0.3.27).
  openblas_set_num_threads(1);
  // int16 operands: integers within [-32768, 32767] (int8 decoders: [-255, 255]); the int32
  // sums cannot overflow while hidden * max product < 2^31.
  const bool int16_fits = integer_max_product <= 255 * 255 && hidden_ * integer_max_product < (std::int64_t{1} << 31);
  const bool avx2 = kernel != HeadKernel::kBlas && avx2::available() && (!integer_ || int16_fits);
  const bool avx512 = kernel == HeadKernel::kAuto && avx512::available();
  if (!integer_) {
    path_ = avx512 ? Path::kAvx512 : avx2 ? Path::kAvx2 : Path::kBlas;
    if (path_ != Path::kBlas) panels_fp32_ = avx2::pack_fp32(weight_, hidden_, vocab_);  // one layout for both
  } else if (kernel == HeadKernel::kAuto && avx512::vnni_available() && int16_fits &&
             (panels_int8_ = avx512::pack_int8(weight_, hidden_, vocab_))) {
    // x_q (uint8) times W - offset (int8): every sum within hidden * 255 * 255 < 2^31 (int16_fits).
    path_ = Path::kVnni;
    column_sums_ = avx512::column_sums(weight_, hidden_, vocab_);
  } else if (avx2) {
    path_ = Path::kAvx2;
    panels_int16_ = avx2::pack_int16(weight_, hidden_, vocab_);
  }
  if (path_ != Path::kBlas) std::vector<float>().swap(weight_);  // the panels replace it
}

const char* SpladeHead::kernel_name() const {
  switch (path_) {
    case Path::kVnni: return "avx512 vnni (vpdpbusd)";
    case Path::kAvx512: return "avx512 fp32 (FMA)";
    case Path::kAvx2: return integer_ ? "avx2 int16 (vpmaddwd)" : "avx2 fp32 (FMA)";
    case Path::kBlas: break;
  }
  return "OpenBLAS sgemm";
}

const std::vector<std::int16_t>& SpladeHead::int16_panels() const {
  if (path_ == Path::kVnni) std::call_once(int16_once_, [&] { panels_int16_ = int16_from_int8(*panels_int8_, hidden_, vocab_); });
  return panels_int16_;
}

// Integer operands in int16 rows, as the AVX2 kernel pairs them (padded to an even length).
static std::vector<std::int16_t> int16_rows(std::int64_t rows, std::int64_t hidden, auto value) {
  const std::int64_t row16 = avx2::int16_row(hidden);
  std::vector<std::int16_t> out(static_cast<std::size_t>(rows * row16), 0);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t h = 0; h < hidden; ++h)
      out[static_cast<std::size_t>(r * row16 + h)] = static_cast<std::int16_t>(value(r * hidden + h));
  return out;
}

void SpladeHead::pool(const float* hidden, std::int64_t batch, std::int64_t seq,
                      const std::vector<std::int64_t>& lengths, const float* column_scale, float* out) const {
  if (!integer_ || path_ == Path::kBlas) return run(path_, {.hidden = hidden}, batch, seq, lengths, column_scale, out);
  // An integer head on AVX2 or VNNI panels: pool()'s operands (x_q - x_zp, in [-255, 255]) are
  // not uint8, so they run on the int16 kernel.
  const auto rows16 = int16_rows(batch * seq, hidden_, [&](std::int64_t i) { return hidden[i]; });
  run(Path::kAvx2, {.hidden16 = rows16.data()}, batch, seq, lengths, column_scale, out);
}

void SpladeHead::pool_quantized(const std::uint8_t* x_q, std::uint8_t x_zero_point, float x_scale,
                                const float* weight_scale, std::int64_t batch, std::int64_t seq,
                                const std::vector<std::int64_t>& lengths, float* out) const {
  if (!integer_)
    throw Error(ErrorCode::kInvalidArgument, "SpladeHead::pool_quantized: this head was built for fp32 operands, not int8");
  // Dynamic quantization's Mul(x_scale, W_scale), per column.
  std::vector<float> scale(static_cast<std::size_t>(vocab_));
  for (std::size_t v = 0; v < scale.size(); ++v) scale[v] = x_scale * weight_scale[v];
  const std::int64_t rows = batch * seq;
  const int zp = x_zero_point;
  if (path_ == Path::kVnni) {
    // x_q as it comes, unless its rows need padding to whole quads; each token's sum of x_q
    // where the panels hold offset columns.
    const std::int64_t row4 = avx512::quad_row(hidden_);
    std::vector<std::uint8_t> padded;
    if (row4 != hidden_) {
      padded.assign(static_cast<std::size_t>(rows * row4), 0);
      for (std::int64_t r = 0; r < rows; ++r) std::copy_n(x_q + r * hidden_, hidden_, padded.begin() + r * row4);
    }
    std::vector<std::int32_t> row_sums;
    if (panels_int8_->any_offset) {
      row_sums.resize(static_cast<std::size_t>(rows));
      for (std::int64_t r = 0; r < rows; ++r)
        row_sums[static_cast<std::size_t>(r)] = std::accumulate(x_q + r * hidden_, x_q + (r + 1) * hidden_, 0);
    }
    return run(path_,
               {.x_q = padded.empty() ? x_q : padded.data(), .x_q_stride = row4, .x_zero_point = zp,
                .row_sums = row_sums.empty() ? nullptr : row_sums.data()},
               batch, seq, lengths, scale.data(), out);
  }
  // MatMulInteger's operands x_q - x_zp, built once in the form the kernel reads.
  if (path_ == Path::kAvx2) {
    const auto centered = int16_rows(rows, hidden_, [&](std::int64_t i) { return x_q[i] - zp; });
    return run(path_, {.hidden16 = centered.data()}, batch, seq, lengths, scale.data(), out);
  }
  std::vector<float> centered(static_cast<std::size_t>(rows * hidden_));
  for (std::size_t i = 0; i < centered.size(); ++i) centered[i] = static_cast<float>(x_q[i] - zp);
  run(path_, {.hidden = centered.data()}, batch, seq, lengths, scale.data(), out);
}

void SpladeHead::run(Path path, const Operands& in, std::int64_t batch, std::int64_t seq,
                     const std::vector<std::int64_t>& lengths, const float* column_scale, float* out) const {
  const std::int64_t blocks = (vocab_ + kVocabBlock - 1) / kVocabBlock;
  // One work item: a text times a vocabulary block, taken block by block (every text of the
  // batch, then the next block). A block's panels (1,024 columns: 512 KB fp32 for hidden 128)
  // then stay in cache for the batch's texts; taken text by text, every text streamed the
  // whole decoder (15.6 MB for SPLADE-tiny) from memory, which bound a batch of short queries.
  // Each item computes the same as before: only their order changed.
  const std::int64_t items = batch * blocks;
  const bool chunked = chunk_ < hidden_;
  const std::int64_t row16 = avx2::int16_row(hidden_);
  const std::int16_t* panels16 = path == Path::kAvx2 && integer_ ? int16_panels().data() : nullptr;
  std::atomic<std::int64_t> next{0};
  auto worker = [&] {
    // The register kernels write one row of column maxima; OpenBLAS a block of products. (Sized
    // to what the path needs: a query's whole head takes about a millisecond, and zeroing and
    // faulting in a megabyte a call would be a fifth of it.)
    const bool blas = path == Path::kBlas;
    std::vector<float> product(static_cast<std::size_t>(blas ? kTokenBlock * kVocabBlock : kVocabBlock));
    std::vector<std::int32_t> sums(!blas ? kVocabBlock : chunked ? product.size() : 0);
    for (std::int64_t item; (item = next.fetch_add(1)) < items;) {
      const std::int64_t b = item % batch, v0 = (item / batch) * kVocabBlock;
      const std::int64_t width = std::min(kVocabBlock, vocab_ - v0);
      float* row = out + b * vocab_ + v0;
      std::fill(row, row + width, -std::numeric_limits<float>::infinity());
      const std::int64_t n = std::min(lengths[static_cast<std::size_t>(b)], seq);
      const std::int64_t p0 = v0 / avx2::kPanel, p1 = (v0 + width + avx2::kPanel - 1) / avx2::kPanel;
      // MatMulInteger's int32, cast to float (a monotonic rounding: it commutes with the max).
      auto integer_row = [&] {
        for (std::int64_t j = 0; j < width; ++j) row[j] = static_cast<float>(sums[static_cast<std::size_t>(j)]);
      };
      if (!blas && n > 0) {
        switch (path) {
          case Path::kVnni:
            avx512::column_max_u8s8(in.x_q + b * seq * in.x_q_stride, n, hidden_, in.x_q_stride, in.x_zero_point,
                                    panels_int8_->weights.data(),
                                    in.row_sums ? panels_int8_->offsets.data() : nullptr,
                                    in.row_sums ? in.row_sums + b * seq : nullptr, column_sums_.data(), p0, p1,
                                    sums.data());
            integer_row();
            break;
          case Path::kAvx512:
            avx512::column_max_fp32(in.hidden + b * seq * hidden_, n, hidden_, panels_fp32_.data(), p0, p1, product.data());
            std::copy(product.begin(), product.begin() + width, row);
            break;
          case Path::kAvx2:
            if (integer_) {
              avx2::column_max_int16(in.hidden16 + b * seq * row16, n, hidden_, panels16, p0, p1, sums.data());
              integer_row();
            } else {
              avx2::column_max_fp32(in.hidden + b * seq * hidden_, n, hidden_, panels_fp32_.data(), p0, p1, product.data());
              std::copy(product.begin(), product.begin() + width, row);
            }
            break;
          case Path::kBlas: break;
        }
      }
      for (std::int64_t t0 = 0; blas && t0 < n; t0 += kTokenBlock) {
        const std::int64_t rows = std::min(kTokenBlock, n - t0);
        // product[rows, width] = hidden[b, t0:t0+rows, k0:k0+depth] x W[k0:k0+depth, v0:v0+width]
        auto multiply = [&](std::int64_t k0, std::int64_t depth) {
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rows), static_cast<int>(width),
                      static_cast<int>(depth), 1.0f, in.hidden + (b * seq + t0) * hidden_ + k0, static_cast<int>(hidden_),
                      weight_.data() + k0 * vocab_ + v0, static_cast<int>(vocab_), 0.0f, product.data(),
                      static_cast<int>(width));
        };
        const std::size_t cells = static_cast<std::size_t>(rows * width);
        if (chunked) {
          std::fill(sums.begin(), sums.begin() + static_cast<std::ptrdiff_t>(cells), 0);
          for (std::int64_t k0 = 0; k0 < hidden_; k0 += chunk_) {
            multiply(k0, std::min(chunk_, hidden_ - k0));
            for (std::size_t c = 0; c < cells; ++c) sums[c] += static_cast<std::int32_t>(product[c]);
          }
          for (std::size_t c = 0; c < cells; ++c) product[c] = static_cast<float>(sums[c]);
        } else {
          multiply(0, hidden_);
        }
        for (std::int64_t r = 0; r < rows; ++r) {
          const float* p = product.data() + r * width;
          for (std::int64_t j = 0; j < width; ++j) row[j] = std::max(row[j], p[j]);
        }
      }
      // Scale, then bias after the max (both are constant over tokens), then the activation;
      // an empty row (-inf) becomes 0, as the seed's masked max gives.
      for (std::int64_t j = 0; j < width; ++j) {
        const std::size_t v = static_cast<std::size_t>(v0 + j);
        const float logit = column_scale && n > 0 ? row[j] * column_scale[v] : row[j];
        float x = std::max(logit + bias_[v], 0.0f);
        // log1p(0) = 0: most of a vocabulary block is zero here, and log1p is not cheap.
        for (int k = 0; k < log1p_count_ && x > 0.0f; ++k) x = std::log1p(x);
        row[j] = x;
      }
    }
  };
  const int n_threads = static_cast<int>(std::min<std::int64_t>(threads_, items));
  std::vector<std::thread> pool;
  for (int i = 1; i < n_threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

}  // namespace splade::encode
