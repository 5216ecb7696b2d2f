#include "common/gz_line_reader.h"

#include <unistd.h>
#include <zlib.h>

#include <cstring>

#include "splade/error.h"

namespace splade {

GzLineReader::GzLineReader(const std::string& path) : path_(path == "-" ? "<stdin>" : path) {
  gzFile f = path == "-" ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorCode::kNotFound, path_ + ": cannot open for reading: " + std::strerror(errno));
  gzbuffer(f, 1 << 18);
  file_ = f;
}

GzLineReader::~GzLineReader() {
  if (file_) gzclose(static_cast<gzFile>(file_));
}

bool GzLineReader::fill() {
  if (eof_) return false;
  auto f = static_cast<gzFile>(file_);
  buffer_.resize(1 << 18);
  const int n = gzread(f, buffer_.data(), static_cast<unsigned>(buffer_.size()));
  if (n < 0) {
    int err = 0;
    const char* msg = gzerror(f, &err);
    throw Error(ErrorCode::kCorrupt, path_ + ": " + msg);
  }
  buffer_.resize(static_cast<std::size_t>(n));
  pos_ = 0;
  if (n == 0) {
    eof_ = true;
    int err = Z_OK;
    const char* msg = gzerror(f, &err);
    if (err != Z_OK) throw Error(ErrorCode::kCorrupt, path_ + ": truncated gzip data or damaged stream (" + msg + ")");
  }
  return n > 0;
}

bool GzLineReader::next(std::string& line) {
  line.clear();
  bool got = false;
  for (;;) {
    if (pos_ < buffer_.size()) {
      got = true;
      const char* begin = buffer_.data() + pos_;
      const void* nl = std::memchr(begin, '\n', buffer_.size() - pos_);
      if (nl) {
        const auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - begin);
        line.append(begin, len);
        pos_ += len + 1;
        break;
      }
      line.append(begin, buffer_.size() - pos_);
      pos_ = buffer_.size();
    }
    if (!fill()) break;
  }
  if (!got) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++line_number_;
  return true;
}

std::string GzLineReader::rest() {
  std::string out = buffer_.substr(std::min(pos_, buffer_.size()));
  pos_ = buffer_.size();
  while (fill()) out += buffer_;
  pos_ = buffer_.size();
  return out;
}

}  // namespace splade
