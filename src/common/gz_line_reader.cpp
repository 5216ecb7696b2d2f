#include "common/gz_line_reader.h"

#include <cerrno>
#include <cstring>

#include "splade/error.h"

namespace splade {

GzLineReader::GzLineReader(const std::filesystem::path& path) : path_(path), buffer_(1 << 20) {
  if (!std::filesystem::exists(path)) throw Error(ErrorCode::kNotFound, path.string() + ": no such file");
  file_ = ::gzopen(path.c_str(), "rb");
  if (!file_) throw Error(ErrorCode::kIo, path.string() + ": cannot open: " + std::strerror(errno));
  ::gzbuffer(file_, 1 << 18);
}

GzLineReader::~GzLineReader() {
  if (file_) ::gzclose(file_);
}

bool GzLineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  const int n = ::gzread(file_, buffer_.data() + end_, static_cast<unsigned>(buffer_.size() - end_));
  if (n < 0) {
    int errnum = 0;
    const char* msg = ::gzerror(file_, &errnum);
    throw Error(ErrorCode::kCorrupt, path_.string() + ": cannot decompress: " + (msg ? msg : "gzip error"));
  }
  if (n == 0) {
    int errnum = 0;
    ::gzerror(file_, &errnum);
    if (errnum != Z_OK && errnum != Z_STREAM_END)
      throw Error(ErrorCode::kCorrupt, path_.string() + ": truncated or damaged gzip stream");
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(n);
  return true;
}

bool GzLineReader::next(std::string& line) {
  std::size_t scanned = begin_;
  for (;;) {
    const void* nl = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
    if (nl) {
      const std::size_t at = static_cast<const char*>(nl) - buffer_.data();
      std::size_t stop = at;
      if (stop > begin_ && buffer_[stop - 1] == '\r') --stop;
      line.assign(buffer_.data() + begin_, stop - begin_);
      begin_ = at + 1;
      ++line_number_;
      return true;
    }
    const std::size_t offset = end_ - begin_;
    if (!fill()) break;
    scanned = begin_ + offset;
  }
  if (begin_ == end_) return false;
  std::size_t stop = end_;
  if (buffer_[stop - 1] == '\r') --stop;
  line.assign(buffer_.data() + begin_, stop - begin_);
  begin_ = end_;
  ++line_number_;
  return true;
}

}  // namespace splade
