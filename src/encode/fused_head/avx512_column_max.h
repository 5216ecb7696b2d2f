// The fused head's inner kernels on x86-64 with AVX-512 (chosen at run time where the CPU has
// it; avx2_column_max.h elsewhere). The same contract as the AVX2 kernels: for one text's token
// rows and a range of 16-column panels, the max over the rows of each column's dot product,
// taken while the dot products are in registers (tiles of up to 6 rows x 4 panels, 24 zmm
// accumulators), never stored.
//
// fp32: the panels are avx2::pack_fp32's ([K][16] floats a panel, one zmm a row of a panel).
// Each column's sum runs over K in the same order, from 0, with one FMA a step, as the AVX2
// kernel's: the two kernels give the same bits (tested), only twice as many columns a cycle.
//
// int8 with VNNI (vpdpbusd: four uint8 x int8 products added into an int32 lane, without
// saturation): the rows are DynamicQuantizeLinear's x_q as they come (uint8), the panels hold
// w = W_q - W_zp, less a per-column offset o where w does not fit int8 (QUInt8 weights, the
// portable format). Sum_k (x_q - x_zp) * w = Sum_k x_q * (w - o) + o * Sum_k x_q - x_zp * Sum_k w:
// the middle term is per token and column (added before the max), the last is constant over
// the tokens (applied to the max once per column). The result is MatMulInteger's int32 max, bit
// for bit, the same integers the AVX2 int16 kernel gives (tested).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace splade::encode::avx512 {

constexpr std::int64_t kPanel = 16;  // vocabulary columns a panel (one zmm of int32 or float)

// avx512f/bw/dq/vl with OS-saved ZMM state; and VNNI on top of it.
bool available();
bool vnni_available();

// out[(p - p0) * 16 + c] = max over r < n of a[r * k .. +k] . column c of panel p, p in [p0, p1);
// -inf when n = 0. panels: avx2::pack_fp32's layout.
void column_max_fp32(const float* a, std::int64_t n, std::int64_t k, const float* panels, std::int64_t p0,
                     std::int64_t p1, float* out);

// K rounded up to whole quads (vpdpbusd takes four K at a time).
inline std::int64_t quad_row(std::int64_t k) { return (k + 3) / 4 * 4; }
// W [K, V] of integers (held in float) whose every column spans at most 256 values (any 8-bit
// weight less its zero point: QInt8's [-127, 127], QUInt8's W_q - W_zp in [-255, 255]), as int8
// panels: column c holds W[:, c] - offsets[c], offsets[c] = 0 where the column is within
// [-128, 127] already, else min(W[:, c]) + 128. weights: ceil(V / 16) panels of
// [quad_row(K) / 4 quads][16 columns][4] int8 (rows past K and columns past V: 0); offsets:
// [ceil(V / 16) * 16] int32. nullopt when a column spans more.
struct Int8Panels {
  std::vector<std::int8_t> weights;
  std::vector<std::int32_t> offsets;
  bool any_offset = false;
};
std::optional<Int8Panels> pack_int8(const std::vector<float>& w, std::int64_t k, std::int64_t v);
// Sum over K of each column of W: [ceil(V / 16) * 16] int32 (0 past V).
std::vector<std::int32_t> column_sums(const std::vector<float>& w, std::int64_t k, std::int64_t v);

// out[(p - p0) * 16 + c] = max over r < n of sum_k (x_q[r * stride + k] - zero_point) * W[k, c]
// for the columns of panels [p0, p1); x_q rows hold quad_row(k) bytes (past k: any value, the
// panels are 0 there) at a distance of `stride`. panels, offsets: pack_int8's (offsets nullptr
// when all are 0); row_sums[r] = sum_k x_q[r, k] (read only with offsets); sums: column_sums of
// W. INT32_MIN when n = 0.
void column_max_u8s8(const std::uint8_t* x_q, std::int64_t n, std::int64_t k, std::int64_t stride,
                     std::int32_t zero_point, const std::int8_t* panels, const std::int32_t* offsets,
                     const std::int32_t* row_sums, const std::int32_t* sums, std::int64_t p0, std::int64_t p1,
                     std::int32_t* out);

}  // namespace splade::encode::avx512
