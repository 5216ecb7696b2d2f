#include "index/bit_packing.h"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace splade::bitpack {
namespace {

std::uint32_t rows_of(std::uint32_t n) { return (n + 3) / 4; }

std::uint32_t load_word(const std::uint8_t* in, std::size_t index) {
  std::uint32_t w;
  std::memcpy(&w, in + 4 * index, 4);
  return w;  // little-endian hosts only (the index is little-endian throughout)
}

}  // namespace

std::uint32_t bits_needed(const std::uint32_t* values, std::uint32_t n) {
  std::uint32_t all = 0;
  for (std::uint32_t i = 0; i < n; ++i) all |= values[i];
  return static_cast<std::uint32_t>(std::bit_width(all));
}

std::size_t packed_bytes(std::uint32_t n, std::uint32_t bits) {
  return 16 * ((std::size_t{rows_of(n)} * bits + 31) / 32);
}

void pack(const std::uint32_t* values, std::uint32_t n, std::uint32_t bits, std::uint8_t* out) {
  const std::size_t bytes = packed_bytes(n, bits);
  std::memset(out, 0, bytes);
  for (std::uint32_t i = 0; i < n && bits > 0; ++i) {
    const std::uint32_t lane = i % 4;
    const std::size_t bit = std::size_t{i / 4} * bits;
    const std::size_t word = bit / 32;
    const std::uint32_t shift = bit % 32;
    const std::uint64_t v = values[i];
    std::uint32_t w0 = load_word(out, word * 4 + lane) | static_cast<std::uint32_t>(v << shift);
    std::memcpy(out + 4 * (word * 4 + lane), &w0, 4);
    if (shift + bits > 32) {
      std::uint32_t w1 = load_word(out, (word + 1) * 4 + lane) | static_cast<std::uint32_t>(v >> (32 - shift));
      std::memcpy(out + 4 * ((word + 1) * 4 + lane), &w1, 4);
    }
  }
}

#if defined(__SSE2__)

namespace {

// Calls row(r, v) with each row's four values, in order.
template <typename Row>
void unpack_rows(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, Row&& row) {
  const std::uint32_t rows = rows_of(n);
  if (bits == 0) {
    for (std::uint32_t r = 0; r < rows; ++r) row(r, _mm_setzero_si128());
    return;
  }
  const __m128i mask = _mm_set1_epi32(bits == 32 ? -1 : static_cast<int>((1u << bits) - 1));
  const auto* p = reinterpret_cast<const __m128i*>(in);
  __m128i current = _mm_loadu_si128(p++);
  std::uint32_t shift = 0;  // bits of `current` already consumed, per lane
  for (std::uint32_t r = 0; r < rows; ++r) {
    __m128i v = _mm_srl_epi32(current, _mm_cvtsi32_si128(static_cast<int>(shift)));
    shift += bits;
    if (shift > 32) {  // the value continues in the lanes' next words
      current = _mm_loadu_si128(p++);
      shift -= 32;
      v = _mm_or_si128(v, _mm_sll_epi32(current, _mm_cvtsi32_si128(static_cast<int>(bits - shift))));
    } else if (shift == 32 && r + 1 < rows) {
      current = _mm_loadu_si128(p++);
      shift = 0;
    }
    row(r, _mm_and_si128(v, mask));
  }
}

// Doc ids of one row from its stored (gap - 1) values: +1, prefix sum within the row, plus
// the previous row's last doc (`carry`, in every lane), which becomes this row's last doc.
__m128i add_up_row(__m128i stored, __m128i& carry) {
  __m128i v = _mm_add_epi32(stored, _mm_set1_epi32(1));
  v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
  v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
  v = _mm_add_epi32(v, carry);
  carry = _mm_shuffle_epi32(v, 0xFF);
  return v;
}

void store_row(std::uint32_t* out, std::uint32_t r, __m128i v) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 4 * r), v);
}

__m128i load_row(const std::uint32_t* in, std::uint32_t r) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 4 * r));
}

}  // namespace

void unpack(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, std::uint32_t* out) {
  unpack_rows(in, n, bits, [out](std::uint32_t r, __m128i v) { store_row(out, r, v); });
}

void decode_docs(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, std::uint32_t prev, std::uint32_t* docs) {
  __m128i carry = _mm_set1_epi32(static_cast<int>(prev));
  unpack_rows(in, n, bits, [&](std::uint32_t r, __m128i v) { store_row(docs, r, add_up_row(v, carry)); });
}

void decode_impacts(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, std::uint32_t* impacts) {
  const __m128i one = _mm_set1_epi32(1);
  unpack_rows(in, n, bits, [impacts, one](std::uint32_t r, __m128i v) { store_row(impacts, r, _mm_add_epi32(v, one)); });
}

void add_up_gaps(std::uint32_t* values, std::uint32_t n, std::uint32_t prev) {
  __m128i carry = _mm_set1_epi32(static_cast<int>(prev));
  for (std::uint32_t r = 0; r < rows_of(n); ++r) store_row(values, r, add_up_row(load_row(values, r), carry));
}

void add_one(std::uint32_t* values, std::uint32_t n) {
  const __m128i one = _mm_set1_epi32(1);
  for (std::uint32_t r = 0; r < rows_of(n); ++r) store_row(values, r, _mm_add_epi32(load_row(values, r), one));
}

#else  // portable

void add_up_gaps(std::uint32_t* values, std::uint32_t n, std::uint32_t prev) {
  for (std::uint32_t i = 0; i < 4 * rows_of(n); ++i) values[i] = prev = prev + values[i] + 1;
}

void add_one(std::uint32_t* values, std::uint32_t n) {
  for (std::uint32_t i = 0; i < 4 * rows_of(n); ++i) values[i] += 1;
}

void unpack(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, std::uint32_t* out) {
  const std::uint32_t count = 4 * rows_of(n);
  const std::uint64_t mask = bits == 32 ? 0xFFFFFFFFull : (1ull << bits) - 1;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (bits == 0) {
      out[i] = 0;
      continue;
    }
    const std::uint32_t lane = i % 4;
    const std::size_t bit = std::size_t{i / 4} * bits;
    const std::size_t word = bit / 32;
    const std::uint32_t shift = bit % 32;
    std::uint64_t v = load_word(in, word * 4 + lane) >> shift;
    if (shift + bits > 32) v |= std::uint64_t{load_word(in, (word + 1) * 4 + lane)} << (32 - shift);
    out[i] = static_cast<std::uint32_t>(v & mask);
  }
}

void decode_docs(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, std::uint32_t prev, std::uint32_t* docs) {
  unpack(in, n, bits, docs);
  add_up_gaps(docs, n, prev);
}

void decode_impacts(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, std::uint32_t* impacts) {
  unpack(in, n, bits, impacts);
  add_one(impacts, n);
}

#endif

void encode_gaps(const std::uint32_t* docs, std::uint32_t n, std::uint32_t prev, std::uint32_t* gaps) {
  for (std::uint32_t i = 0; i < n; ++i) {
    gaps[i] = docs[i] - prev - 1;  // modulo 2^32: prev = 0xFFFFFFFF stores the first doc itself
    prev = docs[i];
  }
}

}  // namespace splade::bitpack
