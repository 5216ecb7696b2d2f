// Hugging Face-format files crafted in C++ for the converter's tests: safetensors bytes,
// torch.save-style zip archives, hand-written pickles, and a complete tiny BERT model
// directory (1 layer) whose tensors can be dropped or reshaped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace splade::testing {

struct StTensor {
  std::string name;
  std::string dtype = "F32";
  std::vector<std::int64_t> shape;
  std::string data;  // raw little-endian bytes
};

// A safetensors file: 8-byte header length, JSON header, data (tensors packed in order).
std::string safetensors_bytes(const std::vector<StTensor>& tensors);
// The same with a header given verbatim and data bytes appended.
std::string safetensors_with_header(const std::string& header_json, const std::string& data);
std::string floats_bytes(const std::vector<float>& v);

// A zip archive with the given records (stored, as torch.save writes them).
void write_zip(const std::filesystem::path& path, const std::map<std::string, std::string>& records);

// A protocol-2 pickle of {name: tensor} whose tensor is float32 `numel` elements of
// storage key "0", shape [numel], as torch.save writes a state_dict.
std::string state_dict_pickle(const std::string& name, std::int64_t numel);
// A pickle that calls module.name("x") through REDUCE.
std::string pickle_calling(const std::string& module, const std::string& name);

struct TinyBertOptions {
  std::string omit;                             // a tensor left out
  std::string reshape;                          // a tensor written with a wrong shape
  std::string dtype = "F32";                    // of every tensor: F32, F16 or BF16
};
// config.json, model.safetensors, vocab.txt of a 1-layer BERT MLM (hidden 8, 2 heads,
// intermediate 16, vocab 40, max positions 16), deterministic pseudo-random weights.
void write_tiny_bert(const std::filesystem::path& dir, const TinyBertOptions& options = {});

}  // namespace splade::testing
