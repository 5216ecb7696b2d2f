// Reads a text file line by line, plain or gzip (detected from the content, via zlib).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace splade {

class LineReader {
 public:
  // "-" reads standard input. Throws splade::Error (kNotFound / kIo).
  explicit LineReader(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its '\n' (and without a trailing '\r'). false at end of file.
  // Throws splade::Error (kCorrupt) on a damaged gzip stream.
  bool next(std::string& line);
  // 1-based number of the line last returned.
  std::int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

 private:
  bool fill();
  std::string path_;
  void* gz_ = nullptr;  // gzFile
  std::unique_ptr<char[]> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  std::int64_t line_number_ = 0;
};

}  // namespace splade
