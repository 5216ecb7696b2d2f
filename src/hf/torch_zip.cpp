#include "hf/torch_zip.h"

#include <zip.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <vector>

#include "hf/unpickler.h"
#include "splade/error.h"

namespace splade::hf {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

[[noreturn]] void fail(ErrorCode code, const std::filesystem::path& file, const std::string& what) {
  throw Error(code, file.string() + ": " + what);
}

// Reads a whole record; throws if it is missing or unreadable.
std::shared_ptr<std::vector<std::byte>> read_record(zip_t* z, const std::string& name,
                                                    const std::filesystem::path& file) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(z, name.c_str(), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    fail(ErrorCode::kCorrupt, file, "zip record '" + name + "' is missing");
  auto buf = std::make_shared<std::vector<std::byte>>(st.size);
  zip_file_t* f = zip_fopen(z, name.c_str(), 0);
  if (!f) fail(ErrorCode::kCorrupt, file, "cannot open zip record '" + name + "': " + zip_strerror(z));
  zip_int64_t got = st.size ? zip_fread(f, buf->data(), st.size) : 0;
  const bool ok = got == static_cast<zip_int64_t>(st.size);
  std::string err = ok ? "" : zip_file_strerror(f);
  zip_fclose(f);
  if (!ok) fail(ErrorCode::kCorrupt, file, "cannot read zip record '" + name + "' (truncated?): " + err);
  return buf;
}

}  // namespace

void read_torch_zip(const std::filesystem::path& file, TensorStore& store) {
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(ErrorCode::kNotFound, file, "cannot open");
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() == 4 && static_cast<unsigned char>(magic[0]) == 0x80 && magic[1] == 0x02)
      fail(ErrorCode::kUnsupported, file, "is a legacy (pre-PyTorch-1.6) pickle file; re-save it with torch.save "
                                          "or convert it to safetensors");
  }
  int err = 0;
  ZipPtr z(zip_open(file.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err));
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    fail(ErrorCode::kCorrupt, file, "not a readable zip archive (torch.save format): " + msg);
  }
  // The records share one top-level folder whose name torch took from the file name.
  std::string prefix;
  bool found = false;
  const zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(z.get(), static_cast<zip_uint64_t>(i), 0);
    if (!name) continue;
    std::string s = name;
    const std::string tail = "data.pkl";
    if (s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0 &&
        (s.size() == tail.size() || s[s.size() - tail.size() - 1] == '/')) {
      const auto p = s.substr(0, s.size() - tail.size());
      if (p.find('/') == p.size() - 1 || p.empty()) {
        prefix = p;
        found = true;
        break;
      }
    }
  }
  if (!found) fail(ErrorCode::kCorrupt, file, "zip record '<archive>/data.pkl' is missing (not a torch.save file?)");

  auto pickle = read_record(z.get(), prefix + "data.pkl", file);
  auto refs = parse_state_dict_pickle(*pickle, file.string());

  std::map<std::string, std::shared_ptr<std::vector<std::byte>>> storages;
  for (auto& r : refs) {
    auto& buf = storages[r.storage.key];
    if (!buf) {
      buf = read_record(z.get(), prefix + "data/" + r.storage.key, file);
      store.keep_alive(buf);
    }
    const auto need = static_cast<std::uint64_t>(r.storage.numel) * dtype_size(r.storage.dtype);
    if (buf->size() < need)
      fail(ErrorCode::kCorrupt, file, "storage record 'data/" + r.storage.key + "' holds " +
                                          std::to_string(buf->size()) + " bytes, its " + std::to_string(r.storage.numel) +
                                          " " + dtype_name(r.storage.dtype) + " elements need " + std::to_string(need));
    TensorEntry t;
    t.name = r.name;
    t.dtype = r.storage.dtype;
    t.shape = r.shape;
    t.strides = r.stride;
    t.data = buf->data() + r.offset * static_cast<std::int64_t>(dtype_size(r.storage.dtype));
    t.source = file.string();
    store.add(std::move(t));
  }
  store.add_file(file);
}

}  // namespace splade::hf
