// What `splade inspect` reports about an ONNX model: read through the ONNX protobuf
// schema, plus whether ONNX Runtime can load it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace splade {

struct TensorInfo {
  std::string name;
  std::string element_type;         // "float", "int64", ... ("undefined" when not set)
  std::vector<std::string> dims;    // "768" for a fixed dim, "batch" for a symbolic one, "?" unknown
  bool has_shape = false;           // false: the model declares no shape at all
};

struct InitializerStats {
  std::int64_t count = 0;
  std::int64_t bytes = 0;           // raw data size (element count * element size)
};

// The integer format of a dynamically quantized model, read from its graph (any tool's),
// and how ONNX Runtime's kernels compute it on the CPU `inspect` runs on.
struct Int8Info {
  std::string format;               // the least exact format present: "u8s8", "u8s7", "s8s8" or "u8u8"
  std::int64_t integer_gemms = 0;   // MatMulInteger, DynamicQuantizeMatMul, QAttention, ...
  std::int64_t max_abs_int8_weight = 0;
  std::string recorded_target;      // metadata splade_int8_target ("" when not written by splade)
  std::string cpu;                  // this CPU: model and features
  bool exact_here = true;           // false: ORT's default kernels saturate here (splade falls back to U8U8)
  std::string kernel;               // the kernel ORT's default dispatch uses here
};

struct ModelInfo {
  std::string path;
  std::int64_t file_bytes = 0;
  std::int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::string graph_name;
  std::map<std::string, std::int64_t> opsets;   // domain ("" = ai.onnx) -> version
  std::vector<std::pair<std::string, std::string>> metadata;  // metadata_props, in file order
  std::vector<TensorInfo> inputs;    // graph inputs that are not initializers
  std::vector<TensorInfo> outputs;
  std::int64_t node_count = 0;       // top-level graph nodes
  std::map<std::string, std::int64_t> op_counts;  // "MatMul", "com.microsoft.Attention", ...
  std::int64_t initializer_count = 0;
  std::int64_t initializer_bytes = 0;
  std::map<std::string, InitializerStats> initializers_by_type;  // element type -> stats
  bool uses_external_data = false;
  std::optional<Int8Info> int8;      // set for a model with integer GEMMs
  // Filled only when ONNX Runtime was asked to load the model.
  std::optional<bool> ort_loadable;
  std::string ort_error;             // ORT's message when it could not load the model
};

struct InspectOptions {
  bool try_onnxruntime = true;       // create an ORT session to prove the model loads
};

// Reads `path` as an ONNX ModelProto. Throws splade::Error (kNotFound, kCorrupt,
// kUnsupported) with a one-line message naming the file for a missing, empty, non-ONNX,
// truncated or oversized (> 2 GiB) file, or one whose external-data file is missing.
// A model ONNX Runtime cannot load is not an error: see ort_loadable / ort_error.
ModelInfo inspect_model(const std::string& path, const InspectOptions& options = {});

// The same report as one JSON object (keys documented in README.md).
std::string model_info_to_json(const ModelInfo& info);

}  // namespace splade
