#include "splade/converter.h"

#include <unistd.h>

#include <chrono>
#include <future>

#include "convert/model_spec.h"
#include "convert/onnx_graph.h"
#include "convert/tokenizer_files.h"
#include "convert/validate.h"
#include "convert/validation_inputs.h"
#include "hf/config.h"
#include "hf/sentence_transformers.h"
#include "hf/weights.h"
#include "onnx/model_io.h"
#include "splade/error.h"
#include "splade/version.h"

namespace splade {
namespace fs = std::filesystem;

const char* head_name(ConvertHead head) {
  switch (head) {
    case ConvertHead::kHidden: return "hidden";
    case ConvertHead::kLogits: return "logits";
    case ConvertHead::kSplade: return "splade";
    case ConvertHead::kSpladePooled: return "splade-pooled";
  }
  return "?";
}

ConvertHead parse_head(const std::string& name) {
  for (auto h : {ConvertHead::kHidden, ConvertHead::kLogits, ConvertHead::kSplade, ConvertHead::kSpladePooled})
    if (name == head_name(h)) return h;
  throw Error(ErrorCode::kInvalidArgument, "--head '" + name + "': expected hidden, logits, splade or splade-pooled");
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A directory removed (with its contents) unless released.
class TempDirGuard {
 public:
  explicit TempDirGuard(fs::path p) : path_(std::move(p)) {}
  ~TempDirGuard() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

// Puts `tmp` in place of `out` (an existing `out` is moved aside first, then removed),
// so readers see the old directory or the new one, never a partial one.
void publish(const fs::path& tmp, const fs::path& out) {
  std::error_code ec;
  fs::path old;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) throw Error(ErrorCode::kInvalidArgument, out.string() + ": exists and is not a directory");
    old = out.parent_path() / ("." + out.filename().string() + ".old-" + std::to_string(::getpid()));
    fs::rename(out, old, ec);
    if (ec) throw Error(ErrorCode::kIo, out.string() + ": cannot move the existing directory aside: " + ec.message());
  }
  fs::rename(tmp, out, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, out, ec);
    throw Error(ErrorCode::kIo, out.string() + ": cannot rename the converted model into place: " + ec.message());
  }
  if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace

std::string SpladePooling::describe() const {
  const char* f = activation == Activation::kRelu ? "log1p(relu(x))" : "log1p(log1p(relu(x)))";
  return std::string(strategy == Strategy::kMax ? "max" : "sum") + " of " + f;
}

ConvertReport convert_model(const fs::path& model_dir, const fs::path& out_dir, const ConvertOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  std::error_code ec;
  if (!fs::is_directory(model_dir, ec))
    throw Error(ErrorCode::kNotFound, model_dir.string() + ": not a directory (expected a Hugging Face model directory)");
  if (options.opset != 14 && options.opset != 17)
    throw Error(ErrorCode::kInvalidArgument, "--opset " + std::to_string(options.opset) + ": expected 17 (default) or 14");
  if (!(options.atol >= 0)) throw Error(ErrorCode::kInvalidArgument, "--atol must be a non-negative number");

  // A sentence-transformers SparseEncoder: its transformer folder, and the pooling it declares.
  const auto st = hf::read_sparse_encoder_layout(model_dir);
  const fs::path& checkpoint = st ? st->transformer_dir : model_dir;
  SpladePooling pooling = options.pooling.value_or(st ? st->pooling : SpladePooling{});
  const std::string pooling_source = options.pooling ? "as asked" : st ? st->pooling_source : "the seed's";

  const auto config = hf::read_config(checkpoint / "config.json");
  const auto store = hf::open_weights(checkpoint);
  const auto spec = convert::describe_model(config, store);
  const auto vocab = convert::read_vocab(checkpoint);

  const bool splade_head = options.head == ConvertHead::kSplade || options.head == ConvertHead::kSpladePooled;
  ConvertReport report;
  report.model_type = config.model_type;
  report.head = head_name(options.head);
  if (splade_head) report.pooling = pooling.describe() + " (" + pooling_source + ")";
  report.opset = options.opset;
  report.weights = store.label();
  // The checksum reads the weight files once more; it runs beside the graph building.
  auto checksum = std::async(std::launch::async, [&store] { return hf::sha256_hex(store.files()); });
  report.tied_decoder = spec.mlm_head && spec.mlm_head->tied;

  std::string weight_files;
  for (const auto& f : store.files()) weight_files += (weight_files.empty() ? "" : ",") + f.filename().string();
  std::map<std::string, std::string> metadata = {
      {"model_type", config.model_type},
      {"num_heads", std::to_string(config.num_heads)},
      {"hidden_size", std::to_string(config.hidden_size)},
      {"head", report.head},
      {"source_weights", weight_files},
      {"converter", "splade.cpp " + version()},
  };
  if (splade_head) metadata["splade_pooling"] = pooling.describe();

  const fs::path out = out_dir.has_filename() ? out_dir : out_dir.parent_path();
  {
    // OUT_DIR replaces what is there: never the model directory or a folder holding it.
    const auto in_abs = fs::weakly_canonical(fs::absolute(model_dir));
    const auto out_abs = fs::weakly_canonical(fs::absolute(out));
    auto rel = in_abs.lexically_relative(out_abs);
    if (!rel.empty() && *rel.begin() != "..")
      throw Error(ErrorCode::kInvalidArgument, out.string() + ": the output directory would replace the model directory " +
                                                   model_dir.string() + "; choose another -o");
  }
  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  fs::create_directories(parent, ec);
  TempDirGuard tmp(parent / ("." + out.filename().string() + ".tmp-" + std::to_string(::getpid())));
  fs::remove_all(tmp.path(), ec);
  if (!fs::create_directory(tmp.path(), ec))
    throw Error(ErrorCode::kIo, tmp.path().string() + ": cannot create the temporary output directory: " + ec.message());

  const auto model_path = tmp.path() / "model.onnx";
  {
    auto model = convert::build_onnx_model(spec, store, options.head, options.opset, metadata, pooling);
    report.weights_sha256 = checksum.get();
    auto* sha = model.add_metadata_props();
    sha->set_key("source_weights_sha256");
    sha->set_value(report.weights_sha256);
    report.node_count = model.graph().node_size();
    report.initializer_count = model.graph().initializer_size();
    onnxio::save_model(model, model_path);
  }  // the ModelProto (a full copy of the weights) is freed before validation
  convert::write_tokenizer_files(checkpoint, tmp.path(), vocab);
  report.convert_seconds = seconds_since(t0);

  if (options.validate) {
    const auto t1 = std::chrono::steady_clock::now();
    const auto inputs = convert::validation_inputs(options.text, checkpoint, vocab, config);
    auto run = convert::validate_model(model_path, spec, store, options.head, pooling, inputs, options.threads);
    report.validation = std::move(run.cases);
    report.reference_seconds = run.reference_seconds;
    report.onnxruntime_seconds = run.onnxruntime_seconds;
    report.validated = true;
    for (const auto& r : report.validation) {
      report.max_abs_diff = std::max(report.max_abs_diff, r.max_abs_diff);
      if (!(r.max_abs_diff <= options.atol)) report.passed = false;
    }
    report.validate_seconds = seconds_since(t1);
  }
  report.model_path = out / "model.onnx";
  if (report.passed) {
    publish(tmp.path(), out);
    tmp.release();
  }
  return report;
}

}  // namespace splade
