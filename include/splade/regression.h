// Regressions, like Anserini's: a YAML file (regressions/<name>.yaml) names a corpus, a model,
// topics and qrels, the trec_eval invocations to score a run with, the figures an independent
// tool produced (each with the commands that produced it) and a tolerance. This header holds
// the schema, its loader, and the last stage of the runner: score a run and compare it with the
// expected figures. ARCHITECTURE.md documents the format and how the runner chains
// encode -> index -> search -> eval.
#pragma once

#include <filesystem>
#include <functional>
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
  std::string how_to_get;  // the `make` command and/or the `how` text, for a person
  std::string make;        // the command that makes it (run from the repository root), or empty
};

struct RegressionSpec {
  std::string name;
  std::string description;
  // corpus: either a collection `splade collection export` makes, or a user-supplied
  // JsonVectorCollection (vectors).
  std::string collection;
  std::string corpus_vectors;
  // corpus.float_vectors: where the runner also writes the corpus' float weights (jsonl-float,
  // from the same encoding run as corpus_vectors), for fidelity checks. Empty: not written.
  std::string corpus_float_vectors;
  long documents = 0;  // how many documents the corpus has (checked by the runner)
  // model: kind "random-weight" (made by `make`), "huggingface" or "onnx" (at `path`), or
  // "none" (queries pre-encoded: no model runs).
  std::string model_kind;
  std::string model_make;
  std::string model_path;
  // kind onnx: the tokenizer for an ONNX *file* (vocab.txt or a folder); empty: the file's folder.
  std::string model_vocab;
  // kind random-weight / huggingface: the folder `splade convert --head splade-pooled` writes
  // the model into (model.onnx + tokenizer files); "{work}/onnx" unless the file says otherwise.
  std::string onnx_model;
  // model.int8: the int8 target (portable, avx2, ...) when the regression is of the int8
  // model: the runner converts into {work}/onnx-fp32, then optimizes and quantizes into
  // onnx_model, as `splade optimize` + `splade quantize --target` do. Empty: fp32.
  std::string int8_target;
  std::string query_encoding;  // "onnx" (encode topics with the model) or "vectors" (query_vectors)
  // The pre-encoded query TSV: searched when query_encoding is "vectors"; with "onnx", the
  // query vectors the expected figures were made with (the runner compares its on-the-fly
  // vectors with them). Empty when the file names none.
  std::string query_vectors;
  std::string topics;
  std::string qrels;
  long hits = 1000;
  std::vector<Metric> metrics;
  double tolerance = 0;
  // check: how a figure is compared with its expected one. kWithinTolerance (the default):
  // |actual - expected| <= tolerance, for a figure of the same vectors. kAtLeast: actual >=
  // expected - tolerance, for a figure of another tool's chain that splade must match or beat
  // (int8: onnxruntime's quantize_dynamic model, which is not splade's int8 model).
  enum class Check { kWithinTolerance, kAtLeast } check = Check::kWithinTolerance;
  // Where the expected figures come from: never a previous run of splade.
  std::string expected_tool;
  std::vector<std::string> expected_commands;
  std::map<std::string, std::string> sha256;  // role -> sha256 of the exact inputs the figures are for
  // expected.ties: the impacts that lay within `margin` of a .5 on the recording machine
  // (role<TAB>id<TAB>token<TAB>impact<TAB>x lines; the file is relative to the YAML file).
  // Another CPU may round those the other way; they are snapped back before the sha256 check.
  std::filesystem::path ties_file;
  double tie_margin = 0;
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
  bool ok = false;  // |actual - expected| <= tolerance, or actual >= expected - tolerance (kAtLeast)
};

struct RegressionReport {
  std::string name;
  double tolerance = 0;
  RegressionSpec::Check check = RegressionSpec::Check::kWithinTolerance;
  std::vector<MetricOutcome> outcomes;
  bool passed() const;
  std::string text() const;  // one line per metric: name, expected, actual, difference, OK/FAIL
};

// Scores `run` against `qrels` with each metric's own trec_eval arguments and compares.
RegressionReport check_run(const RegressionSpec& spec, const eval::Qrels& qrels, const eval::Run& run);

// The inputs whose (expanded) path does not exist, with how to get each.
std::vector<Input> missing_inputs(const RegressionSpec& spec, const std::filesystem::path& work,
                                  const std::filesystem::path& data);

// Whether run_regression makes this input itself through the library: topics and qrels under
// {work}/collection/ (collection export, when corpus.collection is set), corpus.vectors
// (encoding corpus.jsonl, when corpus.collection is set and a model runs), model.onnx
// (convert) and queries.vectors (encoding the topics) when a model runs.
bool made_by_runner(const RegressionSpec& spec, const Input& input);

// The missing inputs run_regression cannot make: what the user (or a `make` command) must supply.
std::vector<Input> inputs_to_supply(const RegressionSpec& spec, const std::filesystem::path& work,
                                    const std::filesystem::path& data);

// A `make` command as /bin/sh should run it: {work} and {data} replaced by the shell-quoted
// paths, and the word `splade` where a command starts (the first word, or after &&, ||, ;
// or |) replaced by the shell-quoted `splade_binary`.
std::string make_command(const std::string& make, const std::filesystem::path& work, const std::filesystem::path& data,
                         const std::filesystem::path& splade_binary);

// Hex sha256 of a file, or of a folder's JsonVectorCollection files (.json/.jsonl[.gz], in
// name order, as the index reads them) concatenated. Throws splade::Error (kNotFound, kIo).
std::string vectors_sha256(const std::filesystem::path& path);

// ---- The runner: collection export -> convert -> encode -> index -> search -> check_run ----

struct RunOptions {
  std::filesystem::path work;  // {work}: made inputs and outputs (index/, run.txt)
  std::filesystem::path data;  // {data}: the shared data folder
  int threads = 0;             // ONNX Runtime, indexing and search threads; 0: one per core
  // One line per step (started, skipped because its output exists, done): the CLI prints them.
  std::function<void(const std::string&)> progress;
};

struct StepTiming {
  std::string step;    // "collection export", "convert", "encode corpus", ...
  double seconds = 0;
  bool skipped = false;  // its output existed
  std::string detail;    // what it made or checked
};

struct RegressionOutcome {
  // Non-empty: inputs the runner cannot make are missing (inputs_to_supply); nothing ran.
  std::vector<Input> missing;
  // A check before scoring failed (document count, sha256 of the vectors): why, one line each.
  // The run stops at the first one; no figures are compared.
  std::vector<std::string> failures;
  // Informational lines (e.g. how many on-the-fly query vectors equal queries.vectors).
  std::vector<std::string> notes;
  std::vector<StepTiming> steps;
  RegressionReport report;  // set when the run got to scoring
  bool scored = false;
  bool passed() const { return missing.empty() && failures.empty() && scored && report.passed(); }
  // Step timings, notes, failures and the report, for a terminal.
  std::string text() const;
};

// Runs the regression through the library, each step skipped when its output exists in
// {work}, every output written atomically. Throws splade::Error on bad input (malformed
// files, a model that does not convert or validate, ...).
RegressionOutcome run_regression(const RegressionSpec& spec, const RunOptions& options);

}  // namespace splade::regression
