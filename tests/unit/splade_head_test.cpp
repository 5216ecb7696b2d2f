// The fused head's kernel (src/encode/fused_head/splade_head.h) against its definition
// computed directly: fp32 within float rounding, and int8 (integer operands) exactly, also
// when the hidden dimension is cut into chunks because its sums could pass 2^24.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "encode/fused_head/avx2_column_max.h"
#include "encode/fused_head/avx512_column_max.h"
#include "encode/fused_head/splade_head.h"
#include "splade/error.h"

namespace splade::encode {
namespace {

struct Case {
  std::int64_t batch, seq, hidden, vocab;
  std::vector<std::int64_t> lengths;
};

// out[b, v] = log1p^k(relu(scale[v] * max_{t < len[b]} sum_h x[b,t,h] w[h,v] + bias[v])), with the
// dot products in int64 (integer operands) or double.
std::vector<float> definition(const Case& c, const std::vector<float>& x, const std::vector<float>& w,
                              const std::vector<float>& bias, const std::vector<float>* scale, bool integer, int logs) {
  std::vector<float> out(static_cast<std::size_t>(c.batch * c.vocab), 0.0f);
  for (std::int64_t b = 0; b < c.batch; ++b)
    for (std::int64_t v = 0; v < c.vocab; ++v) {
      const std::int64_t len = c.lengths[static_cast<std::size_t>(b)];
      if (len == 0) continue;
      double best = -std::numeric_limits<double>::infinity();
      for (std::int64_t t = 0; t < len; ++t) {
        std::int64_t isum = 0;
        double dsum = 0;
        for (std::int64_t h = 0; h < c.hidden; ++h) {
          const float a = x[(b * c.seq + t) * c.hidden + h], m = w[h * c.vocab + v];
          if (integer) isum += static_cast<std::int64_t>(a) * static_cast<std::int64_t>(m);
          else dsum += static_cast<double>(a) * m;
        }
        // MatMulInteger's int32, then Cast to float, as ONNX Runtime does.
        best = std::max(best, integer ? static_cast<double>(static_cast<float>(isum)) : dsum);
      }
      float logit = static_cast<float>(best);
      if (scale) logit *= (*scale)[static_cast<std::size_t>(v)];
      float y = std::max(logit + bias[static_cast<std::size_t>(v)], 0.0f);
      for (int k = 0; k < logs; ++k) y = std::log1p(y);
      out[static_cast<std::size_t>(b * c.vocab + v)] = y;
    }
  return out;
}

class SpladeHeadKernels : public testing::TestWithParam<HeadKernel> {};

TEST_P(SpladeHeadKernels, Fp32MatchesTheDefinitionAndSkipsPadding) {
  // 300 tokens cross two token blocks (128); 2,500 columns cross three vocabulary blocks (1024).
  const Case c{3, 300, 24, 2500, {300, 7, 0}};
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(c.batch * c.seq * c.hidden)), w(static_cast<std::size_t>(c.hidden * c.vocab)),
      bias(static_cast<std::size_t>(c.vocab));
  for (auto& v : x) v = normal(rng);
  for (auto& v : w) v = normal(rng);
  for (auto& v : bias) v = normal(rng) - 4.0f;
  // Padding rows hold huge values: any that were multiplied would win the max.
  for (std::int64_t t = 7; t < c.seq; ++t)
    for (std::int64_t h = 0; h < c.hidden; ++h) x[(1 * c.seq + t) * c.hidden + h] = 1e6f;
  const auto want = definition(c, x, w, bias, nullptr, false, 1);
  SpladeHead head(w, bias, c.hidden, 1, 2, 0, GetParam());
  EXPECT_EQ(head.exact_chunk(), c.hidden);
  std::vector<float> got(want.size());
  head.pool(x.data(), c.batch, c.seq, c.lengths, nullptr, got.data());
  int positive = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 1e-5f * (1.0f + want[i])) << i;
    positive += want[i] > 0;
  }
  EXPECT_GT(positive, 100);  // the activation keeps real values, not only zeros
  for (std::int64_t v = 0; v < c.vocab; ++v) EXPECT_EQ(got[static_cast<std::size_t>(2 * c.vocab + v)], 0.0f);
}

