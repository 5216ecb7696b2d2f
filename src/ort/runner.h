// Owned tensors in, every output out as owned tensors: the form optimize/quantize use to
// check a rewritten model against its original and to time it. A thin layer over
// ort::InferenceSession, the one session wrapper (src/ort/ is the only place that includes
// onnxruntime headers).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ort/inference_session.h"

namespace splade::ort {

// A dense host tensor; exactly one of the value vectors is used, per `type`.
struct HostTensor {
  enum class Type { kFloat, kInt64, kInt32 };
  std::string name;
  Type type = Type::kFloat;
  std::vector<std::int64_t> shape;
  std::vector<float> f;
  std::vector<std::int64_t> i64;
  std::vector<std::int32_t> i32;
  std::int64_t elements() const;
};

struct IoInfo {
  std::string name;
  int onnx_type = 0;                 // onnx::TensorProto::DataType value
  std::vector<std::int64_t> shape;   // -1 for symbolic dims
};

struct RunnerOptions {
  int intra_op_threads = 1;
  GraphOptimization optimization = GraphOptimization::kAll;
  std::vector<std::pair<std::string, std::string>> config_entries;  // ORT session config entries
};

class Runner {
 public:
  // Creates the session. Throws splade::Error (kRuntime) with ORT's message.
  Runner(const std::filesystem::path& model, const RunnerOptions& options = {});
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  const std::vector<IoInfo>& inputs() const;
  const std::vector<IoInfo>& outputs() const;
  // Runs with the given inputs (by name; the model's inputs that are not given are an
  // error) and returns every output as float/int64/int32 tensors (other element types are
  // converted to float).
  std::vector<HostTensor> run(const std::vector<HostTensor>& inputs);

 private:
  std::filesystem::path path_;
  InferenceSession session_;
  std::vector<IoInfo> inputs_, outputs_;
  std::vector<std::string> output_names_;
};

}  // namespace splade::ort
