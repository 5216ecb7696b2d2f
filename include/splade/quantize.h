// Quantization of a transformer ONNX model (dynamic int8, or fp16 weights), and the
// fidelity report that says what it cost against the unquantized model on real text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace splade {

enum class QuantizeMode { kInt8, kFp16 };

// The CPUs an int8 model is written for (names as in Optimum's AutoQuantizationConfig).
// Each picks the integer format that ONNX Runtime computes exactly there:
//   kPortable, kAvx2, kAvx512: uint8 activations x uint8 weights (U8U8), exact on every CPU;
//   kAvx512Vnni, kArm64: uint8 x int8 weights (U8S8), exact on AVX-512 VNNI, AVX-VNNI, AMX and
//   ARM64, but on x86-64 without VNNI (AVX2, AVX-512) its int16 pair sums saturate.
enum class Int8Target { kPortable, kAvx2, kAvx512, kAvx512Vnni, kArm64 };
const char* to_string(Int8Target target);  // "portable", "avx2", "avx512", "avx512-vnni", "arm64"
// Throws splade::Error (kInvalidArgument) naming the accepted values.
Int8Target parse_int8_target(const std::string& name);

struct QuantizeOptions {
  QuantizeMode mode = QuantizeMode::kInt8;
  Int8Target target = Int8Target::kPortable;
  bool per_channel = true;   // int8: one scale (and zero point) per output column; false: per tensor
};

struct QuantizeResult {
  std::filesystem::path output;
  int matmuls_quantized = 0;        // int8: MatMul/Gemm converted
  int attentions_quantized = 0;     // int8: Attention -> QAttention
  int embeddings_quantized = 0;     // int8: Gather / EmbedLayerNormalization with uint8 tables
  int fp16_initializers = 0;        // fp16: weights stored as float16
  std::int64_t weight_elements = 0; // elements converted
  std::vector<std::string> skipped; // one line per node left in fp32, with the reason
  std::string int8_format;          // int8: "u8u8" or "u8s8" (also in metadata_props splade_int8_format)
};

// Writes the quantized model (atomically). Throws splade::Error: kUnsupported for an
// already-quantized model (or fp16 model) and for a graph with nothing to quantize
// (every MatMul with a run-time weight, say), kNotFound/kCorrupt for unreadable input.
QuantizeResult quantize_model(const std::filesystem::path& input, const std::filesystem::path& output,
                              const QuantizeOptions& options = {});

// The texts a fidelity report runs on.
struct ReportTexts {
  std::vector<std::string> texts;
  std::string source;  // e.g. "200 MS MARCO dev queries + 50 Cranfield passages"
};

// Default sample: the first `queries` MS MARCO dev-subset queries and the first
// `passages` Cranfield abstracts under `shared_data` (../shared/data).
ReportTexts default_report_texts(const std::filesystem::path& shared_data, int queries, int passages);
// Texts from a file: one per line, or "id<TAB>text" lines (the id is dropped).
ReportTexts report_texts_from_file(const std::filesystem::path& path, int limit);

struct FidelityReport {
  std::string head;              // "splade" (sparse term weights), "splade-pooled", "logits", "hidden"
  std::string tokenizer;         // which tokenizer produced the ids
  int texts = 0;
  // SPLADE weights (for "splade"; for "logits" after relu/log1p/max pooling).
  bool has_term_weights = false;
  double weight_max_abs_err = 0, weight_mean_abs_err = 0;
  double jaccard_mean = 0, jaccard_min = 1;     // of the non-zero term sets
  double top10_overlap_mean = 0;                // |top10 a ∩ top10 b| / 10
  // The raw output tensor (for "hidden" and "logits").
  double tensor_max_abs_err = 0, tensor_mean_abs_err = 0;
  std::int64_t reference_bytes = 0, candidate_bytes = 0;
  double size_ratio = 0;
  double reference_ms_p50 = 0, candidate_ms_p50 = 0, latency_ratio = 0;  // batch 1, 1 thread
  // Where it was measured: this CPU, and the integer kernels ONNX Runtime ran the candidate
  // with (empty for a model without integer GEMMs).
  std::string cpu;                 // "AMD EPYC 7B13 (x86-64 avx2)"
  std::string int8_format;         // read from the candidate's graph: "u8u8", "u8s8", ...
  std::string int8_kernel;         // "U8U8 AVX2 (vpmaddwd on 16-bit lanes: exact)"
  bool int8_exact_here = true;     // false: run with ORT's exact U8U8 fallback (see Encoder)
};

struct ReportOptions {
  std::filesystem::path vocab;   // vocab.txt; empty: the model folder's tokenizer, else the shared bert-base-uncased vocab
  std::filesystem::path shared_data;
  int max_tokens = 128;
  int threads = 1;
};

// Runs both models on every text (batch 1) and compares them.
FidelityReport fidelity_report(const std::filesystem::path& reference, const std::filesystem::path& candidate,
                               const ReportTexts& texts, const ReportOptions& options);
std::string fidelity_report_text(const FidelityReport& r);
std::string fidelity_report_json(const FidelityReport& r);

}  // namespace splade