// Integer operands of the size MatMulInteger sees (x_q - x_zp in [-255, 255], W_q - W_zp in
// [-255, 255]): sums over 2,000 rows reach ~1e8 > 2^24, where one float sgemm rounds (measured
// with OpenBLAS: 103427976 for 103427965; chunked sums give the int32 exactly).
void check_integer_head(std::int64_t integer_max_product, std::int64_t expected_chunk, HeadKernel kernel) {
  const Case c{2, 100, 2000, 1100, {100, 33}};
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> u(-255, 255);
  std::vector<float> x(static_cast<std::size_t>(c.batch * c.seq * c.hidden)), w(static_cast<std::size_t>(c.hidden * c.vocab)),
      bias(static_cast<std::size_t>(c.vocab)), scale(static_cast<std::size_t>(c.vocab));
  // Every 7th token and every 5th column hold large positive operands: their sums (~3e7, odd
  // values among them) are the maxima.
  std::uniform_int_distribution<int> large(200, 255);
  for (std::int64_t t = 0; t < c.batch * c.seq; ++t)
    for (std::int64_t h = 0; h < c.hidden; ++h) x[t * c.hidden + h] = static_cast<float>(t % 7 == 0 ? large(rng) : u(rng));
  for (std::int64_t h = 0; h < c.hidden; ++h)
    for (std::int64_t v = 0; v < c.vocab; ++v) w[h * c.vocab + v] = static_cast<float>(v % 5 == 0 ? large(rng) : u(rng));
  std::uniform_real_distribution<float> s(0.9e-7f, 1.1e-7f);
  for (auto& v : scale) v = s(rng);
  for (auto& v : bias) v = -2.0f;
  SpladeHead head(w, bias, c.hidden, 2, 2, integer_max_product, kernel);
  EXPECT_EQ(head.exact_chunk(), expected_chunk);
  std::vector<float> got(static_cast<std::size_t>(c.batch * c.vocab));
  head.pool(x.data(), c.batch, c.seq, c.lengths, scale.data(), got.data());
  const auto want = definition(c, x, w, bias, &scale, true, 2);
  int positive = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i], want[i]) << i;  // bit for bit: every integer sum is exact
    positive += want[i] > 0;
  }
  EXPECT_GT(positive, 100);
}

// OpenBLAS: 258 rows a chunk (eight chunks); AVX2: int32 sums in registers (no chunks needed).
TEST_P(SpladeHeadKernels, Int8OperandsAreSummedExactly) {
  check_integer_head(255 * 255, (std::int64_t{1} << 24) / (255 * 255), GetParam());
}

TEST(SpladeHead, Int8ChunksOfOneRowStillSumExactly) {
  // Operands this large are not int16 pairs: OpenBLAS with one row of W a chunk.
  check_integer_head(std::int64_t{1} << 24, 1, HeadKernel::kAuto);
}

