// The fused SPLADE head: out[b, v] = f(max over the unmasked tokens t of hidden[b, t] . W[:, v]
// + bias[v]), f = log1p(relu(.)) (once or twice), computed a text times a block of vocabulary
// columns at a time, each product reduced to its running max while it is in registers (the
// AVX-512 or AVX2 kernels) or in cache (OpenBLAS sgemm over 128-token blocks, elsewhere).
// Padding rows are never multiplied.
//
// An int8 decoder runs the same way on integers held in float: hidden = x_q - x_zp and
// W = W_q - W_zp, so each product sum is the int32 that MatMulInteger computes. A float sum
// of integers is exact while every partial sum stays within 2^24, so the hidden dimension is
// cut into chunks short enough for that, and the chunks' sums are added in int32. The max is
// then scaled per column (x_scale * W_scale[v], as dynamic quantization's Mul does; a positive
// scale commutes with the max). With VNNI, pool_quantized() takes x_q as it comes instead
// (avx512_column_max.h); every path gives the same integers.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "encode/fused_head/avx512_column_max.h"

namespace splade::encode {

// How the products are computed: kAuto takes the fastest kernels this CPU runs (AVX-512, with
// VNNI for int8 decoders that fit int8: avx512_column_max.h; else AVX2: avx2_column_max.h),
// else OpenBLAS; kAvx2 stops at AVX2 and kBlas always takes OpenBLAS (for tests and benchmarks).
enum class HeadKernel { kAuto, kAvx2, kBlas };

class SpladeHead {
 public:
  // weight [hidden, vocab] row-major, bias [vocab]; threads: 0 = one per core.
  // integer_max_product > 0: the operands are integers and |hidden * weight| never exceeds it
  // (int8 decoders: both in [-255, 255]).
  SpladeHead(std::vector<float> weight, std::vector<float> bias, std::int64_t hidden, int log1p_count, int threads,
             std::int64_t integer_max_product = 0, HeadKernel kernel = HeadKernel::kAuto);

  // "avx512 fp32 (FMA)", "avx512 vnni (vpdpbusd)", "avx2 fp32 (FMA)", "avx2 int16 (vpmaddwd)",
  // "OpenBLAS sgemm": for summaries (an integer head: the kernel pool_quantized runs).
  const char* kernel_name() const;
  std::int64_t vocab() const { return vocab_; }
  // How many rows of W one exact float sgemm sums (hidden for an fp32 head).
  std::int64_t exact_chunk() const { return chunk_; }
  // hidden: [batch, seq, hidden] float; lengths[b]: how many leading tokens of row b are
  // unmasked (the rest is padding); column_scale: [vocab] or nullptr (1). out: [batch, vocab];
  // a row with length 0 is all zeros.
  void pool(const float* hidden, std::int64_t batch, std::int64_t seq, const std::vector<std::int64_t>& lengths,
            const float* column_scale, float* out) const;
  // An int8 decoder's head (integer_max_product > 0) on DynamicQuantizeLinear's outputs:
  // x_q [batch, seq, hidden] uint8, its zero point and scale; weight_scale [vocab] (W_scale per
  // column). The same as pool() on x_q - x_zp with column_scale = x_scale * weight_scale.
  void pool_quantized(const std::uint8_t* x_q, std::uint8_t x_zero_point, float x_scale, const float* weight_scale,
                      std::int64_t batch, std::int64_t seq, const std::vector<std::int64_t>& lengths, float* out) const;

 private:
  enum class Path { kBlas, kAvx2, kAvx512, kVnni };
  // The operands of one call: float rows (hidden), int16 rows of avx2::int16_row(hidden)
  // (hidden16), or uint8 rows of x_q with their zero point (VNNI); the others are nullptr.
  struct Operands {
    const float* hidden = nullptr;
    const std::int16_t* hidden16 = nullptr;
    const std::uint8_t* x_q = nullptr;
    std::int64_t x_q_stride = 0;
    std::int32_t x_zero_point = 0;
    const std::int32_t* row_sums = nullptr;  // VNNI with offset columns: sum over hidden of each x_q row
  };
  void run(Path path, const Operands& in, std::int64_t batch, std::int64_t seq, const std::vector<std::int64_t>& lengths,
           const float* column_scale, float* out) const;
  // The int16 panels, for pool() on an integer head whose panels are VNNI's (made once, from them).
  const std::vector<std::int16_t>& int16_panels() const;

  std::vector<float> weight_, bias_;  // weight_: only for OpenBLAS (the panels replace it)
  std::int64_t hidden_ = 0, vocab_ = 0;
  int log1p_count_ = 1;
  int threads_ = 1;
  bool integer_ = false;
  std::int64_t chunk_ = 0;
  Path path_ = Path::kBlas;  // fp32 heads: how pool() runs; integer heads: how pool_quantized() runs
  std::vector<float> panels_fp32_;           // kAvx2, kAvx512 (the same layout)
  std::optional<avx512::Int8Panels> panels_int8_;  // kVnni
  std::vector<std::int32_t> column_sums_;    // kVnni: sum over hidden of each column
  mutable std::once_flag int16_once_;
  mutable std::vector<std::int16_t> panels_int16_;  // integer heads on AVX2 (made at once there, lazily under kVnni)
};

}  // namespace splade::encode
