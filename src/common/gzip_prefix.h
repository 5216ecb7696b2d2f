#pragma once

#include <string>

namespace splade {

// The content of a file that may be an interrupted gzip stream: everything that
// decompresses, up to the point where the stream stops or is damaged (a plain file is
// returned as is). zlib's gzread drops the last buffer of a truncated stream; this does
// not, so an interrupted run's output is recovered up to its last flushed byte.
std::string read_decodable_prefix(const std::string& path);

}  // namespace splade
