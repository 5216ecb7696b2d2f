// Regression files: every regressions/*.yaml loads; malformed files are refused naming the
// field; check_run passes a run whose figures are within the tolerance and fails one outside.
#include <gtest/gtest.h>

#include <cstdlib>

#include "splade/error.h"
#include "splade/evaluator.h"
#include "splade/regression.h"
#include "support/temp_dir.h"

using namespace splade;
using splade::testing::TempDir;

namespace {

const char* kValid = R"(name: tiny
corpus:
  collection: cisi
  documents: 3
model:
  kind: random-weight
  path: "{work}/model"
  make: "scripts/make_regression_model.py {work}/model"
queries:
  encoding: vectors
  vectors: {path: "{work}/q.tsv", make: "make it"}
topics: "{data}/t.tsv"
qrels: "{work}/qrels.txt"
metrics:
  - {name: map, trec_eval: [-c, -m, map], expected: 0.5}
  - {name: recip_rank, trec_eval: [-c, -M, "1", -m, recip_rank], expected: 0.5}
tolerance: 0.0001
expected:
  tool: "a tool"
  commands: ["cmd"]
)";

std::string load_error(const std::string& yaml) {
  TempDir dir;
  splade::testing::write_bytes(dir / "r.yaml", yaml);
  try {
    regression::load_regression(dir / "r.yaml");
  } catch (const Error& e) {
    std::string m = e.what();
    return m.substr(m.find("r.yaml: ") + 8);
  }
  return "(no error)";
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}

}  // namespace

TEST(RegressionSpec, EveryShippedRegressionLoads) {
  const std::filesystem::path here = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "regressions";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(here)) {
    if (e.path().extension() != ".yaml") continue;
    const auto spec = regression::load_regression(e.path());
    EXPECT_EQ(spec.name + ".yaml", e.path().filename().string());
    EXPECT_FALSE(spec.metrics.empty());
    EXPECT_FALSE(spec.expected_commands.empty());
    ++n;
  }
  EXPECT_GE(n, 6);  // four small collections + two MS MARCO
}

TEST(RegressionSpec, ValidFileAndPlaceholders) {
  TempDir dir;
  splade::testing::write_bytes(dir / "r.yaml", kValid);
  const auto s = regression::load_regression(dir / "r.yaml");
  EXPECT_EQ(s.name, "tiny");
  EXPECT_EQ(s.metrics.size(), 2u);
  EXPECT_EQ(s.inputs.size(), 5u);  // model, model.onnx (default), queries.vectors, topics, qrels
  EXPECT_EQ(s.onnx_model, "{work}/onnx");
  EXPECT_EQ(regression::expand(s.qrels, "/w", "/d"), "/w/qrels.txt");
  EXPECT_EQ(regression::expand(s.topics, "/w", "/d"), "/d/t.tsv");
  EXPECT_EQ(regression::missing_inputs(s, dir.path(), dir.path()).size(), 5u);
  // The runner makes the ONNX model and the query vectors; the model, topics in {data} and
  // qrels outside {work}/collection/ are for the user (or their make commands) to supply.
  std::vector<std::string> supply;
  for (const auto& in : regression::inputs_to_supply(s, dir.path(), dir.path())) supply.push_back(in.role);
  EXPECT_EQ(supply, (std::vector<std::string>{"model", "topics", "qrels"}));
}

TEST(RegressionSpec, OnnxEntryAndOnTheFlyQueryVectors) {
  const std::string yaml =
      replaced(replaced(kValid, "  make: \"scripts/make_regression_model.py {work}/model\"\n",
                        "  make: \"scripts/make_regression_model.py {work}/model\"\n"
                        "  onnx: {path: \"{work}/m.onnx.d\", make: \"splade convert {work}/model -o {work}/m.onnx.d\"}\n"),
               "encoding: vectors", "encoding: onnx");
  TempDir dir;
  splade::testing::write_bytes(dir / "r.yaml", yaml);
  const auto s = regression::load_regression(dir / "r.yaml");
  EXPECT_EQ(s.onnx_model, "{work}/m.onnx.d");
  EXPECT_EQ(s.query_encoding, "onnx");
  EXPECT_EQ(s.query_vectors, "{work}/q.tsv");  // recorded, compared with the on-the-fly vectors
  EXPECT_EQ(load_error(replaced(yaml, "kind: random-weight", "kind: onnx")),
            "field 'model.onnx': only a random-weight or huggingface model is converted to ONNX (kind is onnx)");
  EXPECT_EQ(load_error(replaced(replaced(kValid, "kind: random-weight", "kind: none"), "encoding: vectors", "encoding: onnx")),
            "field 'queries.encoding': onnx encoding needs a model (model.kind is none)");
  EXPECT_EQ(load_error(replaced(kValid, "kind: random-weight", "kind: random-weight\n  vocab: v.txt")),
            "field 'model.vocab': only for kind onnx (the tokenizer of an ONNX file)");
}

// The make command is run by /bin/sh itself: paths with spaces and quotes survive, and only
// `splade` in command position becomes the binary.
TEST(RegressionSpec, MakeCommandRunsInTheShell) {
  TempDir dir;
  const auto work = dir / "it's a work dir";
  std::filesystem::create_directories(work);
  const std::string make = "echo splade > {work}/said.txt && splade --version > {work}/version.txt; echo {data} > {work}/data.txt";
  const std::string cmd = regression::make_command(make, work, dir / "d a t a", SPLADE_CLI_PATH);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;  // std::system runs /bin/sh -c cmd
  EXPECT_EQ(splade::testing::read_bytes(work / "said.txt"), "splade\n");
  EXPECT_EQ(splade::testing::read_bytes(work / "version.txt").rfind("splade ", 0), 0u);
  EXPECT_EQ(splade::testing::read_bytes(work / "data.txt"), (dir / "d a t a").string() + "\n");
}

