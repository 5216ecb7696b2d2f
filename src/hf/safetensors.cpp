#include "hf/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "hf/mapped_file.h"
#include "splade/error.h"

namespace splade::hf {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(ErrorCode code, const std::string& label, const std::string& what) {
  throw Error(code, label + ": " + what);
}

DType parse_dtype(const std::string& s, const std::string& label, const std::string& name) {
  static const std::map<std::string, DType> kTypes = {
      {"F32", DType::kF32}, {"F16", DType::kF16}, {"BF16", DType::kBF16}, {"F64", DType::kF64},
      {"I64", DType::kI64}, {"I32", DType::kI32}, {"I16", DType::kI16},   {"I8", DType::kI8},
      {"U8", DType::kU8},   {"BOOL", DType::kBool}};
  auto it = kTypes.find(s);
  if (it == kTypes.end())
    fail(ErrorCode::kUnsupported, label, "tensor '" + name + "' has dtype '" + s +
                                             "', expected one of F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL");
  return it->second;
}

std::uint64_t as_u64(const json& v, const std::string& label, const std::string& what) {
  if (!v.is_number_unsigned()) fail(ErrorCode::kCorrupt, label, what + " is not a non-negative integer");
  return v.get<std::uint64_t>();
}

}  // namespace

void parse_safetensors(std::span<const std::byte> bytes, const std::string& label,
                       const std::function<void(TensorEntry)>& on_tensor) {
  if (bytes.size() < 8)
    fail(ErrorCode::kCorrupt, label, "file is " + std::to_string(bytes.size()) +
                                         " bytes, too short for a safetensors header (truncated?)");
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<std::uint8_t>(bytes[i]);
  if (header_len > bytes.size() - 8)
    fail(ErrorCode::kCorrupt, label, "header length " + std::to_string(header_len) + " runs past the end of the " +
                                         std::to_string(bytes.size()) + "-byte file (truncated, or not safetensors)");
  const char* header_begin = reinterpret_cast<const char*>(bytes.data() + 8);
  json header;
  try {
    header = json::parse(header_begin, header_begin + header_len);
  } catch (const json::exception& e) {
    fail(ErrorCode::kCorrupt, label, std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) fail(ErrorCode::kCorrupt, label, "header is not a JSON object");

  const std::byte* data = bytes.data() + 8 + header_len;
  const std::uint64_t data_len = bytes.size() - 8 - header_len;
  struct Range {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  std::vector<TensorEntry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    if (!info.is_object()) fail(ErrorCode::kCorrupt, label, "tensor '" + name + "' is not a JSON object");
    if (!info.contains("dtype") || !info["dtype"].is_string())
      fail(ErrorCode::kCorrupt, label, "tensor '" + name + "' has no string 'dtype'");
    if (!info.contains("shape") || !info["shape"].is_array())
      fail(ErrorCode::kCorrupt, label, "tensor '" + name + "' has no 'shape' array");
    if (!info.contains("data_offsets") || !info["data_offsets"].is_array() || info["data_offsets"].size() != 2)
      fail(ErrorCode::kCorrupt, label, "tensor '" + name + "' has no 'data_offsets' [begin, end]");
    TensorEntry t;
    t.name = name;
    t.source = label;
    t.dtype = parse_dtype(info["dtype"].get<std::string>(), label, name);
    std::uint64_t numel = 1;
    for (const auto& d : info["shape"]) {
      const auto dim = as_u64(d, label, "a dimension of tensor '" + name + "'");
      if (dim != 0 && numel > std::numeric_limits<std::uint64_t>::max() / 16 / dim)
        fail(ErrorCode::kCorrupt, label, "tensor '" + name + "' has an impossibly large shape");
      numel *= dim;
      t.shape.push_back(static_cast<std::int64_t>(dim));
    }
    const auto begin = as_u64(info["data_offsets"][0], label, "data_offsets of tensor '" + name + "'");
    const auto end = as_u64(info["data_offsets"][1], label, "data_offsets of tensor '" + name + "'");
    if (end < begin)
      fail(ErrorCode::kCorrupt, label, "tensor '" + name + "' has data_offsets [" + std::to_string(begin) + ", " +
                                           std::to_string(end) + "] with end before begin");
    if (end - begin != numel * dtype_size(t.dtype))
      fail(ErrorCode::kCorrupt, label, "tensor '" + name + "' " + t.shape_text() + " " + dtype_name(t.dtype) +
                                           " needs " + std::to_string(numel * dtype_size(t.dtype)) +
                                           " bytes, its data_offsets span " + std::to_string(end - begin));
    if (end > data_len)
      fail(ErrorCode::kCorrupt, label, "tensor '" + name + "' data_offsets [" + std::to_string(begin) + ", " +
                                           std::to_string(end) + "] run past the " + std::to_string(data_len) +
                                           " data bytes (truncated?)");
    t.data = data + begin;
    ranges.push_back({begin, end, name});
    entries.push_back(std::move(t));
  }
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].begin < ranges[i - 1].end)
      fail(ErrorCode::kCorrupt, label, "tensors '" + ranges[i - 1].name + "' and '" + ranges[i].name +
                                           "' have overlapping data_offsets");
  }
  for (auto& t : entries) on_tensor(std::move(t));
}

void read_safetensors(const std::filesystem::path& file, TensorStore& store) {
  auto mapped = std::make_shared<MappedFile>(file);
  const MappedFile* raw = mapped.get();
  store.keep_alive(mapped);
  store.add_file(file);
  parse_safetensors(mapped->bytes(), file.string(), [&](TensorEntry t) {
    t.mapping = raw;
    store.add(std::move(t));
  });
}

void read_sharded_safetensors(const std::filesystem::path& index_file, TensorStore& store) {
  std::ifstream in(index_file);
  if (!in) throw Error(ErrorCode::kNotFound, index_file.string() + ": cannot open");
  json index;
  try {
    index = json::parse(in);
  } catch (const json::exception& e) {
    fail(ErrorCode::kCorrupt, index_file.string(), std::string("not valid JSON: ") + e.what());
  }
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    fail(ErrorCode::kCorrupt, index_file.string(), "has no 'weight_map' object");
  std::set<std::string> shards;
  for (const auto& [name, shard] : index["weight_map"].items()) {
    if (!shard.is_string())
      fail(ErrorCode::kCorrupt, index_file.string(), "weight_map['" + name + "'] is not a file name");
    const auto s = shard.get<std::string>();
    if (s.empty() || s.find('/') != std::string::npos || s == "." || s == "..")
      fail(ErrorCode::kCorrupt, index_file.string(), "weight_map['" + name + "'] = '" + s +
                                                         "' is not a file name beside the index");
    shards.insert(s);
  }
  if (shards.empty()) fail(ErrorCode::kCorrupt, index_file.string(), "weight_map is empty");
  const auto dir = index_file.parent_path();
  for (const auto& s : shards) read_safetensors(dir / s, store);
  for (const auto& [name, shard] : index["weight_map"].items()) {
    const auto* t = store.find(name);
    if (!t)
      fail(ErrorCode::kNotFound, index_file.string(), "tensor '" + name + "' listed in weight_map is missing from " +
                                                          shard.get<std::string>());
    if (t->source != (dir / shard.get<std::string>()).string())
      fail(ErrorCode::kCorrupt, index_file.string(), "tensor '" + name + "' is in " + t->source +
                                                         ", weight_map says " + shard.get<std::string>());
  }
  store.set_label(index_file.string() + " (" + std::to_string(shards.size()) + " shards)");
}

}  // namespace splade::hf
