// Graph optimization of a transformer ONNX model: the project's own fusion passes
// (attention, skip-LayerNorm, bias order) around ONNX Runtime's offline optimizer, with
// the result checked against the input model on built-in inputs.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace splade {

struct OptimizeOptions {
  double tolerance = 1e-4;   // max abs difference allowed on any output
  bool verify = true;        // run both models with ORT on the built-in inputs
};

struct OptimizeResult {
  std::filesystem::path output;
  std::int64_t nodes_before = 0, nodes_after = 0;
  std::map<std::string, int> fused;   // pass name -> patterns fused ("attention", "skip_layer_norm", ...)
  double max_abs_diff = 0;            // over every checked output and input set
  int checked_input_sets = 0;
  std::vector<std::string> notes;     // one line each, e.g. "no attention subgraph matched"
};

// "<dir>/<stem><suffix>.onnx" for `input` (e.g. suffix "-optimized", "-8bit", "-fp16").
std::filesystem::path derived_model_path(const std::filesystem::path& input, const std::string& suffix);

// Optimizes `input` into `output` (written atomically). Throws splade::Error: kNotFound /
// kCorrupt for unreadable models, kUnsupported for quantized inputs, kRuntime when ORT
// cannot load a stage, kValidation (after writing nothing) when outputs differ by more
// than the tolerance.
OptimizeResult optimize_model(const std::filesystem::path& input, const std::filesystem::path& output,
                              const OptimizeOptions& options = {});

}  // namespace splade