// sha256 of a file, and of a folder of vector files concatenated in name order (FIPS 180-2
// test vector: sha256("abc")).
TEST(RegressionSpec, VectorsSha256) {
  TempDir dir;
  std::filesystem::create_directories(dir / "v");
  splade::testing::write_bytes(dir / "v" / "b.jsonl", "c");
  splade::testing::write_bytes(dir / "v" / "a.jsonl", "ab");
  splade::testing::write_bytes(dir / "v" / "notes.txt", "ignored");
  splade::testing::write_bytes(dir / "abc", "abc");
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_EQ(regression::vectors_sha256(dir / "abc"), abc);
  EXPECT_EQ(regression::vectors_sha256(dir / "v"), abc);
  EXPECT_THROW(regression::vectors_sha256(dir / "none"), Error);
}

TEST(RegressionSpec, MalformedFilesNameTheField) {
  EXPECT_EQ(load_error(replaced(kValid, "name: tiny\n", "")), "field '.name': is missing");
  EXPECT_EQ(load_error(replaced(kValid, "kind: random-weight", "kind: magic")),
            "field 'model.kind': expected random-weight, huggingface, onnx or none, found 'magic'");
  EXPECT_EQ(load_error(replaced(kValid, "  make: \"scripts/make_regression_model.py {work}/model\"\n", "")),
            "field 'model.make': a random-weight model needs the command that makes it");
  EXPECT_EQ(load_error(replaced(kValid, "expected: 0.5}", "expected: high}")),
            "field 'metrics[0].expected': expected a number, found 'high'");
  EXPECT_EQ(load_error(replaced(kValid, "[-c, -m, map]", "[-c, -x, map]")),
            "field 'metrics[0].trec_eval': unsupported trec_eval option '-x' (supported: -c -J -q -M N -l N -m MEASURE)");
  EXPECT_EQ(load_error(replaced(kValid, "documents: 3", "documents: 0")), "field 'corpus.documents': expected a positive count");
  EXPECT_EQ(load_error(replaced(kValid, "tolerance: 0.0001", "tolerance: -1")), "field 'tolerance': expected a number >= 0");
  EXPECT_NE(load_error("name: [unclosed\n").find("not valid YAML"), std::string::npos);
  EXPECT_EQ(load_error(replaced(kValid, "tolerance: 0.0001", "tolerance: 0.0001\ncheck: atleast")),
            "field 'check': expected within-tolerance or at-least, found 'atleast'");
  EXPECT_EQ(load_error(replaced(kValid, "  kind: random-weight\n", "  kind: random-weight\n  int8: avx9\n")).substr(0, 18),
            "field 'model.int8'");
}

TEST(RegressionSpec, AtLeastPassesAFigureAboveTheExpectedOne) {
  TempDir dir;
  splade::testing::write_bytes(dir / "r.yaml", replaced(kValid, "tolerance: 0.0001", "tolerance: 0.0001\ncheck: at-least"));
  auto spec = regression::load_regression(dir / "r.yaml");
  ASSERT_EQ(spec.check, regression::RegressionSpec::Check::kAtLeast);
  const auto qrels = eval::parse_qrels("1 0 a 1\n1 0 b 0\n2 0 c 1\n", "q");
  const auto run = eval::parse_run("1 Q0 b 1 2 t\n1 Q0 a 2 1 t\n2 Q0 x 1 1 t\n", "r");
  for (auto& m : spec.metrics)
    for (const auto& v : eval::evaluate(qrels, run, regression::parse_trec_eval_args(m.trec_eval)).summary)
      if (v.name == m.name) m.expected = v.value;
  spec.metrics[0].expected -= 0.1;                     // ours is far better: passes
  spec.metrics[1].expected += spec.tolerance / 2;      // a shortfall within the tolerance: passes
  EXPECT_TRUE(regression::check_run(spec, qrels, run).passed()) << regression::check_run(spec, qrels, run).text();
  spec.metrics[1].expected += 2 * spec.tolerance;      // short by more than the tolerance: fails
  const auto report = regression::check_run(spec, qrels, run);
  EXPECT_FALSE(report.outcomes[1].ok);
  EXPECT_NE(report.text().find("expected >= "), std::string::npos) << report.text();
}

TEST(RegressionSpec, CheckRunComparesWithinTolerance) {
  TempDir dir;
  splade::testing::write_bytes(dir / "r.yaml", kValid);
  auto spec = regression::load_regression(dir / "r.yaml");
  const auto qrels = eval::parse_qrels("1 0 a 1\n1 0 b 0\n2 0 c 1\n", "q");
  const auto run = eval::parse_run("1 Q0 b 1 2 t\n1 Q0 a 2 1 t\n2 Q0 x 1 1 t\n", "r");
  // The expected figures are set from evaluate() itself (the property under test is the comparison).
  for (auto& m : spec.metrics)
    for (const auto& v : eval::evaluate(qrels, run, regression::parse_trec_eval_args(m.trec_eval)).summary)
      if (v.name == m.name) m.expected = v.value;
  EXPECT_TRUE(regression::check_run(spec, qrels, run).passed()) << regression::check_run(spec, qrels, run).text();
  spec.metrics[1].expected += 2 * spec.tolerance;
  const auto report = regression::check_run(spec, qrels, run);
  EXPECT_FALSE(report.passed());
  EXPECT_TRUE(report.outcomes[0].ok);
  EXPECT_FALSE(report.outcomes[1].ok);
  EXPECT_NE(report.text().find("tiny: FAIL"), std::string::npos);
}
