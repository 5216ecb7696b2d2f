// Encoder on a hand-built pooled model whose weights follow a formula (model_builder.h):
// the vectors must equal that formula, and stats() must count exactly the Run calls made
// and never more model time than the wall time around them.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "splade/encoder.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

const std::vector<std::string> kVocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "sparse",
                                         "lexical", "retrieval", "with", "bert", "##s", "model"};
constexpr float kStart = -6.0f;

class EncoderStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream vocab(dir / "vocab.txt");
    for (const auto& token : kVocab) vocab << token << "\n";
    vocab.close();
    const auto model = testing::make_pooled_lookup_model(static_cast<std::int64_t>(kVocab.size()), kStart);
    testing::write_bytes(dir / "model.onnx", model.SerializeAsString());
  }
  // The weight formula of make_pooled_lookup_model, minus [PAD]/[CLS]/[SEP] (never terms).
  static std::vector<std::pair<std::int64_t, float>> expected(const std::vector<std::int64_t>& ids) {
    const auto vocab = static_cast<std::int64_t>(kVocab.size());
    const std::int64_t top = *std::max_element(ids.begin(), ids.end());
    std::vector<std::pair<std::int64_t, float>> out;
    for (std::int64_t j = 0; j < vocab; ++j) {
      const float w = std::max(0.0f, kStart + 0.25f * static_cast<float>(top * vocab + j));
      if (w > 0.0f && j != 0 && j != 2 && j != 3) out.emplace_back(j, w);
    }
    return out;
  }
  testing::TempDir dir;
};

TEST_F(EncoderStatsTest, VectorsFollowTheModelAndStatsCountEveryRun) {
  auto encoder = Encoder::open((dir / "model.onnx").string(), (dir / "vocab.txt").string());
  EXPECT_EQ(encoder.contract(), ModelContract::kPooled);
  EXPECT_EQ(encoder.stats().model_runs, 0u);
  EXPECT_EQ(encoder.stats().model_seconds, 0.0);

  const std::vector<std::string_view> texts = {"sparse retrieval", "bert models with lexical", "model"};
  const auto t0 = std::chrono::steady_clock::now();
  for (auto text : texts) {
    const auto v = encoder.encode(text);
    const auto want = expected(encoder.tokenizer().encode(text, EncodeOptions{}).ids);
    ASSERT_EQ(v.ids.size(), want.size()) << text;
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(v.ids[i], want[i].first) << text;
      EXPECT_FLOAT_EQ(v.weights[i], want[i].second) << text;
    }
  }
  const auto batch = encoder.encode_batch(texts);  // one padded Run for all three
  ASSERT_EQ(batch.size(), texts.size());
  for (std::size_t b = 0; b < texts.size(); ++b) EXPECT_EQ(batch[b].ids, encoder.encode(texts[b]).ids);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const auto stats = encoder.stats();
  EXPECT_EQ(stats.model_runs, texts.size() + 1 + texts.size());
  EXPECT_GT(stats.model_seconds, 0.0);
  EXPECT_LE(stats.model_seconds, wall);
}

}  // namespace
}  // namespace splade
