#include "common/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "splade/error.h"

namespace splade {
namespace {
std::atomic<unsigned> g_counter{0};
}

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
  tmp_ = path_;
  tmp_ += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++);
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    throw Error(ErrorCode::kIo, path_.string() + ": cannot create temporary file " + tmp_.string() +
                                    ": " + std::strerror(errno));
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
  }
}

void AtomicFile::write(std::string_view bytes) {
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void AtomicFile::commit() {
  out_.flush();
  if (!out_) throw Error(ErrorCode::kIo, path_.string() + ": write failed (disk full?)");
  out_.close();
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) throw Error(ErrorCode::kIo, path_.string() + ": cannot rename temporary file: " + ec.message());
  committed_ = true;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

}  // namespace splade
