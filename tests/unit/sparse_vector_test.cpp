// anserini_impact against Java itself (Anserini computes Math.round(w / 5 * 256) in Java),
// and prune() against its definition.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include "splade/sparse_vector.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

TEST(AnseriniImpact, AgreesWithJavaMathRoundBitForBit) {
  testing::TempDir dir;
  // Weights as float bit patterns: random SPLADE-range values plus every value whose
  // scaled form lands exactly on or next to a .5 tie (where rounding rules differ).
  std::vector<float> weights;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(0.0f, 5.0f);
  for (int i = 0; i < 20000; ++i) weights.push_back(uniform(rng));
  for (int k = 0; k < 1300; ++k) {
    const float tie = (static_cast<float>(k) + 0.5f) * 5.0f / 256.0f;
    weights.push_back(tie);
    weights.push_back(std::nextafter(tie, 0.0f));
    weights.push_back(std::nextafter(tie, 10.0f));
  }
  weights.push_back(0.0f);
  weights.push_back(0.49999997f);
  {
    std::ofstream in(dir / "weights.txt");
    for (float w : weights) in << std::bit_cast<std::uint32_t>(w) << "\n";
    std::ofstream java(dir / "Round.java");
    java << "import java.io.*;\n"
            "public class Round { public static void main(String[] a) throws Exception {\n"
            "  BufferedReader r = new BufferedReader(new FileReader(a[0]));\n"
            "  PrintWriter w = new PrintWriter(new FileWriter(a[1])); String line;\n"
            "  while ((line = r.readLine()) != null) {\n"
            "    Float weight = Float.intBitsToFloat((int) Long.parseLong(line));\n"
            "    int weightRange = 5, quantRange = 256;\n"  // as in Anserini's SparseEncoder
            "    w.println(Math.round(weight / weightRange * quantRange)); }\n"
            "  w.close(); } }\n";
  }
  const std::string cmd = "cd '" + dir.path().string() + "' && java Round.java weights.txt java.txt 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "java is needed for this oracle (scripts/setup.sh installs it)";
  std::ifstream out(dir / "java.txt");
  std::size_t i = 0;
  std::int64_t expected;
  while (out >> expected) {
    ASSERT_LT(i, weights.size());
    EXPECT_EQ(anserini_impact(weights[i]), expected) << "weight " << weights[i];
    ++i;
  }
  EXPECT_EQ(i, weights.size());
}

TEST(Prune, ThresholdThenTopKKeepsIdOrder) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> w(0.0f, 2.0f);
  for (int trial = 0; trial < 200; ++trial) {
    SparseVector v;
    for (std::int64_t id = 0; id < 300; id += 1 + static_cast<std::int64_t>(rng() % 5)) {
      v.ids.push_back(id);
      v.weights.push_back(std::round(w(rng) * 8) / 8);  // many ties
    }
    const float threshold = 0.5f;
    const int k = 1 + static_cast<int>(rng() % 40);
    SparseVector pruned = v;
    prune(pruned, threshold, k);
    // Definition: the k best of those >= threshold, ranked by weight desc then id asc.
    std::vector<std::pair<float, std::int64_t>> ranked;
    for (std::size_t i = 0; i < v.ids.size(); ++i)
      if (v.weights[i] >= threshold) ranked.emplace_back(-v.weights[i], v.ids[i]);
    std::sort(ranked.begin(), ranked.end());
    if (ranked.size() > static_cast<std::size_t>(k)) ranked.resize(static_cast<std::size_t>(k));
    std::vector<std::int64_t> ids;
    for (auto& [neg, id] : ranked) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(pruned.ids, ids);
    for (std::size_t i = 0; i < pruned.ids.size(); ++i) {
      auto it = std::find(v.ids.begin(), v.ids.end(), pruned.ids[i]);
      EXPECT_EQ(pruned.weights[i], v.weights[static_cast<std::size_t>(it - v.ids.begin())]);
    }
  }
}

}  // namespace
}  // namespace splade
