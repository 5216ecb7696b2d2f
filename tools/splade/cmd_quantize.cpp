// splade quantize IN.onnx [-o OUT.onnx] [--target T] [--per-tensor] [--fp16] [--report TEXTS] [--report-json FILE] ...
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "command.h"
#include "splade/error.h"
#include "splade/optimize.h"
#include "splade/quantize.h"

namespace splade::cli {
namespace {

namespace fs = std::filesystem;

// ../shared/data: $SPLADE_SHARED_DATA, else a `shared/data` beside the working directory
// or beside any folder above the executable (the checkout's sibling).
fs::path find_shared_data(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("SPLADE_SHARED_DATA")) return env;
  std::vector<fs::path> starts{fs::current_path()};
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) starts.push_back(exe.parent_path());
  for (auto dir : starts)
    for (; !dir.empty(); dir = dir.parent_path()) {
      if (fs::is_directory(dir / ".." / "shared" / "data")) return fs::weakly_canonical(dir / ".." / "shared" / "data");
      if (dir == dir.parent_path()) break;
    }
  return fs::path("..") / "shared" / "data";
}

}  // namespace

void add_quantize_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string input, output, report_texts, report_json, vocab, shared_data, target = "portable";
    bool per_channel = false, per_tensor = false, fp16 = false, no_report = false;
    int queries = 200, passages = 50, max_tokens = 128, threads = 1;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("quantize", "Dynamic int8 (default) or fp16-weight quantization, with a fidelity "
                                                 "report against the unquantized model");
  sub->add_option("model", args->input, "IN.onnx (fp32)")->required();
  sub->add_option("-o,--output", args->output, "OUT.onnx (default: <base>-8bit.onnx, or <base>-fp16.onnx)");
  sub->add_option("--target", args->target,
                  "int8: the CPUs the model is for, which picks the integer format ONNX Runtime runs exactly there:\n"
                  "  portable (default), avx2, avx512: uint8 x uint8 (U8U8), exact on every CPU\n"
                  "  avx512-vnni, arm64: uint8 x int8 (U8S8), exact on AVX-512 VNNI, AVX-VNNI, AMX and ARM64;\n"
                  "    on x86-64 without VNNI (AVX2, AVX-512) its int16 pair sums saturate, and splade runs such a\n"
                  "    model with ONNX Runtime's slower U8U8 kernels instead, with a warning");
  sub->add_flag("--per-channel", args->per_channel, "int8: one weight scale per output column (the default)");
  sub->add_flag("--per-tensor", args->per_tensor, "int8: one weight scale per tensor");
  sub->add_flag("--fp16", args->fp16, "fp16 weights, fp32 compute and I/O");
  sub->add_option("--report", args->report_texts, "Texts for the fidelity report (one per line or id<TAB>text); "
                                                  "default: MS MARCO dev queries + Cranfield abstracts from ../shared/data");
  sub->add_option("--report-json", args->report_json, "Also write the report figures as JSON to this file");
  sub->add_flag("--no-report", args->no_report, "Skip the fidelity report");
  sub->add_option("--queries", args->queries, "Default report: number of MS MARCO dev queries (default 200)");
  sub->add_option("--passages", args->passages, "Default report: number of Cranfield abstracts (default 50)");
  sub->add_option("--max-tokens", args->max_tokens, "Report: truncate each text to this many word pieces (default 128)");
  sub->add_option("--vocab", args->vocab, "Report: vocab.txt (default: the model folder's tokenizer.json/vocab.txt, else bert-base-uncased)");
  sub->add_option("--shared-data", args->shared_data, "The shared data folder (default: ../shared/data)");
  sub->add_option("--threads", args->threads, "Report: ORT intra-op threads (default 1)");
  table.add(sub, [args]() {
    QuantizeOptions options;
    options.mode = args->fp16 ? QuantizeMode::kFp16 : QuantizeMode::kInt8;
    options.target = parse_int8_target(args->target);
    options.per_channel = !args->per_tensor;
    if (args->per_tensor && args->per_channel)
      throw Error(ErrorCode::kInvalidArgument, "--per-tensor and --per-channel exclude each other");
    if (args->fp16 && (args->per_channel || args->per_tensor || args->target != "portable"))
      throw Error(ErrorCode::kInvalidArgument, "--per-channel, --per-tensor and --target apply to int8 only, not --fp16");
    const fs::path out = args->output.empty() ? derived_model_path(args->input, args->fp16 ? "-fp16" : "-8bit")
                                              : fs::path(args->output);
    auto r = quantize_model(args->input, out, options);
    if (args->fp16)
      std::cout << fmt::format("wrote {}: {} initializers ({} weights) stored as float16\n", out.string(), r.fp16_initializers,
                               r.weight_elements);
    else
      std::cout << fmt::format("wrote {}: {} MatMul/Gemm and {} Attention quantized to int8 (target {}, format {}, {}, "
                               "{} weights), {} embedding lookups to uint8\n", out.string(), r.matmuls_quantized,
                               r.attentions_quantized, to_string(options.target), r.int8_format,
                               options.per_channel ? "per channel" : "per tensor", r.weight_elements, r.embeddings_quantized);
    for (const auto& s : r.skipped) std::cout << "left in fp32: " << s << "\n";
    if (args->no_report) return kExitOk;
    ReportOptions ro;
    ro.vocab = args->vocab;
    ro.shared_data = find_shared_data(args->shared_data);
    ro.max_tokens = args->max_tokens;
    ro.threads = args->threads;
    const ReportTexts texts = args->report_texts.empty() ? default_report_texts(ro.shared_data, args->queries, args->passages)
                                                         : report_texts_from_file(args->report_texts, 100000);
    auto report = fidelity_report(args->input, out, texts, ro);
    std::cout << "report texts: " << texts.source << "\n" << fidelity_report_text(report);
    if (!args->report_json.empty()) {
      std::ofstream j(args->report_json);
      j << fidelity_report_json(report) << "\n";
      if (!j) throw Error(ErrorCode::kIo, args->report_json + ": cannot write the report");
    }
    return kExitOk;
  });
}

}  // namespace splade::cli
