#include "common/partial_output.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "splade/error.h"

namespace splade {

bool PartialOutput::is_gzip(const std::string& path) {
  return path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

PartialOutput::PartialOutput(const std::string& path, bool append) : path_(path), gzip_(is_gzip(path)) {
  const std::string partial = partial_path(path);
  if (gzip_) {
    // Appending to gzip adds a member; concatenated members are one valid gzip stream.
    gz_ = gzopen(partial.c_str(), append ? "ab6" : "wb6");
    if (!gz_) throw Error(ErrorCode::kIo, partial + ": cannot open for writing: " + std::strerror(errno));
  } else {
    file_ = std::fopen(partial.c_str(), append ? "ab" : "wb");
    if (!file_) throw Error(ErrorCode::kIo, partial + ": cannot open for writing: " + std::strerror(errno));
  }
}

PartialOutput::~PartialOutput() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
  if (file_) std::fclose(static_cast<FILE*>(file_));
}

void PartialOutput::write(std::string_view bytes) {
  if (bytes.empty()) return;
  bool ok;
  if (gzip_) ok = gzwrite(static_cast<gzFile>(gz_), bytes.data(), static_cast<unsigned>(bytes.size())) ==
                  static_cast<int>(bytes.size());
  else ok = std::fwrite(bytes.data(), 1, bytes.size(), static_cast<FILE*>(file_)) == bytes.size();
  if (!ok) throw Error(ErrorCode::kIo, partial_path(path_) + ": write failed (disk full?)");
}

void PartialOutput::flush() {
  if (gzip_) gzflush(static_cast<gzFile>(gz_), Z_SYNC_FLUSH);
  else std::fflush(static_cast<FILE*>(file_));
}

void PartialOutput::commit() {
  int rc = 0;
  if (gzip_) {
    rc = gzclose(static_cast<gzFile>(gz_)) == Z_OK ? 0 : -1;
    gz_ = nullptr;
  } else {
    rc = std::fclose(static_cast<FILE*>(file_));
    file_ = nullptr;
  }
  if (rc != 0) throw Error(ErrorCode::kIo, partial_path(path_) + ": cannot close (disk full?)");
  std::error_code ec;
  std::filesystem::rename(partial_path(path_), path_, ec);
  if (ec) throw Error(ErrorCode::kIo, path_ + ": cannot rename the finished .partial file: " + ec.message());
}

}  // namespace splade
