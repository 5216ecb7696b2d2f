// Where a model file keeps its initializers' bytes, so that a graph built from it at run
// time (the fused head's body) can refer ONNX Runtime to the file instead of carrying a copy.
//
// Why: handing ORT a serialized graph with its weights inline held them three times at once
// (our parse, the serialized bytes, ORT's own parse): BERT-base fp32 (507 MiB) peaked at
// 1.3 GB while loading. With external references ORT reads each tensor from the file once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>

namespace onnx {
class ModelProto;
}

namespace splade::onnxio {

struct FileSpan {
  std::int64_t offset = 0;  // first byte of the tensor's raw_data in the file
  std::int64_t length = 0;  // bytes
};

// The raw_data span of every top-level graph initializer of the ModelProto serialized at
// `path`, read from protobuf's wire format (only tags and lengths are read; data is skipped).
// A name given to two initializers is left out (ambiguous). Throws splade::Error (kIo,
// kCorrupt) naming the file.
std::unordered_map<std::string, FileSpan> initializer_file_spans(const std::filesystem::path& path);

// Rewrites the initializers of `model` (parsed from `path`) that hold at least `min_bytes`
// of raw_data into external-data references to `path` itself (location: its file name,
// offset, length), freeing their bytes. A tensor is rewritten only when its span in the file
// has its length and the same bytes, compared in full; others stay inline. ORT must then be told
// the file's folder (session.model_external_initializers_file_folder_path). Returns the bytes
// moved out of the graph.
std::int64_t refer_initializers_to_file(onnx::ModelProto& model, const std::filesystem::path& path,
                                        std::int64_t min_bytes);

}  // namespace splade::onnxio
