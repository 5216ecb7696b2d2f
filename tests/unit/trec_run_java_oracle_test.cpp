// The Anserini score column against Java itself (tests/oracle/java/AnseriniScores.java runs
// ScoreTiesAdjusterReranker's float arithmetic and String.format "%f" in a JVM). A missing
// `java` is a failure, not a skip.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <sstream>

#include "splade/searcher.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

TEST(TrecRunJavaOracle, AdjustedScoresFormatLikeJava) {
  std::mt19937_64 rng(17);
  std::string input, expected;
  for (int list = 0; list < 400; ++list) {
    // Magnitudes from tiny to past float's exact integers (2^24); runs of ties.
    const std::uint64_t top = std::vector<std::uint64_t>{3, 40, 1000, 20000, 300000, 20000000, 1000000000}[list % 7];
    std::uint64_t score = top + rng() % (top + 1);
    std::vector<Hit> hits;
    for (int i = 0; i < 60 && score > 0; ++i) {
      hits.push_back({static_cast<std::uint32_t>(i), score});
      if (rng() % 3 != 0) score -= std::min<std::uint64_t>(score, 1 + rng() % (top / 10 + 2));
    }
    if (hits.empty()) continue;
    for (std::size_t i = 0; i < hits.size(); ++i) input += std::to_string(hits[i].score) + (i + 1 < hits.size() ? " " : "\n");
    const auto adjusted = anserini_adjusted_scores(hits);
    for (std::size_t i = 0; i < adjusted.size(); ++i) expected += java_format_f(adjusted[i]) + (i + 1 < adjusted.size() ? " " : "\n");
  }
  TempDir dir;
  write_bytes(dir / "in.txt", input);
  const std::string source =
      (std::filesystem::path(__FILE__).parent_path().parent_path() / "oracle/java/AnseriniScores.java").string();
  const std::string cmd = "java '" + source + "' < '" + (dir / "in.txt").string() + "' > '" + (dir / "out.txt").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "the Java oracle did not run (is a JDK installed?): " << cmd;
  const std::string got = read_bytes(dir / "out.txt");
  std::istringstream a(got), b(expected);
  std::string la, lb;
  int n = 0;
  while (std::getline(b, lb)) {
    ASSERT_TRUE(std::getline(a, la)) << "Java printed fewer lines";
    ASSERT_EQ(lb, la) << "list " << n;
    ++n;
  }
  EXPECT_GT(n, 300);
}

}  // namespace
}  // namespace splade
