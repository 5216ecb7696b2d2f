// splade encode --model DIR --input F --output F [--queries] ...
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "command.h"
#include "splade/encode_job.h"
#include "splade/encoder.h"
#include "splade/error.h"

namespace splade::cli {
namespace {

struct EncodeArgs {
  std::string model_dir, onnx, vocab;
  EncodeJobOptions job;
  std::string output_format = "auto", truncation = "hf", shard = "0/1", on_error = "fail";
  EncoderOptions encoder;
  bool quiet = false;
  bool blank_is_error = false;
};

OutputFormat parse_output_format(const std::string& s) {
  if (s == "auto") return OutputFormat::kAuto;
  if (s == "json-vector") return OutputFormat::kJsonVector;
  if (s == "query-tsv") return OutputFormat::kQueryTsv;
  if (s == "jsonl-float") return OutputFormat::kJsonFloat;
  throw Error(ErrorCode::kInvalidArgument, "--output-format '" + s + "': expected auto, json-vector, query-tsv or jsonl-float");
}

void parse_shard(const std::string& s, EncodeJobOptions& job) {
  const auto slash = s.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument(s);
    job.shard_index = std::stoi(s.substr(0, slash));
    job.shard_count = std::stoi(s.substr(slash + 1));
  } catch (const std::exception&) {
    throw Error(ErrorCode::kInvalidArgument, "--shard '" + s + "': expected I/N, e.g. 0/4");
  }
}

// A one-line status (records/s, tokens/s, ETA) redrawn in place on a terminal.
// (No maintained C++ progress-bar library is packaged for Debian 12; this is one line of fmt.)
void draw_progress(const EncodeProgress& p) {
  const double rate = p.seconds > 0 ? p.records_done / p.seconds : 0;
  const double tok_rate = p.seconds > 0 ? p.tokens / p.seconds : 0;
  std::string eta = "?";
  if (rate > 0 && p.records_total > 0) {
    const auto left = static_cast<long>((p.records_total - p.records_done) / rate);
    eta = fmt::format("{}:{:02}:{:02}", left / 3600, left / 60 % 60, left % 60);
  }
  const double pct = p.records_total > 0 ? 100.0 * p.records_done / p.records_total : 0;
  std::cerr << fmt::format("\r{:5.1f}% {}/{} records | {:.1f} rec/s | {:.0f} tok/s | ETA {}   ", pct, p.records_done,
                           p.records_total, rate, tok_rate, eta)
            << std::flush;
}

}  // namespace

