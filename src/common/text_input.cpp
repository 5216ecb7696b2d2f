#include "common/text_input.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "splade/error.h"

namespace splade {
namespace {

std::string gunzip(const std::string& packed, const std::filesystem::path& path) {
  std::string out;
  z_stream zs{};
  // 15 + 32: zlib or gzip header, detected automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) throw Error(ErrorCode::kRuntime, path.string() + ": zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
  zs.avail_in = static_cast<uInt>(packed.size());
  char buf[1 << 16];
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // another gzip member follows
      continue;
    }
    if (rc != Z_OK) {
      inflateEnd(&zs);
      throw Error(ErrorCode::kCorrupt, path.string() + ": damaged gzip data (" + (zs.msg ? zs.msg : "zlib error " + std::to_string(rc)) + ")");
    }
    if (zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      throw Error(ErrorCode::kCorrupt, path.string() + ": truncated gzip data");
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace

std::string read_text_input(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::kNotFound, path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw Error(ErrorCode::kInvalidArgument, path.string() + ": is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, path.string() + ": cannot open: " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  if (in.bad()) throw Error(ErrorCode::kIo, path.string() + ": read failed");
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f && static_cast<unsigned char>(bytes[1]) == 0x8b)
    return gunzip(bytes, path);
  return bytes;
}

}  // namespace splade
