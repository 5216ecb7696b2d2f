// `splade optimize`: pre-fusion passes -> ONNX Runtime offline optimizer (EXTENDED) ->
// post-fusion passes -> check against the input model.
//
// Why this order: ORT's own attention fusion only matches a narrow pattern (and never the
// HF torch export), so attention is fused first by our pass; ORT then fuses LayerNorm,
// Gelu/BiasGelu and MatMul+Add, which our SkipLayerNormalization pass needs as input.
#include <unistd.h>

#include <atomic>
#include <fmt/format.h>

#include "onnx/model_io.h"
#include "optimize/graph_view.h"
#include "optimize/model_check.h"
#include "optimize/passes.h"
#include "ort/runner.h"
#include "splade/error.h"
#include "splade/optimize.h"

namespace splade {
namespace fs = std::filesystem;

fs::path derived_model_path(const fs::path& input, const std::string& suffix) {
  return input.parent_path() / (input.stem().string() + suffix + ".onnx");
}

namespace {

// Temporary files beside the output, removed on every exit path.
class TempPath {
 public:
  TempPath(const fs::path& beside, const std::string& tag) {
    static std::atomic<int> counter{0};
    path_ = beside.parent_path() / fmt::format(".{}.{}-{}-{}.onnx", beside.filename().string(), tag, getpid(), counter++);
  }
  ~TempPath() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

bool is_quantized(const onnx::ModelProto& model) {
  for (const auto& n : model.graph().node())
    for (const char* op : {"DynamicQuantizeLinear", "MatMulInteger", "DynamicQuantizeMatMul", "MatMulIntegerToFloat",
                           "QAttention", "QuantizeLinear"})
      if (n.op_type() == op) return true;
  return false;
}

void copy_metadata(const onnx::ModelProto& from, onnx::ModelProto& to) {
  to.clear_metadata_props();
  for (const auto& p : from.metadata_props()) *to.add_metadata_props() = p;
}

}  // namespace

OptimizeResult optimize_model(const fs::path& input, const fs::path& output, const OptimizeOptions& options) {
  OptimizeResult result;
  result.output = output;
  onnx::ModelProto original = onnxio::load_model(input);
  for (const auto& t : original.graph().initializer())
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      throw Error(ErrorCode::kUnsupported, input.string() + ": initializer '" + t.name() +
                                               "' is stored as external data, which this command does not rewrite yet");
  if (is_quantized(original))
    throw Error(ErrorCode::kUnsupported, input.string() + ": the model is already quantized (it has integer "
                                                          "MatMul/quantize nodes); optimize the fp32 model, then quantize");
  result.nodes_before = original.graph().node_size();

  // 1. Our pre-passes.
  onnx::ModelProto model = original;
  result.fused["bias_add_reorder"] = optimize::canonicalize_bias_add(model);
  result.fused["attention"] = optimize::fuse_attention(model);
  result.fused["shape_fold"] = optimize::fold_shape_rebuild(model);
  result.fused["splade_pool_first"] = optimize::pool_splade_first(model);
  TempPath stage1(output, "prefused"), stage2(output, "ort");
  onnxio::save_model(model, stage1.path());

  // 2. ORT's offline optimizer (LayerNorm, Gelu/BiasGelu, FusedMatMul, MatMul+Add, ...).
  ort::save_ort_optimized(stage1.path(), stage2.path(), ort::GraphOptimization::kExtended);
  model = onnxio::load_model(stage2.path());

  // 3. Our post-passes.
  result.fused["bias_add_reorder"] += optimize::canonicalize_bias_add(model);
  result.fused["skip_layer_norm"] = optimize::fuse_skip_layer_norm(model);
  result.fused["embed_layer_norm"] = optimize::fuse_embed_layer_norm(model);
  result.fused["shape_fold"] += optimize::fold_reshape_chain(model);
  copy_metadata(original, model);
  auto* p = model.add_metadata_props();
  p->set_key("splade_optimized");
  p->set_value("1");
  result.nodes_after = model.graph().node_size();
  if (result.fused["attention"] == 0) {
    int softmax = 0, fused_attention = 0;
    for (const auto& n : original.graph().node()) {
      softmax += n.op_type() == "Softmax";
      fused_attention += n.op_type() == "Attention" || n.op_type() == "MultiHeadAttention";
    }
    bool has_heads = false;
    for (const auto& p : original.metadata_props()) has_heads |= p.key() == "num_heads";
    if (fused_attention > 0 && softmax == 0)
      result.notes.push_back(fmt::format("attention already fused ({} nodes in the input)", fused_attention));
    else if (softmax == 0)
      result.notes.push_back("no Softmax in the graph: no attention to fuse");
    else
      result.notes.push_back(fmt::format("{} Softmax nodes but no self-attention subgraph matched: attention left unfused{}",
                                         softmax, has_heads ? "" : " (metadata has no num_heads to fall back on)"));
  }

  // 4. Check against the input model, then move into place.
  TempPath candidate(output, "candidate");
  onnxio::save_model(model, candidate.path());
  if (options.verify) {
    ort::RunnerOptions ro;
    ro.optimization = ort::GraphOptimization::kDisabled;  // compare the graphs as written
    ort::Runner before(input, ro), after(candidate.path(), ro);
    auto io = optimize::describe_io(before);
    for (const auto& batch : optimize::builtin_batches(io)) {
      auto inputs = optimize::make_inputs(io, batch);
      auto diffs = optimize::compare_outputs(io, before.run(inputs), after.run(inputs));
      for (const auto& d : diffs) {
        if (d.shape_mismatch)
          throw Error(ErrorCode::kValidation, input.string() + ": optimized output '" + d.name + "' has another shape");
        result.max_abs_diff = std::max(result.max_abs_diff, d.max_abs);
      }
      ++result.checked_input_sets;
    }
    if (!(result.max_abs_diff <= options.tolerance))
      throw Error(ErrorCode::kValidation,
                  fmt::format("{}: optimized outputs differ from the input model's by {:.3g} (tolerance {:g}); nothing written",
                              input.string(), result.max_abs_diff, options.tolerance));
  }
  std::error_code ec;
  fs::rename(candidate.path(), output, ec);
  if (ec) throw Error(ErrorCode::kIo, output.string() + ": cannot write: " + ec.message());
  return result;
}

}  // namespace splade
