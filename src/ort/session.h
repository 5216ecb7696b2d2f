// An ONNX Runtime session over a model file, with tensors in and out as plain vectors:
// named int64 / float inputs, outputs converted to float or int64 vectors with their
// shapes. No ORT type appears here, so any stage can use it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace splade::ort {

struct Tensor {
  enum class Type { kFloat, kInt64 };
  std::string name;
  Type type = Type::kFloat;
  std::vector<std::int64_t> shape;
  std::vector<float> floats;       // when type == kFloat
  std::vector<std::int64_t> ints;  // when type == kInt64

  static Tensor int64(std::string name, std::vector<std::int64_t> shape, std::vector<std::int64_t> values);
  static Tensor float32(std::string name, std::vector<std::int64_t> shape, std::vector<float> values);
  std::int64_t numel() const;
};

struct SessionOptions {
  int intra_op_threads = 0;  // 0: ONNX Runtime's default (one per core)
  bool optimize = false;     // false: run the graph exactly as written (ORT_DISABLE_ALL)
  // ORT session config entries (onnxruntime_session_options_config_keys.h), e.g.
  // {"session.disable_prepacking", "1"}.
  std::vector<std::pair<std::string, std::string>> config_entries;
};

class Session {
 public:
  // Loads `model_path`. Throws splade::Error(kRuntime) with ORT's message.
  explicit Session(const std::filesystem::path& model_path, const SessionOptions& options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::vector<std::string>& input_names() const;
  const std::vector<std::string>& output_names() const;

  // Runs the model. Inputs are matched by name; outputs default to all, in model order.
  // Float, float16 and double outputs come back as kFloat; int32/int64/bool as kInt64.
  // Safe to call from several threads at once. Throws splade::Error(kRuntime).
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, const std::vector<std::string>& outputs = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace splade::ort
