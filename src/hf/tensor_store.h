// The tensors of a checkpoint, whatever file format they came from (safetensors, sharded
// safetensors, torch zip): name -> dtype, shape, strides and a pointer into memory that
// the store keeps alive (a file map or a buffer read from a zip record).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hf/dtype.h"

namespace splade::hf {

class MappedFile;

struct TensorEntry {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  // in elements; row-major unless a torch view says otherwise
  const std::byte* data = nullptr;    // the first element
  std::string source;                 // the file it came from, for messages
  const MappedFile* mapping = nullptr;  // set when `data` points into a file map

  std::int64_t numel() const;
  bool contiguous() const;
  std::string shape_text() const;  // "[30522, 768]"
};

class TensorStore {
 public:
  TensorStore() = default;
  TensorStore(TensorStore&&) = default;
  TensorStore& operator=(TensorStore&&) = default;

  // Keeps `backing` (a MappedFile, a buffer) alive as long as the store.
  void keep_alive(std::shared_ptr<const void> backing) { backing_.push_back(std::move(backing)); }
  // Adds a tensor; a second tensor of the same name is an error (kCorrupt).
  void add(TensorEntry entry);
  // Records a weights file (for the checksum) and the store's label (for messages).
  void add_file(const std::filesystem::path& file) { files_.push_back(file); }

  bool contains(const std::string& name) const { return tensors_.count(name) > 0; }
  const TensorEntry* find(const std::string& name) const;
  // Throws splade::Error(kNotFound) naming the weights file(s) and the tensor.
  const TensorEntry& at(const std::string& name) const;
  std::vector<std::string> names() const;
  std::size_t size() const { return tensors_.size(); }
  const std::vector<std::filesystem::path>& files() const { return files_; }
  // "model.safetensors", "pytorch_model.bin", "3 shards of model.safetensors.index.json"
  std::string label() const;
  void set_label(std::string label) { label_ = std::move(label); }

  // The tensor's values as fp32 (F32, F16, BF16 and F64; any strides). Throws
  // splade::Error(kUnsupported) for integer tensors.
  std::vector<float> to_float(const TensorEntry& t) const;
  // Drops the tensor's file pages from this process's resident set (no-op for buffers).
  void release(const TensorEntry& t) const;

 private:
  std::map<std::string, TensorEntry> tensors_;
  std::vector<std::shared_ptr<const void>> backing_;
  std::vector<std::filesystem::path> files_;
  std::string label_;
};

}  // namespace splade::hf
