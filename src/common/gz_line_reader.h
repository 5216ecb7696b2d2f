// Reads lines from a plain or gzip-compressed file (zlib reads both), or from stdin ("-").
#pragma once

#include <cstdint>
#include <string>

namespace splade {

class GzLineReader {
 public:
  // Throws splade::Error (kNotFound) when the file cannot be opened.
  explicit GzLineReader(const std::string& path);
  ~GzLineReader();
  GzLineReader(const GzLineReader&) = delete;
  GzLineReader& operator=(const GzLineReader&) = delete;

  // The next line without its "\n" (and without a "\r" before it); false at the end.
  // Throws splade::Error (kCorrupt) on a damaged gzip stream.
  bool next(std::string& line);
  // Everything not yet read, as bytes (line endings kept). Same errors as next().
  std::string rest();
  std::uint64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* file_ = nullptr;  // gzFile
  bool fill();            // reads the next chunk into buffer_; false at the end
  std::string buffer_;    // bytes read ahead
  std::size_t pos_ = 0;   // first unconsumed byte of buffer_
  bool eof_ = false;
  std::uint64_t line_number_ = 0;
};

}  // namespace splade
