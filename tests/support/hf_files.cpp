#include "support/hf_files.h"

#include <zip.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace splade::testing {

std::string floats_bytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

std::string safetensors_with_header(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string safetensors_bytes(const std::vector<StTensor>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& t : tensors) {
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.data.size()}}};
    data += t.data;
  }
  header["__metadata__"] = {{"format", "pt"}};
  return safetensors_with_header(header.dump(), data);
}

void write_zip(const std::filesystem::path& path, const std::map<std::string, std::string>& records) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) throw std::runtime_error("zip_open failed");
  for (const auto& [name, bytes] : records) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    const auto idx = zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE);
    zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
  }
  if (zip_close(z) != 0) throw std::runtime_error("zip_close failed");
}

namespace {
std::string binunicode(const std::string& s) {
  std::string out = "X";
  std::uint32_t n = static_cast<std::uint32_t>(s.size());
  for (int i = 0; i < 4; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + s;
}
}  // namespace

std::string state_dict_pickle(const std::string& name, std::int64_t numel) {
  std::string p = "\x80\x02}";
  p += binunicode(name);
  p += "ctorch._utils\n_rebuild_tensor_v2\n(";
  p += "(" + binunicode("storage") + "ctorch\nFloatStorage\n" + binunicode("0") + binunicode("cpu");
  p += "K" + std::string(1, static_cast<char>(numel)) + "tQ";
  p += std::string("K\x00", 2);                                     // storage_offset
  p += "K" + std::string(1, static_cast<char>(numel)) + "\x85";      // size
  p += std::string("K\x01\x85", 3);                                 // stride
  p += "\x89";                                                      // requires_grad False
  p += "ccollections\nOrderedDict\n)R";                             // backward_hooks
  p += "tRs.";
  return p;
}

std::string pickle_calling(const std::string& module, const std::string& name) {
  return "\x80\x02}" + binunicode("w") + "c" + module + "\n" + name + "\n" + binunicode("x") + "\x85Rs.";
}

void write_tiny_bert(const std::filesystem::path& dir, const TinyBertOptions& o) {
  std::filesystem::create_directories(dir);
  const int H = 8, I = 16, V = 40, P = 16, T = 2;
  write_bytes(dir / "config.json", nlohmann::json({{"model_type", "bert"},
                                                   {"architectures", {"BertForMaskedLM"}},
                                                   {"vocab_size", V},
                                                   {"hidden_size", H},
                                                   {"num_hidden_layers", 1},
                                                   {"num_attention_heads", 2},
                                                   {"intermediate_size", I},
                                                   {"hidden_act", "gelu"},
                                                   {"max_position_embeddings", P},
                                                   {"type_vocab_size", T},
                                                   {"layer_norm_eps", 1e-12}})
                                       .dump());
  std::string vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nwhat\nis\nai\n?\n";
  for (int i = 9; i < V; ++i) vocab += "tok" + std::to_string(i) + "\n";
  write_bytes(dir / "vocab.txt", vocab);

  std::vector<StTensor> tensors;
  std::uint32_t state = 12345;
  auto add = [&](const std::string& name, std::vector<std::int64_t> shape, float base) {
    if (name == o.omit) return;
    if (name == o.reshape) shape.back() += 1;
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) {
      state = state * 1664525u + 1013904223u;
      x = base + (static_cast<float>(state >> 8) / static_cast<float>(1 << 24) - 0.5f) * 0.4f;
    }
    StTensor t{name, o.dtype, shape, ""};
    if (o.dtype == "F32") {
      t.data = floats_bytes(v);
    } else {  // F16 / BF16: round-trip through the narrow type
      for (float x : v) {
        std::uint32_t u;
        std::memcpy(&u, &x, 4);
        std::uint16_t b;
        if (o.dtype == "BF16") {
          b = static_cast<std::uint16_t>(u >> 16);
        } else {  // fp16 of a small normal number: rebias the exponent, cut the mantissa
          const std::uint32_t sign = (u >> 16) & 0x8000u;
          const int exp = static_cast<int>((u >> 23) & 0xff) - 127 + 15;
          b = exp <= 0 ? static_cast<std::uint16_t>(sign)
                       : static_cast<std::uint16_t>(sign | (exp << 10) | ((u >> 13) & 0x3ff));
        }
        t.data.append(reinterpret_cast<const char*>(&b), 2);
      }
    }
    tensors.push_back(t);
  };
  add("bert.embeddings.word_embeddings.weight", {V, H}, 0);
  add("bert.embeddings.position_embeddings.weight", {P, H}, 0);
  add("bert.embeddings.token_type_embeddings.weight", {T, H}, 0);
  add("bert.embeddings.LayerNorm.weight", {H}, 1);
  add("bert.embeddings.LayerNorm.bias", {H}, 0);
  const std::string l = "bert.encoder.layer.0.";
  for (const char* m : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
    add(l + m + ".weight", {H, H}, 0);
    add(l + m + ".bias", {H}, 0);
  }
  add(l + "attention.output.LayerNorm.weight", {H}, 1);
  add(l + "attention.output.LayerNorm.bias", {H}, 0);
  add(l + "intermediate.dense.weight", {I, H}, 0);
  add(l + "intermediate.dense.bias", {I}, 0);
  add(l + "output.dense.weight", {H, I}, 0);
  add(l + "output.dense.bias", {H}, 0);
  add(l + "output.LayerNorm.weight", {H}, 1);
  add(l + "output.LayerNorm.bias", {H}, 0);
  add("cls.predictions.transform.dense.weight", {H, H}, 0);
  add("cls.predictions.transform.dense.bias", {H}, 0);
  add("cls.predictions.transform.LayerNorm.weight", {H}, 1);
  add("cls.predictions.transform.LayerNorm.bias", {H}, 0);
  add("cls.predictions.bias", {V}, 0);
  write_bytes(dir / "model.safetensors", safetensors_bytes(tensors));
}

}  // namespace splade::testing
