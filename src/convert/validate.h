// Validation of a written model: ONNX Runtime's outputs against the reference forward
// pass on the validation inputs.
#pragma once

#include <filesystem>
#include <vector>

#include "convert/model_spec.h"
#include "convert/validation_inputs.h"
#include "hf/tensor_store.h"
#include "splade/converter.h"

namespace splade::convert {

// Computes every reference output first (then frees the reference weights), then runs
// the model with ONNX Runtime (graph as written, no optimizations) and compares. The
// splade head, whose output loses the batch row, runs each row of a batch on its own
// ([1, seq], padding kept) and is compared as a dense vocab vector.
struct ValidationRun {
  std::vector<ValidationCaseResult> cases;
  double reference_seconds = 0;    // the reference forward pass, all inputs
  double onnxruntime_seconds = 0;  // session creation + runs
};
ValidationRun validate_model(const std::filesystem::path& model_path, const ModelSpec& spec,
                                                 const hf::TensorStore& store, ConvertHead head,
                                                 const SpladePooling& pooling,
                                                 const std::vector<ValidationInput>& inputs, int threads);

// The figures of one comparison (also used by tests): max and mean |a - b| and the seed's
// normalized L1, mean |relu(a)/||relu(a)|| - relu(b)/||relu(b)|||.
ValidationCaseResult compare(const std::vector<float>& actual, const std::vector<double>& expected);

}  // namespace splade::convert
