// A long-running job's output: written to "<path>.partial" (gzip when the path ends in .gz)
// and renamed to <path> by commit(). An interrupted job leaves the .partial file, which a
// resumed job continues (see encode's --resume).
#pragma once

#include <string>
#include <string_view>

namespace splade {

class PartialOutput {
 public:
  // append: continue an existing .partial file (it must end with a whole line).
  // Throws splade::Error (kIo).
  PartialOutput(const std::string& path, bool append);
  ~PartialOutput();  // closes; leaves the .partial file for a later --resume
  PartialOutput(const PartialOutput&) = delete;
  PartialOutput& operator=(const PartialOutput&) = delete;

  void write(std::string_view bytes);
  void flush();
  // Closes and renames "<path>.partial" to <path>. Throws splade::Error (kIo).
  void commit();

  static std::string partial_path(const std::string& path) { return path + ".partial"; }
  static bool is_gzip(const std::string& path);

 private:
  std::string path_;
  bool gzip_ = false;
  void* gz_ = nullptr;   // gzFile when gzip_
  void* file_ = nullptr;  // FILE* otherwise
};

}  // namespace splade
