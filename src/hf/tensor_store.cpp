#include "hf/tensor_store.h"

#include "hf/mapped_file.h"
#include "splade/error.h"

namespace splade::hf {

std::int64_t TensorEntry::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

bool TensorEntry::contiguous() const {
  std::int64_t expected = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && strides[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

std::string TensorEntry::shape_text() const {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

void TensorStore::add(TensorEntry entry) {
  if (entry.strides.empty() && !entry.shape.empty()) {
    entry.strides.resize(entry.shape.size());
    std::int64_t s = 1;
    for (std::size_t i = entry.shape.size(); i-- > 0;) {
      entry.strides[i] = s;
      s *= entry.shape[i];
    }
  }
  std::string name = entry.name;
  if (!tensors_.emplace(name, std::move(entry)).second)
    throw Error(ErrorCode::kCorrupt, label() + ": tensor '" + name + "' appears twice");
}

const TensorEntry* TensorStore::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

const TensorEntry& TensorStore::at(const std::string& name) const {
  if (const auto* t = find(name)) return *t;
  throw Error(ErrorCode::kNotFound, label() + ": tensor '" + name + "' is missing");
}

std::vector<std::string> TensorStore::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& [name, t] : tensors_) out.push_back(name);
  return out;
}

std::string TensorStore::label() const {
  if (!label_.empty()) return label_;
  if (files_.size() == 1) return files_[0].string();
  return "checkpoint";
}

std::vector<float> TensorStore::to_float(const TensorEntry& t) const {
  if (!is_floating(t.dtype))
    throw Error(ErrorCode::kUnsupported, t.source + ": tensor '" + t.name + "' has dtype " + dtype_name(t.dtype) +
                                             ", expected F32, F16, BF16 or F64 for a weight");
  const auto n = static_cast<std::size_t>(t.numel());
  std::vector<float> out(n);
  if (n == 0) return out;
  if (t.contiguous()) {
    convert_to_float(t.dtype, t.data, n, out.data());
    return out;
  }
  // A strided torch view: walk the index space in row-major order.
  const std::size_t esize = dtype_size(t.dtype);
  std::vector<std::int64_t> idx(t.shape.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t off = 0;
    for (std::size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides[d];
    convert_to_float(t.dtype, t.data + off * static_cast<std::int64_t>(esize), 1, &out[i]);
    for (std::size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

void TensorStore::release(const TensorEntry& t) const {
  if (t.mapping && t.contiguous()) t.mapping->release(t.data, static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype));
}

}  // namespace splade::hf
