#include "hf/weights.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <set>

#include "hf/safetensors.h"
#include "hf/torch_zip.h"
#include "splade/error.h"

namespace splade::hf {
namespace fs = std::filesystem;

namespace {

void read_sharded_bin(const fs::path& index_file, TensorStore& store) {
  std::ifstream in(index_file);
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kCorrupt, index_file.string() + ": not valid JSON: " + e.what());
  }
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw Error(ErrorCode::kCorrupt, index_file.string() + ": has no 'weight_map' object");
  std::set<std::string> shards;
  for (const auto& [name, shard] : index["weight_map"].items()) {
    if (!shard.is_string() || shard.get<std::string>().find('/') != std::string::npos)
      throw Error(ErrorCode::kCorrupt, index_file.string() + ": weight_map['" + name + "'] is not a file name");
    shards.insert(shard.get<std::string>());
  }
  for (const auto& s : shards) read_torch_zip(index_file.parent_path() / s, store);
  for (const auto& [name, shard] : index["weight_map"].items())
    if (!store.contains(name))
      throw Error(ErrorCode::kNotFound, index_file.string() + ": tensor '" + name + "' listed in weight_map is missing from " +
                                            shard.get<std::string>());
  store.set_label(index_file.string() + " (" + std::to_string(shards.size()) + " shards)");
}

}  // namespace

TensorStore open_weights(const fs::path& dir) {
  TensorStore store;
  std::error_code ec;
  if (fs::exists(dir / "model.safetensors", ec)) {
    read_safetensors(dir / "model.safetensors", store);
  } else if (fs::exists(dir / "model.safetensors.index.json", ec)) {
    read_sharded_safetensors(dir / "model.safetensors.index.json", store);
  } else if (fs::exists(dir / "pytorch_model.bin", ec)) {
    read_torch_zip(dir / "pytorch_model.bin", store);
  } else if (fs::exists(dir / "pytorch_model.bin.index.json", ec)) {
    read_sharded_bin(dir / "pytorch_model.bin.index.json", store);
  } else {
    throw Error(ErrorCode::kNotFound, dir.string() + ": no weights found (expected model.safetensors, "
                                                     "model.safetensors.index.json or pytorch_model.bin)");
  }
  return store;
}

std::string sha256_hex(const std::vector<fs::path>& files) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw Error(ErrorCode::kRuntime, "sha256: cannot initialize OpenSSL digest");
  std::vector<char> buf(1 << 20);
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw Error(ErrorCode::kIo, f.string() + ": cannot open for checksum");
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace splade::hf
