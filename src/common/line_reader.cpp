#include "common/line_reader.h"

#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "splade/error.h"

namespace splade {
namespace {
constexpr std::size_t kBufferBytes = 1 << 20;
}

LineReader::LineReader(const std::string& path) : path_(path), buffer_(new char[kBufferBytes]) {
  if (path == "-") {
    gz_ = gzdopen(dup(STDIN_FILENO), "rb");
  } else {
    if (!std::filesystem::exists(path)) throw Error(ErrorCode::kNotFound, path + ": no such file");
    gz_ = gzopen(path.c_str(), "rb");  // reads plain files transparently
  }
  if (!gz_) throw Error(ErrorCode::kIo, path + ": cannot open: " + std::strerror(errno));
  gzbuffer(static_cast<gzFile>(gz_), 1 << 18);
}

LineReader::~LineReader() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == kBufferBytes) return true;  // caller grows the line across refills
  const int n = gzread(static_cast<gzFile>(gz_), buffer_.get() + end_, static_cast<unsigned>(kBufferBytes - end_));
  if (n < 0) {
    int errnum = 0;
    const char* msg = gzerror(static_cast<gzFile>(gz_), &errnum);
    throw Error(ErrorCode::kCorrupt, path_ + ": cannot read (damaged gzip?): " + (msg ? msg : "unknown error"));
  }
  if (n == 0) {
    int errnum = 0;
    gzerror(static_cast<gzFile>(gz_), &errnum);
    if (errnum == Z_BUF_ERROR)  // the stream ended before the gzip trailer
      throw Error(ErrorCode::kCorrupt, path_ + ": gzip stream is truncated");
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(n);
  return true;
}

bool LineReader::next(std::string& line) {
  line.clear();
  for (;;) {
    char* start = buffer_.get() + begin_;
    char* nl = static_cast<char*>(std::memchr(start, '\n', end_ - begin_));
    if (nl) {
      line.append(start, static_cast<std::size_t>(nl - start));
      begin_ += static_cast<std::size_t>(nl - start) + 1;
      break;
    }
    line.append(start, end_ - begin_);
    begin_ = end_ = 0;
    if (!fill()) {
      if (line.empty()) return false;
      break;  // last line without '\n'
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++line_number_;
  return true;
}

}  // namespace splade
