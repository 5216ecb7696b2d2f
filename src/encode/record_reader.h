// Reads texts to encode: JSONL ({"id","contents"} as Anserini's JsonCollection, or
// {"_id","title","text"} as BEIR) or TSV (id<TAB>text, as MS MARCO collections and
// topics), plain or .gz, a single file or a folder of them (sorted by name).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace splade::encode {

enum class InputFormat { kAuto, kJsonl, kTsv };

struct Record {
  std::string id;
  std::string text;
  std::string file;
  std::int64_t line = 0;   // 1-based line in `file`
  std::string error;       // non-empty: a bad record (invalid JSON, missing id, empty text, invalid UTF-8)
  bool empty_text = false; // blank text (encoded unless --blank-is-error)
};

// The files a path stands for, in reading order. Throws splade::Error (kNotFound).
std::vector<std::string> input_files(const std::string& path);

// Format from a file name: .jsonl/.json[.gz] -> JSONL, .tsv/.txt[.gz] -> TSV.
InputFormat format_of(const std::string& file);

class RecordReader {
 public:
  RecordReader(const std::string& path, InputFormat format = InputFormat::kAuto);
  ~RecordReader();
  // Next non-blank line as a record (check record.error). false at the end.
  bool next(Record& record);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when `text` is valid UTF-8.
bool valid_utf8(const std::string& text);

}  // namespace splade::encode
