// The posting codec (index/bit_packing.h) against a bit-by-bit reading of its documented
// layout, for every bit width and block length, and round trips of doc ids and impacts.
#include "index/bit_packing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace splade::bitpack {
namespace {

// Value i at `bits`, read one bit at a time from the layout the header documents: lane i % 4,
// row i / 4; lane bit k is bit k % 32 of the little-endian word 4 * (k / 32) + lane.
std::uint32_t read_documented(const std::vector<std::uint8_t>& packed, std::uint32_t i, std::uint32_t bits) {
  std::uint32_t v = 0;
  for (std::uint32_t j = 0; j < bits; ++j) {
    const std::size_t k = std::size_t{i / 4} * bits + j;
    const std::size_t word = 4 * (k / 32) + i % 4;
    const std::size_t byte = 4 * word + (k % 32) / 8;
    if (packed.at(byte) >> (k % 8) & 1) v |= 1u << j;
  }
  return v;
}

const std::uint32_t kLengths[] = {1, 2, 3, 4, 5, 7, 8, 31, 32, 33, 64, 100, 127, 128};

TEST(BitPacking, EveryWidthAndLengthFollowsTheDocumentedLayoutAndRoundTrips) {
  std::mt19937 rng(7);
  for (std::uint32_t bits = 0; bits <= 32; ++bits) {
    for (std::uint32_t n : kLengths) {
      std::vector<std::uint32_t> values(n);
      const std::uint64_t limit = bits == 32 ? 0xFFFFFFFFull : (1ull << bits) - 1;
      for (auto& v : values) v = static_cast<std::uint32_t>(std::uniform_int_distribution<std::uint64_t>(0, limit)(rng));
      if (bits > 0) values[n / 2] = static_cast<std::uint32_t>(limit);  // the width is reached
      ASSERT_EQ(bits_needed(values.data(), n), bits);
      const std::size_t bytes = packed_bytes(n, bits);
      EXPECT_EQ(bytes, 16 * ((std::size_t{(n + 3) / 4} * bits + 31) / 32));
      // Guard bytes after the packed data: the codec must neither write nor need them.
      std::vector<std::uint8_t> packed(bytes + 32, 0xAB);
      pack(values.data(), n, bits, packed.data());
      for (std::size_t g = bytes; g < packed.size(); ++g) ASSERT_EQ(packed[g], 0xAB) << "bits " << bits << " n " << n;
      for (std::uint32_t i = 0; i < n; ++i) ASSERT_EQ(read_documented(packed, i, bits), values[i]) << bits << "/" << n << "/" << i;
      std::vector<std::uint8_t> exact(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(bytes));
      std::vector<std::uint32_t> out(kMaxValues, 0xDEADBEEF);
      unpack(exact.data(), n, bits, out.data());
      for (std::uint32_t i = 0; i < n; ++i) ASSERT_EQ(out[i], values[i]) << bits << "/" << n << "/" << i;
      for (std::uint32_t i = n; i < 4 * ((n + 3) / 4); ++i) EXPECT_EQ(out[i], 0u);
    }
  }
}

TEST(BitPacking, DocIdsAndImpactsRoundTrip) {
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    const std::uint32_t n = std::uniform_int_distribution<std::uint32_t>(1, kMaxValues)(rng);
    const bool first_block = round % 3 == 0;
    // Gaps from dense (1) to sparse (~2^28), so every doc width appears.
    const std::uint32_t max_gap = 1u << std::uniform_int_distribution<int>(0, 22)(rng);
    std::uint32_t prev = first_block ? kNoPreviousDoc : std::uniform_int_distribution<std::uint32_t>(0, 1u << 20)(rng);
    std::vector<std::uint32_t> docs(n), impacts(n), gaps(n);
    std::uint32_t d = prev;
    for (std::uint32_t i = 0; i < n; ++i) {
      d += std::uniform_int_distribution<std::uint32_t>(1, max_gap)(rng);
      docs[i] = d;
      impacts[i] = std::uniform_int_distribution<std::uint32_t>(1, 1u << std::uniform_int_distribution<int>(0, 16)(rng))(rng);
    }
    encode_gaps(docs.data(), n, prev, gaps.data());
    const std::uint32_t doc_bits = bits_needed(gaps.data(), n);
    std::vector<std::uint32_t> stored(impacts);
    for (auto& v : stored) v -= 1;
    const std::uint32_t impact_bits = bits_needed(stored.data(), n);
    std::vector<std::uint8_t> a(packed_bytes(n, doc_bits)), b(packed_bytes(n, impact_bits));
    pack(gaps.data(), n, doc_bits, a.data());
    pack(stored.data(), n, impact_bits, b.data());
    std::vector<std::uint32_t> docs_out(kMaxValues), impacts_out(kMaxValues);
    decode_docs(a.data(), n, doc_bits, prev, docs_out.data());
    decode_impacts(b.data(), n, impact_bits, impacts_out.data());
    ASSERT_TRUE(std::equal(docs.begin(), docs.end(), docs_out.begin())) << "round " << round;
    ASSERT_TRUE(std::equal(impacts.begin(), impacts.end(), impacts_out.begin())) << "round " << round;
  }
}

}  // namespace
}  // namespace splade::bitpack
