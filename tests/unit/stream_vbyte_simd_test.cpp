// The SSSE3 Stream VByte decoder against libstreamvbyte itself (encode with the library,
// decode with both; same values and the same byte count), every length mix and tail size.
#include <gtest/gtest.h>
#include <streamvbyte.h>
#include <streamvbytedelta.h>

#include <random>
#include <vector>

#include "index/stream_vbyte_simd.h"

namespace splade {
namespace {

TEST(StreamVByteSimd, MatchesLibstreamvbyte) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 3000; ++round) {
    const std::uint32_t n = static_cast<std::uint32_t>(rng() % 300);
    std::vector<std::uint32_t> values(n), sorted(n);
    for (auto& v : values) v = static_cast<std::uint32_t>(rng() >> (32 + rng() % 33 % 32));
    std::uint32_t acc = static_cast<std::uint32_t>(rng() % 1000);
    const std::uint32_t prev = acc;
    for (auto& v : sorted) v = acc += static_cast<std::uint32_t>(rng() % (1u << (rng() % 28)));
    std::vector<std::uint8_t> enc(streamvbyte_max_compressedbytes(n) + 16), denc(enc.size());
    const std::size_t bytes = streamvbyte_encode(values.data(), n, enc.data());
    const std::size_t dbytes = streamvbyte_delta_encode(sorted.data(), n, denc.data(), prev);
    std::vector<std::uint32_t> a(n + 4), b(n + 4);
    EXPECT_EQ(svb::decode(enc.data(), a.data(), n), streamvbyte_decode(enc.data(), b.data(), n));
    ASSERT_EQ(a, b) << "round " << round;
    EXPECT_EQ(svb::decode(enc.data(), a.data(), n), bytes);
    EXPECT_EQ(svb::delta_decode(denc.data(), a.data(), n, prev), streamvbyte_delta_decode(denc.data(), b.data(), n, prev));
    ASSERT_EQ(a, b) << "round " << round;
    EXPECT_EQ(svb::delta_decode(denc.data(), a.data(), n, prev), dbytes);
    a.resize(n);
    EXPECT_EQ(a, sorted);
  }
}

}  // namespace
}  // namespace splade
