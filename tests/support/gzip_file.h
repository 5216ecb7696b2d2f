// Writes a gzip file for the readers under test (zlib, as the library reads it).
#pragma once

#include <zlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace splade::testing {

inline void write_gzip(const std::filesystem::path& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error(path.string() + ": cannot open for writing");
  const int wrote = text.empty() ? 0 : gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  if (wrote != static_cast<int>(text.size())) throw std::runtime_error(path.string() + ": short gzip write");
}

}  // namespace splade::testing
