// Hugging Face checkpoint (BERT / DistilBERT, safetensors or pytorch_model.bin) -> ONNX,
// validated against ONNX Runtime and an independent reference forward pass.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace splade {

// What the ONNX model outputs.
enum class ConvertHead {
  kHidden,        // last_hidden_state [batch, sequence, hidden] (the seed's generic export)
  kLogits,        // logits [batch, sequence, vocab] (masked-LM head)
  kSplade,        // Anserini's contract: output_idx int64 [n], output_weights float [n]
  kSpladePooled,  // sparse_vector [batch, vocab]: max over tokens of log1p(relu(logits)) * mask
};

// The SPLADE pooling of the splade and splade-pooled heads, as sentence-transformers'
// SpladePooling names it (1_SpladePooling/config.json): the activation of each token's logits,
// masked, then a max or a sum over the tokens. The seed's (and SPLADE++'s) is max + relu.
struct SpladePooling {
  enum class Strategy { kMax, kSum } strategy = Strategy::kMax;
  // kRelu: log1p(relu(x)); kLog1pRelu: log1p(log1p(relu(x))) (OpenSearch's SPLADE models).
  enum class Activation { kRelu, kLog1pRelu } activation = Activation::kRelu;
  std::string describe() const;  // "max of log1p(relu(x))", ...
};

const char* head_name(ConvertHead head);  // "hidden", "logits", "splade", "splade-pooled"
// Throws splade::Error(kInvalidArgument) for any other name.
ConvertHead parse_head(const std::string& name);

struct ConvertOptions {
  ConvertHead head = ConvertHead::kSplade;
  // Unset: what the model directory declares (a sentence-transformers SparseEncoder's
  // modules.json + 1_SpladePooling/config.json), else the seed's max + relu.
  std::optional<SpladePooling> pooling;
  int opset = 17;                     // 17 (native LayerNormalization) or 14 (decomposed)
  bool validate = true;               // run ONNX Runtime vs the reference forward pass
  std::string text = "what is AI?";   // the first validation input
  double atol = 1e-4;                 // max abs difference allowed
  int threads = 0;                    // reference pass / ORT threads; 0: one per core
};

struct ValidationCaseResult {
  std::string label;         // "text", "padded batch", "512 tokens", ...
  std::string shape;         // of the compared output, e.g. "[3, 12, 30522]"
  double max_abs_diff = 0;
  double mean_abs_diff = 0;
  double normalized_l1 = 0;  // the seed's figure: mean |relu(a)/||relu(a)|| - relu(b)/||relu(b)|||
  std::int64_t index_mismatches = 0;  // splade head: ids present in one output only
};

struct ConvertReport {
  std::filesystem::path model_path;  // OUT_DIR/model.onnx
  std::string model_type;            // "bert" | "distilbert"
  std::string head;
  std::string pooling;          // splade heads: SpladePooling::describe() and where it came from
  int opset = 0;
  std::string weights;          // the weights file(s) read
  std::string weights_sha256;   // of the weights file bytes (shards concatenated in name order)
  bool tied_decoder = false;
  std::int64_t node_count = 0;
  std::int64_t initializer_count = 0;
  double convert_seconds = 0;
  bool validated = false;
  std::vector<ValidationCaseResult> validation;
  double max_abs_diff = 0;      // over every validation case
  double validate_seconds = 0;
  double reference_seconds = 0;    // of which the reference forward pass
  double onnxruntime_seconds = 0;  // of which ONNX Runtime (session + runs)
  bool passed = true;           // validated and every case within atol (or not validated)
};

// Converts MODEL_DIR into OUT_DIR (model.onnx, vocab.txt, the tokenizer files and
// config.json). Everything is written in a temporary directory beside OUT_DIR and renamed
// onto it only when complete and (unless options.validate is false) validated; an
// existing OUT_DIR is replaced. When validation exceeds atol, nothing is published and
// the report has passed = false. Throws splade::Error for bad input.
ConvertReport convert_model(const std::filesystem::path& model_dir, const std::filesystem::path& out_dir,
                            const ConvertOptions& options = {});

}  // namespace splade