TEST(SpladeHead, KernelIsNamed) {
  const std::vector<float> w(4 * 20, 1.0f), bias(20, 0.0f);
  std::vector<float> wide(4 * 20, 255.0f);
  for (std::size_t i = 0; i < 20; ++i) wide[i] = -255.0f;  // every column spans 511 values
  EXPECT_STREQ(SpladeHead(w, bias, 4, 1, 1, 0, HeadKernel::kBlas).kernel_name(), "OpenBLAS sgemm");
  const std::string auto_fp32 = SpladeHead(w, bias, 4, 1, 1).kernel_name();
  const std::string auto_int = SpladeHead(w, bias, 4, 1, 1, 255).kernel_name();
  // A column spanning more than 256 values (no 8-bit decoder's) cannot be VNNI's int8 operand.
  const std::string wide_int = SpladeHead(wide, bias, 4, 1, 1, 255 * 255).kernel_name();
  const std::string avx2_fp32 = SpladeHead(w, bias, 4, 1, 1, 0, HeadKernel::kAvx2).kernel_name();
  const std::string avx2_int = SpladeHead(w, bias, 4, 1, 1, 255, HeadKernel::kAvx2).kernel_name();
  const bool avx2 = avx2::available(), avx512 = avx512::available(), vnni = avx512::vnni_available();
  EXPECT_EQ(auto_fp32, avx512 ? "avx512 fp32 (FMA)" : avx2 ? "avx2 fp32 (FMA)" : "OpenBLAS sgemm");
  EXPECT_EQ(auto_int, vnni ? "avx512 vnni (vpdpbusd)" : avx2 ? "avx2 int16 (vpmaddwd)" : "OpenBLAS sgemm");
  EXPECT_EQ(wide_int, avx2 ? "avx2 int16 (vpmaddwd)" : "OpenBLAS sgemm");
  EXPECT_EQ(avx2_fp32, avx2 ? "avx2 fp32 (FMA)" : "OpenBLAS sgemm");
  EXPECT_EQ(avx2_int, avx2 ? "avx2 int16 (vpmaddwd)" : "OpenBLAS sgemm");
}

// The AVX-512 fp32 kernel sums each column in the AVX2 kernel's order, from 0, one FMA a step:
// the same bits, on real-valued operands, ragged shapes (1 to 13 tokens: 6-row tiles and their
// remainders; vocabularies that end inside a panel and inside a 4-panel tile).
TEST(SpladeHead, Avx512Fp32GivesTheAvx2KernelsBits) {
  std::mt19937 rng(21);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (const std::int64_t hidden : {1, 7, 128}) {
    for (const std::int64_t vocab : {1037, 2048 + 5 * 16}) {
      Case c{13, 13, hidden, vocab, {}};
      for (std::int64_t b = 0; b < c.batch; ++b) c.lengths.push_back(b + 1);
      std::vector<float> x(static_cast<std::size_t>(c.batch * c.seq * hidden)), w(static_cast<std::size_t>(hidden * vocab)),
          bias(static_cast<std::size_t>(vocab), 0.5f);
      for (auto& v : x) v = normal(rng);
      for (auto& v : w) v = normal(rng);
      std::vector<float> a(static_cast<std::size_t>(c.batch * vocab)), b(a.size());
      SpladeHead(w, bias, hidden, 1, 2).pool(x.data(), c.batch, c.seq, c.lengths, nullptr, a.data());
      SpladeHead(w, bias, hidden, 1, 2, 0, HeadKernel::kAvx2).pool(x.data(), c.batch, c.seq, c.lengths, nullptr, b.data());
      const auto want = definition(c, x, w, bias, nullptr, false, 1);
      for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i], b[i]) << "hidden " << hidden << " vocab " << vocab << " at " << i;
        ASSERT_NEAR(a[i], want[i], 1e-5f * (1.0f + want[i])) << i;
      }
    }
  }
}

