// Output files are never left half-written: content goes to a temporary file beside the
// target, is flushed, and is renamed over the target only when complete.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace splade {

class AtomicFile {
 public:
  // Opens "<path>.tmp-<pid>-<n>" for writing. Throws splade::Error (kIo) on failure.
  explicit AtomicFile(std::filesystem::path path);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  void write(std::string_view bytes);
  // Flushes, closes and renames onto the target path. Throws splade::Error (kIo).
  void commit();

  const std::filesystem::path& temporary_path() const { return tmp_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

// Writes `bytes` to `path` atomically.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace splade
