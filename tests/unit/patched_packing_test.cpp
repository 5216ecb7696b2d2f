// Patched packing (index/patched_packing.h): round trips with outliers, the chosen width is
// the smallest encoding of all widths, sizes agree, and malformed parts are refused.
#include "index/patched_packing.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <vector>

#include "index/bit_packing.h"

namespace splade::pfor {
namespace {

// Size of values at packed width b with exceptions for the rest (the documented layout).
std::size_t size_at(const std::vector<std::uint32_t>& values, std::uint32_t b, std::uint32_t top) {
  std::size_t exceptions = 0;
  for (auto v : values) exceptions += std::bit_width(v) > b;
  if (b == top) return bitpack::packed_bytes(static_cast<std::uint32_t>(values.size()), b);
  if (exceptions > 255) return SIZE_MAX;
  return bitpack::packed_bytes(static_cast<std::uint32_t>(values.size()), b) + 1 + exceptions * (1 + (top - b + 7) / 8);
}

TEST(PatchedPacking, RoundTripsAndPicksTheSmallestWidth) {
  std::mt19937 rng(21);
  for (int round = 0; round < 3000; ++round) {
    const std::uint32_t n = std::uniform_int_distribution<std::uint32_t>(1, 128)(rng);
    const int base = std::uniform_int_distribution<int>(0, 20)(rng);
    std::vector<std::uint32_t> values(n);
    for (auto& v : values) v = base == 0 ? 0 : std::uniform_int_distribution<std::uint32_t>(0, (1u << base) - 1)(rng);
    const int outliers = std::uniform_int_distribution<int>(0, 12)(rng);
    for (int o = 0; o < outliers; ++o)  // a few values far wider than the rest, up to 32 bits
      values[rng() % n] = static_cast<std::uint32_t>(rng()) >> std::uniform_int_distribution<int>(0, 31)(rng);
    std::uint32_t top = 0;
    for (auto v : values) top = std::max<std::uint32_t>(top, static_cast<std::uint32_t>(std::bit_width(v)));

    const Width w = choose(values.data(), n);
    ASSERT_EQ(w.bits + w.high_bits, top);
    const std::size_t chosen = size_at(values, w.bits, top);
    for (std::uint32_t b = 0; b <= top; ++b) ASSERT_LE(chosen, size_at(values, b, top)) << "round " << round << " b " << b;

    std::vector<std::uint8_t> out = {0x5A};  // encode appends after what is there
    const std::size_t bytes = encode(values.data(), n, w, out);
    ASSERT_EQ(bytes, chosen);
    ASSERT_EQ(out.size(), 1 + bytes);
    EXPECT_EQ(encoded_size(out.data() + 1, bytes, n, w), bytes);
    EXPECT_EQ(size(out.data() + 1, n, w), bytes);
    if (bytes > 0) EXPECT_FALSE(encoded_size(out.data() + 1, bytes - 1, n, w).has_value()) << "a cut part must not fit";
    std::vector<std::uint32_t> decoded(128);
    decode(out.data() + 1, n, w, decoded.data());
    for (std::uint32_t i = 0; i < n; ++i) ASSERT_EQ(decoded[i], values[i]) << "round " << round << " i " << i;
  }
}

TEST(PatchedPacking, DocsAndImpactsDecodeThroughEitherPath) {
  // One block with a single huge gap (exceptions) and one without; both decoders must agree
  // with the doc ids and impacts put in.
  for (bool outlier : {false, true}) {
    std::vector<std::uint32_t> docs(128), impacts(128), gaps(128);
    std::uint32_t d = 1000;
    for (std::uint32_t i = 0; i < 128; ++i) {
      d += 1 + i % 7 + (outlier && i == 77 ? 5'000'000 : 0);
      docs[i] = d;
      impacts[i] = 1 + (i * 37) % 90 + (outlier && i == 3 ? 60'000 : 0);
    }
    bitpack::encode_gaps(docs.data(), 128, 1000, gaps.data());
    std::vector<std::uint32_t> stored(impacts);
    for (auto& v : stored) v -= 1;
    const Width dw = choose(gaps.data(), 128), iw = choose(stored.data(), 128);
    EXPECT_EQ(dw.high_bits > 0, outlier);
    EXPECT_EQ(iw.high_bits > 0, outlier);
    std::vector<std::uint8_t> out;
    encode(gaps.data(), 128, dw, out);
    const std::size_t doc_part = out.size();
    encode(stored.data(), 128, iw, out);
    std::vector<std::uint32_t> docs_out(128), impacts_out(128);
    decode_docs(out.data(), 128, dw, 1000, docs_out.data());
    decode_impacts(out.data() + doc_part, 128, iw, impacts_out.data());
    EXPECT_EQ(docs_out, docs);
    EXPECT_EQ(impacts_out, impacts);
  }
}

TEST(PatchedPacking, MalformedPartsAreRefused) {
  std::vector<std::uint32_t> values(10, 3);
  values[4] = 1u << 20;
  const Width w = choose(values.data(), 10);
  ASSERT_GT(w.high_bits, 0);
  std::vector<std::uint8_t> out;
  const std::size_t bytes = encode(values.data(), 10, w, out);
  ASSERT_TRUE(encoded_size(out.data(), bytes, 10, w).has_value());
  const std::size_t count_at = bitpack::packed_bytes(10, w.bits);
  auto bad = out;
  bad[count_at + 1] = 10;  // an exception position past the 10 values
  EXPECT_FALSE(encoded_size(bad.data(), bytes, 10, w).has_value());
  bad = out;
  bad[count_at] = 0;  // a part with high bits but no exception
  EXPECT_FALSE(encoded_size(bad.data(), bytes, 10, w).has_value());
  EXPECT_FALSE(encoded_size(out.data(), bytes, 10, Width{30, 5}).has_value());  // wider than 32 bits
}

}  // namespace
}  // namespace splade::pfor