// An int8 decoder on DynamicQuantizeLinear's x_q, QInt8 weights (W_q in [-128, 127], zero point
// 0) and QUInt8 weights (W_q in [0, 255] less a zero point per column, the portable format):
// VNNI's sums of x_q * (W - offset) plus offset * sum x_q less x_zp * column sum, the AVX2
// int16 kernel's sums of (x_q - x_zp) * W, OpenBLAS' chunked float sums and the definition
// are the same integers, on hidden sizes that are not whole quads, 1 to 13 tokens, ragged
// vocabularies and activation zero points 0 to 255.
TEST(SpladeHead, Int8KernelsGiveTheSameIntegersOnQuantizedInput) {
  std::mt19937 rng(17);
  std::uniform_int_distribution<int> q(0, 255), s8(-128, 127);
  for (const bool unsigned_weights : {false, true}) {
    for (const std::int64_t hidden : {1, 6, 33, 128}) {
      for (const int zp : {0, 128, 255}) {
        Case c{13, 13, hidden, 1037, {}};
        for (std::int64_t b = 0; b < c.batch; ++b) c.lengths.push_back(b + 1);
        std::vector<std::uint8_t> x_q(static_cast<std::size_t>(c.batch * c.seq * hidden));
        std::vector<float> centered(x_q.size()), w(static_cast<std::size_t>(hidden * c.vocab)),
            bias(static_cast<std::size_t>(c.vocab), -1.0f), w_scale(bias.size()), scale(bias.size());
        for (std::size_t i = 0; i < x_q.size(); ++i)
          centered[i] = static_cast<float>((x_q[i] = static_cast<std::uint8_t>(q(rng))) - zp);
        std::vector<int> w_zp(static_cast<std::size_t>(c.vocab), 0);
        if (unsigned_weights)
          for (auto& z : w_zp) z = q(rng);
        for (std::int64_t h = 0; h < hidden; ++h)
          for (std::int64_t v = 0; v < c.vocab; ++v)
            w[h * c.vocab + v] = static_cast<float>(unsigned_weights ? q(rng) - w_zp[static_cast<std::size_t>(v)] : s8(rng));
        const float x_scale = 0.02f;
        for (std::size_t v = 0; v < w_scale.size(); ++v)
          scale[v] = x_scale * (w_scale[v] = 1e-3f * static_cast<float>(1 + v % 5));
        const auto want = definition(c, centered, w, bias, &scale, true, 1);
        int positive = 0;
        for (const HeadKernel kernel : {HeadKernel::kAuto, HeadKernel::kAvx2, HeadKernel::kBlas}) {
          const SpladeHead head(w, bias, hidden, 1, 2, 255 * 255, kernel);
          if (kernel == HeadKernel::kAuto && avx512::vnni_available()) EXPECT_STREQ(head.kernel_name(), "avx512 vnni (vpdpbusd)");
          std::vector<float> got(want.size()), via_pool(want.size());
          head.pool_quantized(x_q.data(), static_cast<std::uint8_t>(zp), x_scale, w_scale.data(), c.batch, c.seq,
                              c.lengths, got.data());
          head.pool(centered.data(), c.batch, c.seq, c.lengths, scale.data(), via_pool.data());
          for (std::size_t i = 0; i < want.size(); ++i) {
            ASSERT_EQ(got[i], want[i]) << head.kernel_name() << " unsigned " << unsigned_weights << " hidden " << hidden
                                       << " zp " << zp << " at " << i;
            ASSERT_EQ(via_pool[i], want[i]) << head.kernel_name() << " pool() hidden " << hidden << " at " << i;
            positive += want[i] > 0;
          }
        }
        EXPECT_GT(positive, 100);
      }
    }
  }
}

