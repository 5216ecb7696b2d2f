#include "index/stream_vbyte_simd.h"

#include <immintrin.h>
#include <streamvbyte.h>
#include <streamvbytedelta.h>

#include <array>
#include <cstring>

namespace splade::svb {

namespace {

// For each control byte (four 2-bit length codes, value i in bits 2i..2i+1, length = code + 1):
// the pshufb mask that spreads the four little-endian values into 32-bit lanes, and the
// number of data bytes they take.
struct Tables {
  alignas(16) std::uint8_t shuffle[256][16];
  std::uint8_t length[256];
};

const Tables& tables() {
  static const Tables t = [] {
    Tables t{};
    for (int c = 0; c < 256; ++c) {
      int pos = 0;
      for (int lane = 0; lane < 4; ++lane) {
        const int len = ((c >> (2 * lane)) & 3) + 1;
        for (int b = 0; b < 4; ++b) t.shuffle[c][lane * 4 + b] = b < len ? static_cast<std::uint8_t>(pos + b) : 0x80;
        pos += len;
      }
      t.length[c] = static_cast<std::uint8_t>(pos);
    }
    return t;
  }();
  return t;
}

template <bool kDelta>
__attribute__((target("ssse3"))) std::size_t decode_ssse3(const std::uint8_t* in, std::uint32_t* out,
                                                          std::uint32_t n, std::uint32_t prev) {
  const Tables& t = tables();
  const std::uint8_t* control = in;
  const std::uint8_t* data = in + (n + 3) / 4;
  const std::uint32_t groups = n / 4;
  __m128i last = _mm_set1_epi32(static_cast<int>(prev));
  for (std::uint32_t g = 0; g < groups; ++g) {
    const std::uint8_t c = control[g];
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data));
    __m128i v = _mm_shuffle_epi8(bytes, _mm_load_si128(reinterpret_cast<const __m128i*>(t.shuffle[c])));
    data += t.length[c];
    if constexpr (kDelta) {
      v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
      v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
      v = _mm_add_epi32(v, last);
      last = _mm_shuffle_epi32(v, 0xFF);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 4 * g), v);
  }
  std::uint32_t running = static_cast<std::uint32_t>(_mm_cvtsi128_si32(last));
  for (std::uint32_t i = groups * 4; i < n; ++i) {
    const int len = ((control[i / 4] >> (2 * (i % 4))) & 3) + 1;
    std::uint32_t v = 0;
    std::memcpy(&v, data, static_cast<std::size_t>(len));  // little-endian
    data += len;
    if constexpr (kDelta) {
      running += v;
      v = running;
    }
    out[i] = v;
  }
  return static_cast<std::size_t>(data - in);
}

const bool kHasSsse3 = __builtin_cpu_supports("ssse3");

}  // namespace

std::size_t decode(const std::uint8_t* in, std::uint32_t* out, std::uint32_t n) {
  if (kHasSsse3) return decode_ssse3<false>(in, out, n, 0);
  return streamvbyte_decode(in, out, n);
}

std::size_t delta_decode(const std::uint8_t* in, std::uint32_t* out, std::uint32_t n, std::uint32_t prev) {
  if (kHasSsse3) return decode_ssse3<true>(in, out, n, prev);
  return streamvbyte_delta_decode(in, out, n, prev);
}

}  // namespace splade::svb
