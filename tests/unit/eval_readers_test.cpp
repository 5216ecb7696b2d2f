// Qrels/run readers and measure arguments: the errors trec_eval reports (or silently
// mis-reads), each with the file and line. Values themselves are checked against trec_eval's
// code in tests/oracle/test_eval_oracle.py.
#include <gtest/gtest.h>
#include <zlib.h>

#include "support/error_message.h"
#include "splade/error.h"
#include "splade/evaluator.h"
#include "support/cli_runner.h"
#include "support/gzip_file.h"
#include "support/temp_dir.h"

using namespace splade;
using namespace splade::eval;
using splade::testing::TempDir;

using splade::testing::error_of;

TEST(EvalReaders, QrelsMalformedLinesNameTheLine) {
  EXPECT_EQ(error_of([] { parse_qrels("1 0 d1 1\n\n1 0 d2\n", "q.txt"); }),
            "q.txt:3: expected 4 fields 'qid iter docno relevance', found 3");
  EXPECT_EQ(error_of([] { parse_qrels("1 0 d1 1 extra\n", "q.txt"); }),
            "q.txt:1: expected 4 fields 'qid iter docno relevance', found 5");
  EXPECT_EQ(error_of([] { parse_qrels("1 0 d1 x\n", "q.txt"); }), "q.txt:1: relevance 'x' is not an integer");
  EXPECT_EQ(error_of([] { parse_qrels("1 0 d1 1\n1 0 d1 2\n", "q.txt"); }),
            "q.txt: query 1 judges document d1 twice");
  EXPECT_EQ(error_of([] { parse_qrels("\n  \n", "q.txt"); }), "q.txt: no judgments (empty qrels)");
}

TEST(EvalReaders, RunMalformedLinesNameTheLine) {
  EXPECT_EQ(error_of([] { parse_run("1 Q0 d1 1 2.5 t\n1 Q0 d2 2 2.0\n", "r.txt"); }),
            "r.txt:2: expected 6 fields 'qid Q0 docno rank score tag', found 5");
  EXPECT_EQ(error_of([] { parse_run("1 Q0 d1 1 abc t\n", "r.txt"); }), "r.txt:1: score 'abc' is not a finite number");
  EXPECT_EQ(error_of([] { parse_run("1 Q0 d1 1 nan t\n", "r.txt"); }), "r.txt:1: score 'nan' is not a finite number");
  EXPECT_EQ(error_of([] { parse_run("", "r.txt"); }), "r.txt: no results (empty run)");
  // A document retrieved twice is trec_eval's "duplicate docs" failure.
  const eval::Run dup = parse_run("1 Q0 d1 1 2 t\n1 Q0 d1 2 1 t\n", "r.txt");
  const Qrels q = parse_qrels("1 0 d1 1\n", "q.txt");
  EXPECT_EQ(error_of([&] { evaluate(q, dup, {}); }), "run: query 1 retrieves document d1 twice");
}

TEST(EvalReaders, CrlfTabsAndExtraRunFieldsAreAccepted) {
  const eval::Run run = parse_run("1\tQ0\td1\t1\t2.5\ttag extra fields\r\n", "r.txt");
  ASSERT_EQ(run.queries.at("1").size(), 1u);
  EXPECT_EQ(run.queries.at("1")[0].docno, "d1");
  EXPECT_EQ(run.queries.at("1")[0].score, 2.5);
  EXPECT_EQ(run.run_id, "tag");
}

TEST(EvalReaders, GzipInputIsReadAndTruncatedGzipIsAnError) {
  TempDir dir;
  const std::string text = "1 0 d1 1\n1 0 d2 0\n";
  const auto path = dir / "q.txt.gz";
  splade::testing::write_gzip(path, text);
  EXPECT_EQ(read_qrels(path).queries.at("1").size(), 2u);
  const std::string bytes = splade::testing::read_bytes(path);
  splade::testing::write_bytes(dir / "cut.gz", bytes.substr(0, bytes.size() - 12));
  EXPECT_NE(error_of([&] { read_qrels(dir / "cut.gz"); }).find("truncated gzip data"), std::string::npos);
  EXPECT_EQ(error_of([&] { read_qrels(dir / "missing.txt"); }), (dir / "missing.txt").string() + ": no such file");
}

TEST(EvalMeasures, BadMeasureArgumentsAreRejected) {
  const Qrels q = parse_qrels("1 0 d1 1\n", "q");
  const eval::Run r = parse_run("1 Q0 d1 1 1 t\n", "r");
  auto with = [&](std::vector<std::string> m) {
    EvalOptions o;
    o.measures = std::move(m);
    return error_of([&] { evaluate(q, r, o); });
  };
  EXPECT_NE(with({"bpref"}).find("unknown or unsupported measure 'bpref'"), std::string::npos);
  EXPECT_EQ(with({"P.0"}), "measure 'P.0': cutoffs must be positive");
  EXPECT_EQ(with({"P.5,5"}), "measure 'P.5,5': duplicate cutoffs");
  EXPECT_EQ(with({"map.5"}), "measure 'map.5': map takes no parameters");
  EXPECT_EQ(with({"P.x"}), "measure 'P.x': cutoff 'x' is not an integer");
}

TEST(EvalMeasures, NoCommonQueryIsAnError) {
  const Qrels q = parse_qrels("1 0 d1 1\n", "q");
  const eval::Run r = parse_run("2 Q0 d1 1 1 t\n", "r");
  EXPECT_EQ(error_of([&] { evaluate(q, r, {}); }), "no query has both results in the run and judgments in the qrels");
}

TEST(EvalCli, ReportsBadInputWithExitCode2AndWritesOutputAtomically) {
  TempDir dir;
  splade::testing::write_bytes(dir / "q.txt", "1 0 d1 1\n");
  splade::testing::write_bytes(dir / "r.txt", "1 Q0 d1 1 1.0 t\n1 Q0 d2\n");
  auto bad = splade::testing::run_cli({"eval", "--qrels", (dir / "q.txt").string(), "--run", (dir / "r.txt").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("r.txt:2: expected 6 fields"), std::string::npos) << bad.err;
  splade::testing::write_bytes(dir / "r.txt", "1 Q0 d1 1 1.0 t\n");
  auto ok = splade::testing::run_cli({"eval", "--qrels", (dir / "q.txt").string(), "--run", (dir / "r.txt").string(),
                                      "-m", "map", "-o", (dir / "out.txt").string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(splade::testing::read_bytes(dir / "out.txt"), "map                   \tall\t1.0000\n");
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
}