// Odd hidden sizes (int16 pairs padded), texts of 1 to 13 tokens (6-row tiles and their
// remainders), a vocabulary that ends inside a panel: AVX2 equals OpenBLAS (without AVX2 both
// are OpenBLAS, still checked against the definition).
TEST(SpladeHead, Avx2KernelsEqualOpenBlasOnRaggedShapes) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> u(-255, 255);
  for (const std::int64_t hidden : {1, 7, 33}) {
    const Case c{13, 13, hidden, 1037, {}};
    Case cc = c;
    for (std::int64_t b = 0; b < c.batch; ++b) cc.lengths.push_back(b + 1);
    std::vector<float> x(static_cast<std::size_t>(c.batch * c.seq * hidden)), w(static_cast<std::size_t>(hidden * c.vocab)),
        bias(static_cast<std::size_t>(c.vocab), -100.0f), scale(static_cast<std::size_t>(c.vocab), 1.0f);
    for (auto& v : x) v = static_cast<float>(u(rng));
    for (auto& v : w) v = static_cast<float>(u(rng));
    for (const bool integer : {false, true}) {
      const std::int64_t max_product = integer ? 255 * 255 : 0;
      std::vector<float> a(static_cast<std::size_t>(c.batch * c.vocab)), b(a.size());
      SpladeHead(w, bias, hidden, 1, 2, max_product).pool(x.data(), c.batch, c.seq, cc.lengths, &scale[0], a.data());
      SpladeHead(w, bias, hidden, 1, 2, max_product, HeadKernel::kBlas)
          .pool(x.data(), c.batch, c.seq, cc.lengths, &scale[0], b.data());
      const auto want = definition(cc, x, w, bias, &scale, true, 1);
      int positive = 0;
      for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i], want[i]) << "hidden " << hidden << " integer " << integer << " at " << i;
        ASSERT_EQ(b[i], want[i]) << "hidden " << hidden << " integer " << integer << " at " << i;
        positive += want[i] > 0;
      }
      EXPECT_GT(positive, 100);
    }
  }
}

// DynamicQuantizeLinear's outputs straight in: equal to pool() on x_q - x_zp with the scale
// x_scale * W_scale, and to the definition.
TEST_P(SpladeHeadKernels, QuantizedInputEqualsPoolOnCenteredOperands) {
  const Case c{3, 40, 33, 1500, {40, 9, 0}};
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> q(0, 255), wq(-255, 255);
  const std::uint8_t zp = 117;
  const float x_scale = 0.05f;
  std::vector<std::uint8_t> x_q(static_cast<std::size_t>(c.batch * c.seq * c.hidden));
  std::vector<float> centered(x_q.size()), w(static_cast<std::size_t>(c.hidden * c.vocab)),
      bias(static_cast<std::size_t>(c.vocab), -2.0f), w_scale(bias.size()), scale(bias.size());
  for (std::size_t i = 0; i < x_q.size(); ++i) centered[i] = static_cast<float>((x_q[i] = static_cast<std::uint8_t>(q(rng))) - zp);
  for (auto& v : w) v = static_cast<float>(wq(rng));
  for (std::size_t v = 0; v < w_scale.size(); ++v) scale[v] = x_scale * (w_scale[v] = 1e-4f * static_cast<float>(1 + v % 7));
  const SpladeHead head(w, bias, c.hidden, 1, 2, 255 * 255, GetParam());
  std::vector<float> a(static_cast<std::size_t>(c.batch * c.vocab)), b(a.size());
  head.pool_quantized(x_q.data(), zp, x_scale, w_scale.data(), c.batch, c.seq, c.lengths, a.data());
  head.pool(centered.data(), c.batch, c.seq, c.lengths, scale.data(), b.data());
  const auto want = definition(c, centered, w, bias, &scale, true, 1);
  int positive = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i], want[i]) << i;
    ASSERT_EQ(b[i], want[i]) << i;
    positive += want[i] > 0;
  }
  EXPECT_GT(positive, 100);
  const SpladeHead fp32(w, bias, c.hidden, 1, 1, 0, GetParam());
  EXPECT_THROW(fp32.pool_quantized(x_q.data(), zp, x_scale, w_scale.data(), c.batch, c.seq, c.lengths, a.data()),
               Error);
}

INSTANTIATE_TEST_SUITE_P(Kernels, SpladeHeadKernels,
                         testing::Values(HeadKernel::kAuto, HeadKernel::kAvx2, HeadKernel::kBlas),
                         [](const testing::TestParamInfo<HeadKernel>& i) {
                           return std::string(i.param == HeadKernel::kAuto   ? "Auto"
                                              : i.param == HeadKernel::kAvx2 ? "Avx2"
                                                                             : "Blas");
                         });

}  // namespace
}  // namespace splade::encode
