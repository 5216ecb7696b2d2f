#include "encode/fused_head/avx512_column_max.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "cpu/cpu_features.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SPLADE_AVX512_KERNELS 1
#include <immintrin.h>
// GCC 12's _mm512_max_ps/_epi32 pass _mm512_undefined_*() as the masked-off source, which
// -Wmaybe-uninitialized reports at every use (a false positive: the mask is all ones).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace splade::encode::avx512 {

std::optional<Int8Panels> pack_int8(const std::vector<float>& w, std::int64_t k, std::int64_t v) {
  const std::int64_t panels = (v + kPanel - 1) / kPanel, quads = quad_row(k) / 4;
  Int8Panels out;
  out.offsets.assign(static_cast<std::size_t>(panels * kPanel), 0);
  for (std::int64_t c = 0; c < v; ++c) {
    float lo = 0, hi = 0;
    for (std::int64_t r = 0; r < k; ++r) lo = std::min(lo, w[r * v + c]), hi = std::max(hi, w[r * v + c]);
    if (hi - lo > 255) return std::nullopt;
    // 0 where the column is int8 already; else its least value maps to -128.
    if (lo < -128 || hi > 127) out.offsets[static_cast<std::size_t>(c)] = static_cast<std::int32_t>(lo) + 128;
  }
  out.any_offset = std::any_of(out.offsets.begin(), out.offsets.end(), [](std::int32_t o) { return o != 0; });
  out.weights.assign(static_cast<std::size_t>(panels * quads * kPanel * 4), 0);
  for (std::int64_t p = 0; p < panels; ++p)
    for (std::int64_t r = 0; r < k; ++r)
      for (std::int64_t c = 0; c < kPanel && p * kPanel + c < v; ++c) {
        const std::int64_t col = p * kPanel + c;
        out.weights[static_cast<std::size_t>(((p * quads + r / 4) * kPanel + c) * 4 + r % 4)] = static_cast<std::int8_t>(
            static_cast<std::int32_t>(w[static_cast<std::size_t>(r * v + col)]) - out.offsets[static_cast<std::size_t>(col)]);
      }
  return out;
}

std::vector<std::int32_t> column_sums(const std::vector<float>& w, std::int64_t k, std::int64_t v) {
  std::vector<std::int32_t> out(static_cast<std::size_t>((v + kPanel - 1) / kPanel * kPanel), 0);
  for (std::int64_t r = 0; r < k; ++r)
    for (std::int64_t c = 0; c < v; ++c) out[static_cast<std::size_t>(c)] += static_cast<std::int32_t>(w[r * v + c]);
  return out;
}

#ifdef SPLADE_AVX512_KERNELS

bool available() { return cpu::cpu_features().avx512_core; }
bool vnni_available() { return cpu::cpu_features().avx512_core && cpu::cpu_features().avx512_vnni; }

namespace {

constexpr int kTileRows = 6;    // rows a tile
constexpr int kTilePanels = 4;  // panels a tile: 6 x 4 = 24 accumulators of the 32 zmm

// m[j] = max(m[j], max over the R rows of their dot products with panel j's 16 columns).
// b: panel 0 of the tile; panel j starts at b + j * panel_stride. The loops have constant
// trip counts, so the accumulators live in registers.
template <int R, int NP>
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma"))) inline void fp32_tile(
    const float* const* rows, std::int64_t k, const float* b, std::int64_t panel_stride, __m512* m) {
  __m512 c[R][NP];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < NP; ++j) c[r][j] = _mm512_setzero_ps();
  for (std::int64_t i = 0; i < k; ++i) {
    __m512 bj[NP];
    for (int j = 0; j < NP; ++j) bj[j] = _mm512_loadu_ps(b + j * panel_stride + i * kPanel);
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(rows[r][i]);
      for (int j = 0; j < NP; ++j) c[r][j] = _mm512_fmadd_ps(x, bj[j], c[r][j]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < NP; ++j) m[j] = _mm512_max_ps(m[j], c[r][j]);
}

template <int R, int NP>
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni"))) inline void u8s8_tile(
    const std::uint8_t* const* rows, std::int64_t quads, const std::int8_t* b, std::int64_t panel_stride,
    const std::int32_t* row_sums, const std::int32_t* offsets, __m512i* m) {
  __m512i c[R][NP];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < NP; ++j) c[r][j] = _mm512_setzero_si512();
  for (std::int64_t i = 0; i < quads; ++i) {
    __m512i bj[NP];
    for (int j = 0; j < NP; ++j) bj[j] = _mm512_loadu_si512(b + j * panel_stride + i * kPanel * 4);
    for (int r = 0; r < R; ++r) {
      std::int32_t quad;
      std::memcpy(&quad, rows[r] + 4 * i, sizeof quad);
      const __m512i x = _mm512_set1_epi32(quad);
      for (int j = 0; j < NP; ++j) c[r][j] = _mm512_dpbusd_epi32(c[r][j], x, bj[j]);
    }
  }
  if (offsets) {  // + offset[c] * sum_k x_q[r, k]: the panels held W - offset
    for (int r = 0; r < R; ++r) {
      const __m512i sum = _mm512_set1_epi32(row_sums[r]);
      for (int j = 0; j < NP; ++j)
        c[r][j] = _mm512_add_epi32(c[r][j], _mm512_mullo_epi32(sum, _mm512_loadu_si512(offsets + j * kPanel)));
    }
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < NP; ++j) m[j] = _mm512_max_epi32(m[j], c[r][j]);
}

