#include "common/text_input.h"

#include "common/gz_line_reader.h"
#include "splade/error.h"

namespace splade {

std::string read_text_input(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::kNotFound, path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw Error(ErrorCode::kInvalidArgument, path.string() + ": is a directory, expected a file");
  // zlib's gz reader passes plain files through and reads concatenated gzip members.
  GzLineReader reader(path.string());
  return reader.rest();
}

}  // namespace splade
