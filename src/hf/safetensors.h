// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets:
// [begin, end]}, "__metadata__": {...}}, then the data; offsets are relative to the data.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <string>

#include "hf/tensor_store.h"

namespace splade::hf {

// Parses and checks a whole safetensors file held in `bytes` and calls `on_tensor` for each
// tensor (data pointing into `bytes`). Checks: header length within the file, the header
// is a JSON object, known dtypes, non-negative shapes, end - begin == numel * dtype size,
// every range inside the data, no two ranges overlapping. Throws splade::Error (kCorrupt,
// kUnsupported) whose message starts with `label`.
void parse_safetensors(std::span<const std::byte> bytes, const std::string& label,
                       const std::function<void(TensorEntry)>& on_tensor);

// Maps `file` and adds its tensors to `store`.
void read_safetensors(const std::filesystem::path& file, TensorStore& store);

// model.safetensors.index.json: {"weight_map": {tensor: shard file}}. Reads every shard
// named there (beside the index) and checks each listed tensor is in the shard it names.
void read_sharded_safetensors(const std::filesystem::path& index_file, TensorStore& store);

}  // namespace splade::hf
