// The one ONNX Runtime session wrapper: a loaded session behind a small interface without
// ORT types, so the encoder, the converter's validation and the optimizer's checks (through
// ort/runner.h) never include onnxruntime headers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace splade::ort {

enum class ElementType { kFloat, kInt64, kInt32, kFloat16, kUInt8, kOther };

struct IoSpec {
  std::string name;
  ElementType type = ElementType::kOther;
  int onnx_type = 0;               // onnx::TensorProto::DataType (0: not a tensor)
  std::vector<std::int64_t> dims;  // -1 for a symbolic or unknown dimension
};

enum class GraphOptimization { kDisabled, kBasic, kExtended, kAll };

struct SessionOptions {
  int intra_op_threads = 0;        // 0: ORT's default (one per core)
  GraphOptimization optimization = GraphOptimization::kAll;  // kDisabled: the graph as written
  // ORT session config entries (onnxruntime_session_options_config_keys.h), e.g.
  // {"session.disable_prepacking", "1"}.
  std::vector<std::pair<std::string, std::string>> config_entries;
};

// A borrowed view of int64 input data, shape [dims...], row-major.
struct Int64Input {
  std::string name;
  const std::int64_t* data = nullptr;
  std::vector<std::int64_t> dims;
};

// A borrowed view of input data of any supported type (kFloat, kInt64, kInt32).
struct TensorInput {
  std::string name;
  ElementType type = ElementType::kFloat;
  const void* data = nullptr;
  std::vector<std::int64_t> dims;
};

// Output tensors of one Run; data stay valid as long as this object lives.
class RunOutputs {
 public:
  RunOutputs();
  ~RunOutputs();
  RunOutputs(RunOutputs&&) noexcept;
  RunOutputs& operator=(RunOutputs&&) noexcept;

  std::size_t size() const;
  std::vector<std::int64_t> dims(std::size_t i) const;
  ElementType type(std::size_t i) const;
  const float* floats(std::size_t i) const;         // throws unless type(i) == kFloat
  const std::int64_t* int64s(std::size_t i) const;  // throws unless type(i) == kInt64
  const std::int32_t* int32s(std::size_t i) const;  // throws unless type(i) == kInt32
  const std::uint8_t* uint8s(std::size_t i) const;  // throws unless type(i) == kUInt8
  std::vector<float> float_values(std::size_t i) const;  // kFloat or kFloat16, as float
  std::size_t element_count(std::size_t i) const;

  struct Impl;
  std::unique_ptr<Impl> impl;
};

class InferenceSession {
 public:
  // Throws splade::Error (kRuntime) with ORT's message if the model cannot be loaded.
  InferenceSession(const std::filesystem::path& model_path, const SessionOptions& options);
  // A serialized ModelProto held in memory (a graph built at run time); `label` names it in
  // messages. Same errors.
  InferenceSession(const std::string& model_bytes, const std::string& label, const SessionOptions& options);
  ~InferenceSession();
  InferenceSession(const InferenceSession&) = delete;
  InferenceSession& operator=(const InferenceSession&) = delete;

  const std::vector<IoSpec>& inputs() const;
  const std::vector<IoSpec>& outputs() const;

  // Runs the model; thread-safe (ORT sessions allow concurrent Run calls).
  RunOutputs run(const std::vector<Int64Input>& inputs, const std::vector<std::string>& output_names) const;
  RunOutputs run(const std::vector<TensorInput>& inputs, const std::vector<std::string>& output_names) const;

  // Run calls so far and the wall time spent inside ORT's Run, summed over all threads.
  std::uint64_t run_count() const;
  double run_seconds() const;

 private:
  void describe_io();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ORT's own offline graph optimizer: loads `in` with the given level on the CPU provider
// and saves the optimized graph to `out` (SessionOptions::SetOptimizedModelFilePath).
void save_ort_optimized(const std::filesystem::path& in, const std::filesystem::path& out,
                        GraphOptimization level = GraphOptimization::kExtended);

}  // namespace splade::ort
