#include "onnx/initializer_file_spans.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <unordered_set>
#include <vector>

#include "splade/error.h"

namespace splade::onnxio {
namespace fs = std::filesystem;

namespace {

// Field numbers from onnx.proto: ModelProto.graph, GraphProto.initializer, TensorProto.name
// and TensorProto.raw_data.
constexpr std::uint64_t kModelGraph = 7, kGraphInitializer = 5, kTensorName = 8, kTensorRawData = 9;

// Protobuf's wire format over a seekable file: varints are read, everything else skipped.
class WireReader {
 public:
  explicit WireReader(const fs::path& path) : path_(path), in_(path, std::ios::binary) {
    if (!in_) throw Error(ErrorCode::kIo, path.string() + ": cannot open for reading");
    in_.seekg(0, std::ios::end);
    size_ = static_cast<std::int64_t>(in_.tellg());
    in_.seekg(0);
  }
  std::int64_t size() const { return size_; }
  std::int64_t pos() { return static_cast<std::int64_t>(in_.tellg()); }
  void seek(std::int64_t p) {
    in_.clear();  // a short read in same_bytes() leaves failbit set; the next span starts afresh
    in_.seekg(p);
  }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const int c = in_.get();
      if (c == std::char_traits<char>::eof()) corrupt("a varint runs past the end of the file");
      v |= static_cast<std::uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    corrupt("a varint is longer than 10 bytes");
  }

  // Calls f(field, offset, length) for each length-delimited field of the message in
  // [begin, end); other wire types are skipped. f may move the reader.
  template <class F>
  void for_each_bytes_field(std::int64_t begin, std::int64_t end, F&& f) {
    seek(begin);
    for (std::int64_t at = begin; at < end;) {
      const std::uint64_t key = varint();
      switch (key & 7) {
        case 0: varint(); at = pos(); break;
        case 1: at = pos() + 8; break;
        case 5: at = pos() + 4; break;
        case 2: {
          const std::uint64_t length = varint();
          const std::int64_t offset = pos();
          if (length > static_cast<std::uint64_t>(end - offset)) corrupt("a field's length runs past its message");
          f(key >> 3, offset, static_cast<std::int64_t>(length));
          at = offset + static_cast<std::int64_t>(length);
          break;
        }
        default: corrupt("wire type " + std::to_string(key & 7) + " (groups are not ONNX)");
      }
      if (at > end) corrupt("a field runs past its message");
      seek(at);
    }
  }

  std::string read(std::int64_t offset, std::int64_t length) {
    std::string s(static_cast<std::size_t>(length), '\0');
    seek(offset);
    if (!in_.read(s.data(), length)) corrupt("cannot read " + std::to_string(length) + " bytes at " + std::to_string(offset));
    return s;
  }

  bool same_bytes(std::int64_t offset, const std::string& data) {
    constexpr std::size_t kChunk = 1 << 20;
    std::vector<char> buf(std::min(kChunk, data.size()));
    seek(offset);
    for (std::size_t at = 0; at < data.size(); at += kChunk) {
      const std::size_t n = std::min(kChunk, data.size() - at);
      if (!in_.read(buf.data(), static_cast<std::streamsize>(n))) return false;
      if (!std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n), data.begin() + static_cast<std::ptrdiff_t>(at)))
        return false;
    }
    return true;
  }

 private:
  [[noreturn]] void corrupt(const std::string& what) {
    throw Error(ErrorCode::kCorrupt, path_.string() + ": not a readable ONNX protobuf: " + what);
  }
  fs::path path_;
  std::ifstream in_;
  std::int64_t size_ = 0;
};

}  // namespace

std::unordered_map<std::string, FileSpan> initializer_file_spans(const fs::path& path) {
  WireReader r(path);
  std::unordered_map<std::string, FileSpan> spans;
  std::unordered_set<std::string> repeated;
  r.for_each_bytes_field(0, r.size(), [&](std::uint64_t field, std::int64_t graph_at, std::int64_t graph_length) {
    if (field != kModelGraph) return;
    r.for_each_bytes_field(graph_at, graph_at + graph_length, [&](std::uint64_t gf, std::int64_t at, std::int64_t length) {
      if (gf != kGraphInitializer) return;
      std::string name;
      std::optional<FileSpan> raw;
      r.for_each_bytes_field(at, at + length, [&](std::uint64_t tf, std::int64_t data_at, std::int64_t data_length) {
        if (tf == kTensorName) name = r.read(data_at, data_length);
        if (tf == kTensorRawData) raw = FileSpan{data_at, data_length};  // the last one wins, as in a parse
      });
      if (!raw) return;
      if (!spans.emplace(name, *raw).second) repeated.insert(name);
    });
  });
  for (const auto& name : repeated) spans.erase(name);
  return spans;
}

std::int64_t refer_initializers_to_file(onnx::ModelProto& model, const fs::path& path, std::int64_t min_bytes) {
  const auto spans = initializer_file_spans(path);
  WireReader file(path);
  std::int64_t moved = 0;
  for (auto& t : *model.mutable_graph()->mutable_initializer()) {
    const auto bytes = static_cast<std::int64_t>(t.raw_data().size());
    if (bytes < min_bytes || t.data_location() == onnx::TensorProto::EXTERNAL) continue;
    const auto span = spans.find(t.name());
    // The whole span is compared: a graph rewritten at load time may have changed a tensor
    // and kept its name, and then it must stay inline.
    if (span == spans.end() || span->second.length != bytes || !file.same_bytes(span->second.offset, t.raw_data()))
      continue;
    std::string().swap(*t.mutable_raw_data());
    t.clear_raw_data();
    t.set_data_location(onnx::TensorProto::EXTERNAL);
    t.clear_external_data();
    auto entry = [&](const char* key, const std::string& value) {
      auto* e = t.add_external_data();
      e->set_key(key);
      e->set_value(value);
    };
    entry("location", path.filename().string());
    entry("offset", std::to_string(span->second.offset));
    entry("length", std::to_string(bytes));
    moved += bytes;
  }
  return moved;
}

}  // namespace splade::onnxio
