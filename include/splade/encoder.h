// splade::Encoder: text in, SPLADE vector out, with the model's own contract.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "splade/sparse_vector.h"
#include "splade/tokenizer.h"

namespace splade {

// How a model hands back its SPLADE weights, recognized from its inputs and outputs.
enum class ModelContract {
  kAnserini,  // output_idx (int64 [n]) + output_weights (float [n]); batch 1 (splade_to_onnx.py)
  kPooled,    // one float output [batch, vocab]: pooled weights
  kLogits,    // one float output [batch, seq, vocab]: MLM logits, pooled here with
              // max over tokens of log1p(relu(logits)) * attention_mask
};
const char* to_string(ModelContract contract);

struct EncoderOptions {
  int max_length = 0;                             // 0: the tokenizer's model_max_length
  Truncation truncation = Truncation::kHuggingFace;  // kAnserini: 510 pieces + [CLS] + [SEP]
  float threshold = 0.0f;                         // drop weights below this (0: keep every non-zero)
  int top_k = 0;                                  // keep the k largest weights (0: all)
  int threads = 0;                                // ONNX Runtime intra-op threads (0: one per core)
  bool print_warnings = true;                     // also write warnings() to stderr, one line each
  // A pool-first SPLADE model (what `splade convert` / `splade optimize` write, with an fp32
  // decoder or one that `splade quantize` / quantize_dynamic made int8)
  // runs its transformer body in ONNX Runtime and the vocabulary projection + pooling in
  // splade's fused head, block by block: the [batch, seq, vocab] tensor is never made and
  // padding is never multiplied. Other models, and false here, run as the graph is written.
  bool fused_head = true;
  // With the fused head, ONNX Runtime reads the body's large weights (64 KiB and up) from
  // model.onnx itself instead of from a copy handed over in memory, so loading holds them once,
  // not three times. ORT maps those tensors from the file, and the ones it does not repack
  // (in an fp32 model, the embedding tables) stay mapped while the encoder is open: overwriting model.onnx in
  // place then changes the vectors, and truncating it kills the process (SIGBUS). Replace a
  // model in use by renaming a new file onto it, as every splade command writes its outputs.
  // false: the body goes to ORT in memory with its weights inline and model.onnx is not
  // mapped (a model saved with its own external data file is still read from that file, by
  // ORT's own rules). CLI: --no-mmap.
  bool map_model_file = true;
};

// Where an encoder's time went: its calls of ONNX Runtime's Run, and the wall time spent
// inside them, summed over every thread since the encoder was opened. Everything else a
// caller times around encode() is tokenization, input building and pooling.
struct EncoderStats {
  std::uint64_t model_runs = 0;
  double model_seconds = 0.0;
};

class Encoder {
 public:
  // A directory as `splade convert` writes it: model.onnx + tokenizer files
  // (tokenizer.json, or vocab.txt [+ tokenizer_config.json]). Throws splade::Error.
  static Encoder open(const std::string& model_dir, const EncoderOptions& options = {});
  // An ONNX file plus a directory or vocab.txt for the tokenizer.
  static Encoder open(const std::string& onnx_path, const std::string& tokenizer_path,
                      const EncoderOptions& options = {});
  ~Encoder();
  Encoder(Encoder&&) noexcept;
  Encoder& operator=(Encoder&&) noexcept;

  ModelContract contract() const;
  const Tokenizer& tokenizer() const;
  const EncoderOptions& options() const;
  EncoderStats stats() const;  // thread-safe
  // What open() found worth a warning, one line each: an int8 model whose integer format
  // this CPU's default kernels would compute wrongly (u8s8 weights on x86-64 without VNNI).
  // Such a model is run with ONNX Runtime's exact U8U8 kernels instead, never silently
  // giving other vectors; the line names the `splade quantize --target` to use here.
  const std::vector<std::string>& warnings() const;
  // Whether the model computes with int8 weights (integer GEMMs, as `splade quantize` or
  // onnxruntime's quantize_dynamic write them); false for fp32 / fp16 models.
  bool int8() const;
  // Whether the fused head runs (see EncoderOptions::fused_head), and if not, why not.
  bool fused_head() const;
  const std::string& unfused_reason() const;
  // The fused head's kernel ("avx2 fp32 (FMA)", "avx2 int16 (vpmaddwd)", "OpenBLAS sgemm"),
  // with "int8 decoder" when the decoder is; "" when unfused.
  std::string fused_head_kernel() const;

  // Thread-safe: one ONNX Runtime session serves every caller.
  SparseVector encode(std::string_view text) const;
  // Batched (one padded Run per call for pooled/logits models; one Run per text for
  // Anserini's batch-1 contract). Results in input order.
  std::vector<SparseVector> encode_batch(const std::vector<std::string_view>& texts) const;
  // Same, from already tokenized input (what the encode pipeline does after its own
  // tokenization stage).
  std::vector<SparseVector> encode_tokenized(const std::vector<Encoding>& encodings) const;

 private:
  struct Impl;
  explicit Encoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace splade
