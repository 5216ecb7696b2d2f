// Run files as Anserini writes them. Sources (castorini/anserini @81e3414):
// ScoreTiesAdjusterReranker.java (round to 1e-4 in double, then each tie within 1e-4
// lowered by dup * 1e-6 in float), RunOutputWriter.java (String.format(Locale.US, "%s Q0 %s %d %f %s")), and
// java.util.Formatter's documented %f: the value's decimal digits rounded HALF_UP.
#include <gtest/gtest.h>

#include "splade/searcher.h"
#include "support/cli_runner.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::read_bytes;
using testing::run_cli;
using testing::TempDir;
using testing::write_bytes;

TEST(TrecRun, JavaPercentFRoundsHalfUp) {
  EXPECT_EQ(java_format_f(7.0f), "7.000000");
  EXPECT_EQ(java_format_f(0.0f), "0.000000");
  EXPECT_EQ(java_format_f(0.5f), "0.500000");
  // 0.0078125 is exact in binary: a true tie at the 7th decimal. HALF_UP gives ...813
  // (C's printf, rounding the binary value half-to-even, prints 0.007812).
  EXPECT_EQ(java_format_f(0.0078125f), "0.007813");
  EXPECT_EQ(java_format_f(1234567.0f), "1234567.000000");
  EXPECT_EQ(java_format_f(0.0000004f), "0.000000");
  EXPECT_EQ(java_format_f(0.0000006f), "0.000001");
  EXPECT_EQ(java_format_f(9.9999999f), "10.000000");
  EXPECT_EQ(java_format_f(-2.5f), "-2.500000");
}

TEST(TrecRun, AnseriniScoreTieAdjustment) {
  // Ties: the second of two equal scores is lowered by 1e-6 (float: 7 - 1e-6 = 6.999999046...).
  auto s = anserini_adjusted_scores({{0, 7}, {1, 7}, {2, 7}, {3, 4}});
  EXPECT_EQ(java_format_f(s[0]), "7.000000");
  EXPECT_EQ(java_format_f(s[1]), "6.999999");
  EXPECT_EQ(java_format_f(s[2]), "6.999998");
  EXPECT_EQ(java_format_f(s[3]), "4.000000");
  // Rounding is done in double (Anserini PR #1658: float overflowed for SPLADE scores).
  s = anserini_adjusted_scores({{0, 30001}, {1, 3000000}, {2, 250000}});
  EXPECT_EQ(java_format_f(s[0]), "30001.000000");
  EXPECT_EQ(java_format_f(s[1]), "3000000.000000");
  EXPECT_EQ(java_format_f(s[2]), "250000.000000");
  // Above 2^24 the float score is no longer the integer (Lucene adds floats).
  s = anserini_adjusted_scores({{0, 16777217}});
  EXPECT_EQ(java_format_f(s[0]), "16777216.000000");
}

TEST(TrecRun, CliIndexSearchWritesRunAndRefusesBadInput) {
  TempDir dir;
  write_bytes(dir / "c.jsonl",
              "{\"id\": \"d2\", \"vector\": {\"a\": 3, \"b\": 1}}\n"
              "{\"id\": \"d1\", \"vector\": {\"a\": 3, \"b\": 1}}\n"
              "{\"id\": \"d10\", \"vector\": {\"c\": 5, \"a\": 1}}\n");
  write_bytes(dir / "q.tsv", "q1\ta a b\nq2\tc zzz\nq3\tzzz\n");
  write_bytes(dir / "q.jsonl", "{\"id\": \"q1\", \"vector\": {\"a\": 2, \"b\": 1}}\n");
  auto r = run_cli({"index", "--input", (dir / "c.jsonl").string(), "--index", (dir / "idx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli({"search", "--index", (dir / "idx").string(), "--topics", (dir / "q.tsv").string(), "--output",
               (dir / "run.txt").string(), "--hits", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("p99"), std::string::npos);
  EXPECT_EQ(read_bytes(dir / "run.txt"),
            "q1 Q0 d1 1 7.000000 splade\n"
            "q1 Q0 d2 2 6.999999 splade\n"
            "q2 Q0 d10 1 5.000000 splade\n");
  r = run_cli({"search", "--index", (dir / "idx").string(), "--topics", (dir / "q.jsonl").string(), "--output",
               (dir / "run2.txt").string(), "--score-format", "integer", "--tag", "t", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_bytes(dir / "run2.txt"), "q1 Q0 d1 1 7 t\nq1 Q0 d2 2 7 t\nq1 Q0 d10 3 2 t\n");
  // CIFF out and back in.
  r = run_cli({"export", "ciff", "--index", (dir / "idx").string(), "-o", (dir / "x.ciff").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli({"index", "--from-ciff", (dir / "x.ciff").string(), "--index", (dir / "idx2").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Bad inputs: exit 2, one line naming the file; no run file left behind.
  write_bytes(dir / "idx2/postings.bin", "garbage");
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"search", "--index", (dir / "idx2").string(), "--topics", (dir / "q.tsv").string(), "--output", (dir / "bad.run").string()}, "postings.bin"},
      {{"search", "--index", (dir / "idx").string(), "--topics", (dir / "none.tsv").string(), "--output", (dir / "bad.run").string()}, "none.tsv"},
      {{"index", "--input", (dir / "c.jsonl").string(), "--index", (dir / "idx").string()}, "already exists"},
      {{"index", "--input", (dir / "missing.jsonl").string(), "--index", (dir / "idx3").string()}, "missing.jsonl"},
  };
  for (const auto& [args, needle] : bad) {
    r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << needle << ": " << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.run"));
  EXPECT_FALSE(std::filesystem::exists(dir / "idx3"));
}

}  // namespace
}  // namespace splade
