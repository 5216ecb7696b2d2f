// Reading and writing ONNX ModelProto files through the ONNX protobuf schema. The only
// place (with src/onnx/*) that includes onnx/protobuf headers.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace splade::onnxio {

// protobuf cannot parse a message of 2 GiB or more; larger models keep tensors in
// external data files.
inline constexpr std::int64_t kMaxProtobufBytes = (std::int64_t{1} << 31) - 1;

// Parses `path` into a ModelProto and checks that it is whole: a graph, an IR version,
// tensors whose data size matches their shape, every node input defined before use,
// every graph output produced, external-data files present and long enough.
// Throws splade::Error (kNotFound / kCorrupt / kUnsupported) naming the file.
onnx::ModelProto load_model(const std::filesystem::path& path);

// Serializes `model` to `path` atomically (temporary file, then rename).
void save_model(const onnx::ModelProto& model, const std::filesystem::path& path);

// Reads an initializer kept in an external-data file (relative to `model_path`'s folder) into
// its raw_data; a tensor held inline is left as it is. Throws splade::Error naming the file.
void load_external_data(onnx::TensorProto& tensor, const std::filesystem::path& model_path);

// Lower-case ONNX element type name ("float", "int64", "bfloat16", ...).
std::string element_type_name(int data_type);
// Bytes per element, 0 for strings and undefined.
std::int64_t element_size(int data_type);
// Data bytes held by an initializer (raw, typed or external), computed from the proto.
std::int64_t tensor_data_bytes(const onnx::TensorProto& tensor);

}  // namespace splade::onnxio
