// The fused head's inner kernel on x86-64 with AVX2 + FMA: for one text's token rows A [n, K]
// and a panel of 16 vocabulary columns, the max over the rows of A[r] . W[:, c], with the 6 x 16
// dot products of a tile kept in 12 registers over the whole of K and reduced to the running
// max there: the [tokens, vocab] product is never stored, not even per block. The panel
// (K x 16) stays in L1 while every row of the text passes over it.
//
// fp32 runs on FMA (16 multiply-adds a cycle a core); int8 decoders run on vpmaddwd over int16
// operands (x_q - x_zp and W_q - W_zp, both in [-255, 255]), which adds pairs of products into
// int32 exactly (255 * 255 * 2 fits easily), 32 multiply-adds a cycle: the int32 sums are
// MatMulInteger's, bit for bit, for any K up to 33,000.
//
// Tested against OpenBLAS' sgemm (the other path of splade_head.cpp) and the definition in
// tests/unit/splade_head_test.cpp; compared in bench/head_kernels.cpp.
#pragma once

#include <cstdint>
#include <vector>

namespace splade::encode::avx2 {

constexpr std::int64_t kPanel = 16;  // vocabulary columns a panel

// Whether this CPU (and this build) runs the kernels below.
bool available();

// W [K, V] row-major, packed into ceil(V / 16) panels of [K][16] floats (columns past V: 0).
std::vector<float> pack_fp32(const std::vector<float>& w, std::int64_t k, std::int64_t v);
// W [K, V] of integers in [-32768, 32767] (held in float), packed into ceil(V / 16) panels of
// [ceil(K / 2) pairs][16 columns][2] int16 (a row past K and columns past V: 0).
std::vector<std::int16_t> pack_int16(const std::vector<float>& w, std::int64_t k, std::int64_t v);
// Rows padded to an even length, as pack_int16 pairs them: ceil(K / 2) * 2.
inline std::int64_t int16_row(std::int64_t k) { return (k + 1) / 2 * 2; }

// out[(p - p0) * 16 + c] = max over r < n of a[r * k .. +k] . column c of panel p, p in [p0, p1);
// -inf (fp32) or INT32_MIN (int16) when n = 0.
void column_max_fp32(const float* a, std::int64_t n, std::int64_t k, const float* panels, std::int64_t p0,
                     std::int64_t p1, float* out);
// a: [n, int16_row(k)] int16.
void column_max_int16(const std::int16_t* a, std::int64_t n, std::int64_t k, const std::int16_t* panels,
                      std::int64_t p0, std::int64_t p1, std::int32_t* out);

}  // namespace splade::encode::avx2
