// The regular files of a (possibly compressed) tar archive, through libarchive.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace splade::collections {

struct ArchiveMember {
  std::string path;   // as stored in the archive
  std::string bytes;
};

// Every regular file, in archive order. Throws splade::Error (kNotFound, kCorrupt).
std::vector<ArchiveMember> read_archive(const std::filesystem::path& path);

}  // namespace splade::collections
