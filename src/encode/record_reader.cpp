#include "encode/record_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "common/gz_line_reader.h"
#include "splade/error.h"

namespace splade::encode {
namespace fs = std::filesystem;

namespace {

std::string strip_gz(const std::string& name) { return name.ends_with(".gz") ? name.substr(0, name.size() - 3) : name; }

void parse_json(const std::string& line, Record& r) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    r.error = "invalid JSON (expected one object per line)";
    return;
  }
  const nlohmann::json* id = nullptr;
  if (j.contains("id")) id = &j["id"];
  else if (j.contains("_id")) id = &j["_id"];
  else if (j.contains("docid")) id = &j["docid"];
  if (!id || id->is_null()) {
    r.error = "missing \"id\" (or BEIR \"_id\")";
    return;
  }
  if (id->is_string()) r.id = id->get<std::string>();
  else if (id->is_number_integer()) r.id = std::to_string(id->get<std::int64_t>());
  else {
    r.error = "\"id\" must be a string or an integer";
    return;
  }
  if (j.contains("contents") && j["contents"].is_string()) {
    r.text = j["contents"].get<std::string>();
  } else {
    // BEIR corpus: title and text, joined as Pyserini does ("title text").
    std::string title = j.contains("title") && j["title"].is_string() ? j["title"].get<std::string>() : "";
    std::string text = j.contains("text") && j["text"].is_string() ? j["text"].get<std::string>() : "";
    if (!j.contains("contents") && !j.contains("text")) {
      r.error = "no \"contents\" (Anserini) or \"text\" (BEIR) field";
      return;
    }
    r.text = title.empty() ? text : text.empty() ? title : title + " " + text;
  }
}

void parse_tsv(const std::string& line, Record& r) {
  const auto tab = line.find('\t');
  if (tab == std::string::npos) {
    r.error = "no tab (expected id<TAB>text)";
    return;
  }
  r.id = line.substr(0, tab);
  r.text = line.substr(tab + 1);
  if (r.id.empty()) r.error = "empty id";
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

bool valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned c = *p;
    int n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (n < 0 || end - p < n + 1) return false;  // not a lead byte, or cut short
    std::uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are invalid.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += n + 1;
  }
  return true;
}

InputFormat format_of(const std::string& file) {
  const std::string name = strip_gz(fs::path(file).filename().string());
  if (name.ends_with(".jsonl") || name.ends_with(".json")) return InputFormat::kJsonl;
  if (name.ends_with(".tsv") || name.ends_with(".txt")) return InputFormat::kTsv;
  throw Error(ErrorCode::kInvalidArgument,
              file + ": cannot tell the input format from the name (expected .jsonl, .json, .tsv or .txt, "
                     "optionally .gz; or pass --input-format)");
}

std::vector<std::string> input_files(const std::string& path) {
  if (path == "-") return {path};
  if (!fs::exists(path)) throw Error(ErrorCode::kNotFound, path + ": no such file or folder");
  if (!fs::is_directory(path)) return {path};
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = strip_gz(entry.path().filename().string());
    if (name.ends_with(".jsonl") || name.ends_with(".json") || name.ends_with(".tsv") || name.ends_with(".txt"))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw Error(ErrorCode::kNotFound, path + ": folder holds no .jsonl, .json, .tsv or .txt files");
  return files;
}

struct RecordReader::Impl {
  std::vector<std::string> files;
  std::size_t next_file = 0;
  InputFormat requested;
  InputFormat current = InputFormat::kJsonl;
  std::unique_ptr<GzLineReader> reader;
  std::string line;
};

RecordReader::RecordReader(const std::string& path, InputFormat format) : impl_(std::make_unique<Impl>()) {
  impl_->files = input_files(path);
  impl_->requested = format;
  if (path == "-" && format == InputFormat::kAuto)
    throw Error(ErrorCode::kInvalidArgument, "standard input: pass --input-format jsonl or tsv");
}

RecordReader::~RecordReader() = default;

bool RecordReader::next(Record& r) {
  for (;;) {
    if (!impl_->reader) {
      if (impl_->next_file == impl_->files.size()) return false;
      const std::string& file = impl_->files[impl_->next_file++];
      impl_->current = impl_->requested == InputFormat::kAuto ? format_of(file) : impl_->requested;
      impl_->reader = std::make_unique<GzLineReader>(file);
    }
    if (!impl_->reader->next(impl_->line)) {
      impl_->reader.reset();
      continue;
    }
    if (blank(impl_->line)) continue;
    r = Record{};
    r.file = impl_->reader->path();
    r.line = impl_->reader->line_number();
    if (!valid_utf8(impl_->line)) {
      r.error = "invalid UTF-8";
      return true;
    }
    if (impl_->current == InputFormat::kJsonl) parse_json(impl_->line, r);
    else parse_tsv(impl_->line, r);
    if (r.error.empty() && blank(r.text)) {
      r.error = "empty text";
      r.empty_text = true;
    }
    return true;
  }
}

}  // namespace splade::encode
