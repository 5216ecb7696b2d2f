// Regressions, like Anserini's: a YAML file (regressions/<name>.yaml) names a corpus, a model,
// topics and qrels, the trec_eval invocations to score a run with, the figures an independent
// tool produced (each with the commands that produced it) and a tolerance. This header holds
// the schema, its loader, and the last stage of the runner: score a run and compare it with the
// expected figures. ARCHITECTURE.md documents the format and how the runner chains
// encode -> index -> search -> eval.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "splade/evaluator.h"

namespace splade::regression {

// One expected figure: the measure as trec_eval names it in its output ("map", "P_30",
// "recip_rank", "ndcg_cut_10", "recall_1000") and the trec_eval arguments that compute it.
struct Metric {
  std::string name;
  std::vector<std::string> trec_eval;  // e.g. ["-c", "-M", "10", "-m", "recip_rank"]
  double expected = 0;
};

// A file the regression reads, with what it is and how to obtain it when it is missing.
struct Input {
  std::string role;  // "corpus.vectors", "model.path", "topics", "qrels", ...
  std::string path;  // as written, may hold {work} / {data} placeholders
  std::string how_to_get;
};

struct RegressionSpec {
  std::string name;
  std::string description;
  // corpus: either a collection `splade collection export` makes, or a user-supplied
  // JsonVectorCollection (vectors).
  std::string collection;
  std::string corpus_vectors;
  long documents = 0;  // how many documents the corpus has (checked by the runner)
  // model: kind "random-weight" (made by `make`), "huggingface" or "onnx" (at `path`), or
  // "none" (queries pre-encoded: no model runs).
  std::string model_kind;
  std::string model_make;
  std::string model_path;
  std::string query_encoding;  // "onnx" (encode topics with the model) or "vectors" (query_vectors)
  std::string query_vectors;   // pre-encoded query TSV, when query_encoding is "vectors"
  std::string topics;
  std::string qrels;
  long hits = 1000;
  std::vector<Metric> metrics;
  double tolerance = 0;
  // Where the expected figures come from: never a previous run of splade.
  std::string expected_tool;
  std::vector<std::string> expected_commands;
  std::map<std::string, std::string> sha256;  // role -> sha256 of the exact inputs the figures are for
  std::vector<Input> inputs;                  // every input file, for `splade regression inputs`
  std::filesystem::path source;               // the YAML file
};

// Parses and validates a regression file. Throws splade::Error (kNotFound, kCorrupt with the
// file, the field and what was expected).
RegressionSpec load_regression(const std::filesystem::path& path);

// Replaces {work} and {data} in `text`.
std::string expand(const std::string& text, const std::filesystem::path& work, const std::filesystem::path& data);

// trec_eval arguments ([-c] [-q] [-J] [-M N] [-l N] -m MEASURE ...) as EvalOptions.
// Throws splade::Error(kInvalidArgument).
eval::EvalOptions parse_trec_eval_args(const std::vector<std::string>& args);

struct MetricOutcome {
  Metric metric;
  double actual = 0;
  bool ok = false;  // |actual - expected| <= tolerance
};

struct RegressionReport {
  std::string name;
  double tolerance = 0;
  std::vector<MetricOutcome> outcomes;
  bool passed() const;
  std::string text() const;  // one line per metric: name, expected, actual, difference, OK/FAIL
};

// Scores `run` against `qrels` with each metric's own trec_eval arguments and compares.
RegressionReport check_run(const RegressionSpec& spec, const eval::Qrels& qrels, const eval::Run& run);

// The inputs whose (expanded) path does not exist, with how to get each.
std::vector<Input> missing_inputs(const RegressionSpec& spec, const std::filesystem::path& work,
                                  const std::filesystem::path& data);

}  // namespace splade::regression
