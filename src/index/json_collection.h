// The files of a JsonVectorCollection as `splade index --input` reads them.
#pragma once

#include <filesystem>
#include <vector>

namespace splade {

// A file as given, or a folder's .json/.jsonl/.json.gz/.jsonl.gz files (hidden files
// excluded) in name order. Throws splade::Error (kNotFound) for a missing path or a folder
// without such files.
std::vector<std::filesystem::path> json_vector_files(const std::filesystem::path& input);

}  // namespace splade