void add_encode_command(CLI::App& app, CommandTable& table) {
  auto a = std::make_shared<EncodeArgs>();
  CLI::App* sub = app.add_subcommand("encode", "Encode documents or queries into SPLADE vectors (Anserini formats)");
  sub->add_option("--model", a->model_dir, "Model directory (model.onnx + tokenizer files, as `splade convert` writes)");
  sub->add_option("--onnx", a->onnx, "An ONNX model file (instead of --model); needs --vocab");
  sub->add_option("--vocab", a->vocab, "vocab.txt or a tokenizer directory for --onnx");
  sub->add_option("-i,--input", a->job.input, "JSONL/TSV file (.gz ok), a folder of them, or - for stdin")->required();
  sub->add_option("-o,--output", a->job.output, "Output file (.gz compresses); written as <output>.partial, then renamed")->required();
  sub->add_flag("--queries", a->job.queries, "Encode queries (default output: Anserini query TSV for .tsv, else JSONL floats)");
  sub->add_option("--input-format", a->job.input_format, "auto (from the file name), jsonl or tsv");
  sub->add_option("--output-format", a->output_format, "auto, json-vector, query-tsv or jsonl-float");
  sub->add_option("--float-output", a->job.float_output,
                  "Also write the float weights (jsonl-float) of the same run here (.gz compresses)");
  sub->add_option("--batch", a->job.batch_size, "Texts per model run (default 32)");
  sub->add_option("--threads", a->encoder.threads, "ONNX Runtime threads (default: one per core)");
  sub->add_flag("--no-fused-head", [a](std::int64_t) { a->encoder.fused_head = false; },
                "Run the model's SPLADE head in ONNX Runtime as written, not splade's fused head");
  sub->add_flag("--no-mmap", [a](std::int64_t) { a->encoder.map_model_file = false; }, kNoMmapHelp);
  sub->add_option("--max-length", a->encoder.max_length, "Maximum ids per text, with [CLS]/[SEP] (default: the model's, 512)");
  sub->add_option("--truncation", a->truncation, "hf (Hugging Face) or anserini (510 pieces + [CLS] + [SEP])");
  sub->add_option("--threshold", a->encoder.threshold, "Drop weights below this");
  sub->add_option("--top-k", a->encoder.top_k, "Keep only the k largest weights");
  sub->add_option("--shard", a->shard, "I/N: encode the I-th of N contiguous slices (outputs concatenate)");
  sub->add_option("--on-error", a->on_error, "fail (default) or skip bad records (reported with line numbers)");
  sub->add_flag("--resume", a->job.resume, "Continue an interrupted run from <output>.partial");
  sub->add_flag("--allow-empty", a->job.allow_empty,
                "Encode blank texts ([CLS] [SEP] alone), as Pyserini does (the default; kept for old scripts)");
  sub->add_flag("--blank-is-error", a->blank_is_error, "Treat blank texts as bad records (see --on-error)");
  sub->add_flag("-q,--quiet", a->quiet, "No progress line");
  table.add(sub, [a]() {
    if (a->truncation == "anserini") a->encoder.truncation = Truncation::kAnserini;
    else if (a->truncation != "hf")
      throw Error(ErrorCode::kInvalidArgument, "--truncation '" + a->truncation + "': expected hf or anserini");
    if (a->on_error == "skip") a->job.on_error = OnError::kSkip;
    else if (a->on_error != "fail")
      throw Error(ErrorCode::kInvalidArgument, "--on-error '" + a->on_error + "': expected fail or skip");
    if (a->blank_is_error) a->job.allow_empty = false;
    a->job.output_format = parse_output_format(a->output_format);
    parse_shard(a->shard, a->job);
    if (a->model_dir.empty() == a->onnx.empty())
      throw Error(ErrorCode::kInvalidArgument, "give exactly one of --model DIR or --onnx FILE (with --vocab)");
    if (!a->onnx.empty() && a->vocab.empty()) throw Error(ErrorCode::kInvalidArgument, "--onnx needs --vocab");
    Encoder encoder = a->model_dir.empty() ? Encoder::open(a->onnx, a->vocab, a->encoder)
                                           : Encoder::open(a->model_dir, a->encoder);
    const bool tty = !a->quiet && isatty(STDERR_FILENO);
    auto summary = run_encode_job(encoder, a->job, tty ? std::function<void(const EncodeProgress&)>(draw_progress)
                                                       : std::function<void(const EncodeProgress&)>());
    if (tty) std::cerr << "\n";
    for (const auto& bad : summary.bad_records)
      std::cerr << fmt::format("splade: skipped {}:{}: {}\n", bad.file, bad.line, bad.reason);
    if (!a->quiet) {
      // Model time is summed over the Run calls, which overlap with tokenization and writing.
      std::cerr << fmt::format("encoded {} records ({} resumed, {} blank, {} skipped as bad), {} tokens in {:.1f} s "
                               "({:.1f} records/s; {:.1f} s in the model) with a {} model{} -> {}\n",
                               summary.records_written, summary.records_resumed, summary.records_blank,
                               summary.bad_records.size(),
                               summary.tokens, summary.seconds,
                               summary.seconds > 0 ? summary.records_written / summary.seconds : 0.0,
                               encoder.stats().model_seconds, to_string(encoder.contract()),
                               encoder.fused_head() ? ", fused head (" + encoder.fused_head_kernel() + ")" : ", head as the graph has it: " + encoder.unfused_reason(),
                               a->job.output);
    }
    return kExitOk;
  });
}

}  // namespace splade::cli
