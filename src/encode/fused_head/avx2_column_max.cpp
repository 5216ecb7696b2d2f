#include "encode/fused_head/avx2_column_max.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "cpu/cpu_features.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SPLADE_AVX2_KERNELS 1
#include <immintrin.h>
#endif

namespace splade::encode::avx2 {

std::vector<float> pack_fp32(const std::vector<float>& w, std::int64_t k, std::int64_t v) {
  const std::int64_t panels = (v + kPanel - 1) / kPanel;
  std::vector<float> out(static_cast<std::size_t>(panels * k * kPanel), 0.0f);
  for (std::int64_t p = 0; p < panels; ++p)
    for (std::int64_t r = 0; r < k; ++r)
      for (std::int64_t c = 0; c < kPanel && p * kPanel + c < v; ++c)
        out[static_cast<std::size_t>((p * k + r) * kPanel + c)] = w[static_cast<std::size_t>(r * v + p * kPanel + c)];
  return out;
}

std::vector<std::int16_t> pack_int16(const std::vector<float>& w, std::int64_t k, std::int64_t v) {
  const std::int64_t panels = (v + kPanel - 1) / kPanel, pairs = (k + 1) / 2;
  std::vector<std::int16_t> out(static_cast<std::size_t>(panels * pairs * kPanel * 2), 0);
  for (std::int64_t p = 0; p < panels; ++p)
    for (std::int64_t r = 0; r < k; ++r)
      for (std::int64_t c = 0; c < kPanel && p * kPanel + c < v; ++c)
        out[static_cast<std::size_t>(((p * pairs + r / 2) * kPanel + c) * 2 + r % 2)] =
            static_cast<std::int16_t>(w[static_cast<std::size_t>(r * v + p * kPanel + c)]);
  return out;
}

#ifdef SPLADE_AVX2_KERNELS

bool available() { return cpu::cpu_features().avx2; }

namespace {

// The rows of a 6-row tile; past the end, the last row again (it leaves the max unchanged).
template <typename T>
void tile_rows(const T* a, std::int64_t n, std::int64_t stride, std::int64_t r0, const T* rows[6]) {
  for (int i = 0; i < 6; ++i) rows[i] = a + std::min<std::int64_t>(r0 + i, n - 1) * stride;
}

// One step of the int16 kernel: a pair of K (two int16 of a row, broadcast as one int32).
__attribute__((target("avx2,fma"))) inline __m256i pair(const std::int16_t* row, std::int64_t i) {
  std::int32_t v;
  std::memcpy(&v, row + 2 * i, sizeof v);
  return _mm256_set1_epi32(v);
}

}  // namespace

__attribute__((target("avx2,fma"))) void column_max_fp32(const float* a, std::int64_t n, std::int64_t k,
                                                         const float* panels, std::int64_t p0, std::int64_t p1,
                                                         float* out) {
  for (std::int64_t p = p0; p < p1; ++p) {
    const float* b = panels + p * k * kPanel;
    __m256 m0 = _mm256_set1_ps(-std::numeric_limits<float>::infinity()), m1 = m0;
    for (std::int64_t r0 = 0; r0 < n; r0 += 6) {
      const float* rows[6];
      tile_rows(a, n, k, r0, rows);
      __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
             c40 = c00, c41 = c00, c50 = c00, c51 = c00;
      for (std::int64_t i = 0; i < k; ++i) {
        const __m256 b0 = _mm256_loadu_ps(b + i * kPanel), b1 = _mm256_loadu_ps(b + i * kPanel + 8);
        __m256 x = _mm256_broadcast_ss(rows[0] + i);
        c00 = _mm256_fmadd_ps(x, b0, c00), c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(rows[1] + i);
        c10 = _mm256_fmadd_ps(x, b0, c10), c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(rows[2] + i);
        c20 = _mm256_fmadd_ps(x, b0, c20), c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(rows[3] + i);
        c30 = _mm256_fmadd_ps(x, b0, c30), c31 = _mm256_fmadd_ps(x, b1, c31);
        x = _mm256_broadcast_ss(rows[4] + i);
        c40 = _mm256_fmadd_ps(x, b0, c40), c41 = _mm256_fmadd_ps(x, b1, c41);
        x = _mm256_broadcast_ss(rows[5] + i);
        c50 = _mm256_fmadd_ps(x, b0, c50), c51 = _mm256_fmadd_ps(x, b1, c51);
      }
      m0 = _mm256_max_ps(m0, _mm256_max_ps(_mm256_max_ps(_mm256_max_ps(c00, c10), _mm256_max_ps(c20, c30)),
                                           _mm256_max_ps(c40, c50)));
      m1 = _mm256_max_ps(m1, _mm256_max_ps(_mm256_max_ps(_mm256_max_ps(c01, c11), _mm256_max_ps(c21, c31)),
                                           _mm256_max_ps(c41, c51)));
    }
    _mm256_storeu_ps(out + (p - p0) * kPanel, m0);
    _mm256_storeu_ps(out + (p - p0) * kPanel + 8, m1);
  }
}

__attribute__((target("avx2,fma"))) void column_max_int16(const std::int16_t* a, std::int64_t n, std::int64_t k,
                                                          const std::int16_t* panels, std::int64_t p0,
                                                          std::int64_t p1, std::int32_t* out) {
  const std::int64_t pairs = (k + 1) / 2, stride = int16_row(k);
  for (std::int64_t p = p0; p < p1; ++p) {
    const std::int16_t* b = panels + p * pairs * kPanel * 2;
    __m256i m0 = _mm256_set1_epi32(std::numeric_limits<std::int32_t>::min()), m1 = m0;
    for (std::int64_t r0 = 0; r0 < n; r0 += 6) {
      const std::int16_t* rows[6];
      tile_rows(a, n, stride, r0, rows);
      __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
              c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
      for (std::int64_t i = 0; i < pairs; ++i) {
        const auto* bi = reinterpret_cast<const __m256i*>(b + i * kPanel * 2);
        const __m256i b0 = _mm256_loadu_si256(bi), b1 = _mm256_loadu_si256(bi + 1);
        __m256i x = pair(rows[0], i);
        c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(x, b0)), c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(x, b1));
        x = pair(rows[1], i);
        c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(x, b0)), c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(x, b1));
        x = pair(rows[2], i);
        c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(x, b0)), c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(x, b1));
        x = pair(rows[3], i);
        c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(x, b0)), c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(x, b1));
        x = pair(rows[4], i);
        c40 = _mm256_add_epi32(c40, _mm256_madd_epi16(x, b0)), c41 = _mm256_add_epi32(c41, _mm256_madd_epi16(x, b1));
        x = pair(rows[5], i);
        c50 = _mm256_add_epi32(c50, _mm256_madd_epi16(x, b0)), c51 = _mm256_add_epi32(c51, _mm256_madd_epi16(x, b1));
      }
      m0 = _mm256_max_epi32(m0, _mm256_max_epi32(_mm256_max_epi32(_mm256_max_epi32(c00, c10), _mm256_max_epi32(c20, c30)),
                                                 _mm256_max_epi32(c40, c50)));
      m1 = _mm256_max_epi32(m1, _mm256_max_epi32(_mm256_max_epi32(_mm256_max_epi32(c01, c11), _mm256_max_epi32(c21, c31)),
                                                 _mm256_max_epi32(c41, c51)));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (p - p0) * kPanel), m0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (p - p0) * kPanel + 8), m1);
  }
}

#else  // not x86-64: never called (available() is false)

bool available() { return false; }
void column_max_fp32(const float*, std::int64_t, std::int64_t, const float*, std::int64_t, std::int64_t, float*) {}
void column_max_int16(const std::int16_t*, std::int64_t, std::int64_t, const std::int16_t*, std::int64_t, std::int64_t,
                      std::int32_t*) {}

#endif

}  // namespace splade::encode::avx2
