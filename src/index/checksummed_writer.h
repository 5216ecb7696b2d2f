// Writes a file while computing its size and CRC-32, for the index manifest.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "splade/error.h"

namespace splade {

class ChecksummedWriter {
 public:
  explicit ChecksummedWriter(const std::filesystem::path& path) : path_(path) {
    out_.rdbuf()->pubsetbuf(buffer_, sizeof(buffer_));
    out_.open(path, std::ios::binary | std::ios::trunc);
    if (!out_) throw Error(ErrorCode::kIo, path.string() + ": cannot create");
    crc_ = ::crc32_z(0L, Z_NULL, 0);
  }
  void write(const void* data, std::size_t n) {
    // zlib's crc32 of a null buffer returns the initial value, not the running CRC: an empty
    // std::vector's data() may be null (a term whose blocks all pack to 0 bits).
    if (n == 0) return;
    out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
    crc_ = ::crc32_z(crc_, static_cast<const Bytef*>(data), n);
    size_ += n;
  }
  template <typename T>
  void write_value(const T& v) { write(&v, sizeof(T)); }
  void pad_to(std::size_t alignment) {
    static const char zeros[64] = {};
    while (size_ % alignment) write(zeros, 1);
  }
  void write_zeros(std::size_t n) {
    static const char zeros[64] = {};
    while (n) { const std::size_t m = n < sizeof(zeros) ? n : sizeof(zeros); write(zeros, m); n -= m; }
  }
  // Flushes and closes; throws on a failed write (e.g. disk full).
  void close() {
    out_.flush();
    if (!out_) throw Error(ErrorCode::kIo, path_.string() + ": write failed (disk full?)");
    out_.close();
  }
  std::uint64_t size() const { return size_; }
  std::uint32_t crc() const { return static_cast<std::uint32_t>(crc_); }

 private:
  std::filesystem::path path_;
  char buffer_[1 << 16];
  std::ofstream out_;
  uLong crc_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace splade
