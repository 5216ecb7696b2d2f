// Whole-file reads of text inputs that may be gzip-compressed (topics, qrels, runs, collections).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace splade {

// The bytes of `path`, gunzipped when they are gzip (GzLineReader::rest); concatenated gzip
// members are read to the end. Throws splade::Error: kNotFound (missing or unreadable),
// kCorrupt (a damaged or truncated gzip stream).
std::string read_text_input(const std::filesystem::path& path);

// Calls fn(line_number, line) for each line of `text` (1-based; the trailing '\r' of CRLF files
// and the final newline are not part of a line).
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  long number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(++number, line);
    start = end + 1;
  }
}

}  // namespace splade
