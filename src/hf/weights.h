// Finds and opens the weights of a Hugging Face model directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "hf/tensor_store.h"

namespace splade::hf {

// In order of preference: model.safetensors, model.safetensors.index.json (shards),
// pytorch_model.bin (torch zip), pytorch_model.bin.index.json (torch zip shards).
// Throws splade::Error(kNotFound) when the directory holds none of them.
TensorStore open_weights(const std::filesystem::path& model_dir);

// Hex sha256 of the files' bytes, concatenated in the given order.
std::string sha256_hex(const std::vector<std::filesystem::path>& files);

}  // namespace splade::hf
