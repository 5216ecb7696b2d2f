// Reads text lines from a plain or gzip-compressed file (zlib detects which), in batches.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace splade {

class GzLineReader {
 public:
  // Throws splade::Error (kNotFound / kIo).
  explicit GzLineReader(const std::filesystem::path& path);
  ~GzLineReader();
  GzLineReader(const GzLineReader&) = delete;
  GzLineReader& operator=(const GzLineReader&) = delete;

  // Next line without its "\n" (and "\r"); false at the end. Throws kCorrupt on a damaged gzip stream.
  bool next(std::string& line);
  std::uint64_t line_number() const { return line_number_; }  // of the line last returned, from 1
  const std::filesystem::path& path() const { return path_; }

 private:
  bool fill();
  std::filesystem::path path_;
  gzFile file_ = nullptr;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  std::uint64_t line_number_ = 0;
};

}  // namespace splade
