// A read-only memory map of a whole file (checkpoint weights are read in place, not copied).
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace splade::hf {

class MappedFile {
 public:
  // Maps `path` read-only. Throws splade::Error (kNotFound, kIo). An empty file maps to
  // an empty span.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {static_cast<const std::byte*>(data_), size_}; }
  const std::filesystem::path& path() const { return path_; }

  // Tells the kernel the pages covering [p, p + n) are no longer needed, so they leave
  // this process's resident set (they are re-read from the page cache if touched again).
  void release(const std::byte* p, std::size_t n) const;

 private:
  std::filesystem::path path_;
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace splade::hf