// The rows of a text in tiles of 6; a short last tile runs a tile of its own size, so no row
// is computed twice.
template <int NP>
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma"))) void fp32_rows(
    const float* a, std::int64_t n, std::int64_t k, const float* b, std::int64_t panel_stride, __m512* m) {
  for (std::int64_t r0 = 0; r0 < n; r0 += kTileRows) {
    const float* rows[kTileRows];
    const int left = static_cast<int>(std::min<std::int64_t>(kTileRows, n - r0));
    for (int i = 0; i < left; ++i) rows[i] = a + (r0 + i) * k;
    switch (left) {
      case 1: fp32_tile<1, NP>(rows, k, b, panel_stride, m); break;
      case 2: fp32_tile<2, NP>(rows, k, b, panel_stride, m); break;
      case 3: fp32_tile<3, NP>(rows, k, b, panel_stride, m); break;
      case 4: fp32_tile<4, NP>(rows, k, b, panel_stride, m); break;
      case 5: fp32_tile<5, NP>(rows, k, b, panel_stride, m); break;
      default: fp32_tile<6, NP>(rows, k, b, panel_stride, m); break;
    }
  }
}

template <int NP>
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni"))) void u8s8_rows(
    const std::uint8_t* a, std::int64_t n, std::int64_t stride, std::int64_t quads, const std::int8_t* b,
    std::int64_t panel_stride, const std::int32_t* row_sums, const std::int32_t* offsets, __m512i* m) {
  for (std::int64_t r0 = 0; r0 < n; r0 += kTileRows) {
    const std::uint8_t* rows[kTileRows];
    const int left = static_cast<int>(std::min<std::int64_t>(kTileRows, n - r0));
    for (int i = 0; i < left; ++i) rows[i] = a + (r0 + i) * stride;
    switch (left) {
      case 1: u8s8_tile<1, NP>(rows, quads, b, panel_stride, row_sums + r0, offsets, m); break;
      case 2: u8s8_tile<2, NP>(rows, quads, b, panel_stride, row_sums + r0, offsets, m); break;
      case 3: u8s8_tile<3, NP>(rows, quads, b, panel_stride, row_sums + r0, offsets, m); break;
      case 4: u8s8_tile<4, NP>(rows, quads, b, panel_stride, row_sums + r0, offsets, m); break;
      case 5: u8s8_tile<5, NP>(rows, quads, b, panel_stride, row_sums + r0, offsets, m); break;
      default: u8s8_tile<6, NP>(rows, quads, b, panel_stride, row_sums + r0, offsets, m); break;
    }
  }
}

}  // namespace

__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma"))) void column_max_fp32(
    const float* a, std::int64_t n, std::int64_t k, const float* panels, std::int64_t p0, std::int64_t p1,
    float* out) {
  const std::int64_t panel_stride = k * kPanel;
  for (std::int64_t p = p0; p < p1;) {
    const int np = p1 - p >= kTilePanels ? kTilePanels : 1;
    __m512 m[kTilePanels];
    for (auto& v : m) v = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    const float* b = panels + p * panel_stride;
    if (np == kTilePanels) fp32_rows<kTilePanels>(a, n, k, b, panel_stride, m);
    else fp32_rows<1>(a, n, k, b, panel_stride, m);
    for (int j = 0; j < np; ++j) _mm512_storeu_ps(out + (p - p0 + j) * kPanel, m[j]);
    p += np;
  }
}

__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni"))) void column_max_u8s8(
    const std::uint8_t* x_q, std::int64_t n, std::int64_t k, std::int64_t stride, std::int32_t zero_point,
    const std::int8_t* panels, const std::int32_t* offsets, const std::int32_t* row_sums, const std::int32_t* sums,
    std::int64_t p0, std::int64_t p1, std::int32_t* out) {
  const std::int64_t quads = quad_row(k) / 4, panel_stride = quads * kPanel * 4;
  const __m512i zp = _mm512_set1_epi32(zero_point);
  for (std::int64_t p = p0; p < p1;) {
    const int np = p1 - p >= kTilePanels ? kTilePanels : 1;
    __m512i m[kTilePanels];
    for (auto& v : m) v = _mm512_set1_epi32(std::numeric_limits<std::int32_t>::min());
    const std::int8_t* b = panels + p * panel_stride;
    const std::int32_t* o = offsets ? offsets + p * kPanel : nullptr;
    if (np == kTilePanels) u8s8_rows<kTilePanels>(x_q, n, stride, quads, b, panel_stride, row_sums, o, m);
    else u8s8_rows<1>(x_q, n, stride, quads, b, panel_stride, row_sums, o, m);
    for (int j = 0; j < np; ++j) {
      // max_t (S_t - zp * sum) = max_t S_t - zp * sum; an empty text keeps INT32_MIN.
      const __m512i sum = _mm512_loadu_si512(sums + (p + j) * kPanel);
      const __m512i v = n > 0 ? _mm512_sub_epi32(m[j], _mm512_mullo_epi32(zp, sum)) : m[j];
      _mm512_storeu_si512(out + (p - p0 + j) * kPanel, v);
    }
    p += np;
  }
}

#else  // not x86-64: never called (available() is false)

bool available() { return false; }
bool vnni_available() { return false; }
void column_max_fp32(const float*, std::int64_t, std::int64_t, const float*, std::int64_t, std::int64_t, float*) {}
void column_max_u8s8(const std::uint8_t*, std::int64_t, std::int64_t, std::int64_t, std::int32_t, const std::int8_t*,
                     const std::int32_t*, const std::int32_t*, const std::int32_t*, std::int64_t, std::int64_t,
                     std::int32_t*) {}

#endif

}  // namespace splade::encode::avx512
