#include "collections/beir_collection.h"

#include <nlohmann/json.hpp>

#include "common/gz_line_reader.h"
#include "common/text_input.h"
#include "splade/error.h"

namespace splade::collections {
namespace {

namespace fs = std::filesystem;

fs::path existing(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) throw Error(ErrorCode::kNotFound, p.string() + ": no such file (a BEIR collection file)");
  return p;
}

std::string string_field(const nlohmann::json& j, const char* key, const std::string& where, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw Error(ErrorCode::kCorrupt, where + ": no \"" + key + "\" field (a BEIR corpus line has _id, title, text)");
    return "";
  }
  if (!it->is_string()) throw Error(ErrorCode::kCorrupt, where + ": \"" + key + "\" is not a string");
  return it->get<std::string>();
}

std::vector<TextRecord> read_corpus(const fs::path& path) {
  std::vector<TextRecord> docs;
  GzLineReader in(existing(path).string());
  std::string line;
  while (in.next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path.string() + ":" + std::to_string(in.line_number());
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(ErrorCode::kCorrupt, where + ": not a JSON object");
    const std::string title = string_field(j, "title", where, false), text = string_field(j, "text", where, false);
    docs.push_back({string_field(j, "_id", where, true), title.empty() ? text : text.empty() ? title : title + " " + text});
  }
  return docs;
}

std::vector<TextRecord> read_topics(const fs::path& path) {
  std::vector<TextRecord> topics;
  for_each_line(read_text_input(existing(path)), [&](long number, std::string_view line) {
    if (line.empty()) return;
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos)
      throw Error(ErrorCode::kCorrupt, path.string() + ":" + std::to_string(number) + ": expected qid<TAB>query");
    topics.push_back({std::string(line.substr(0, tab)), std::string(line.substr(tab + 1))});
  });
  return topics;
}

std::vector<QrelsEntry> read_qrels(const fs::path& path) {
  std::vector<QrelsEntry> qrels;
  for_each_line(read_text_input(existing(path)), [&](long number, std::string_view line) {
    const std::string where = path.string() + ":" + std::to_string(number);
    std::vector<std::string> f;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      const size_t s = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
      if (i > s) f.emplace_back(line.substr(s, i - s));
    }
    if (f.empty()) return;
    if (f.size() != 4) throw Error(ErrorCode::kCorrupt, where + ": expected 4 fields (qid 0 docno relevance)");
    try {
      size_t used = 0;
      const long rel = std::stol(f[3], &used);
      if (used != f[3].size()) throw std::invalid_argument("trailing");
      qrels.push_back({f[0], f[2], rel});
    } catch (const std::exception&) {
      throw Error(ErrorCode::kCorrupt, where + ": relevance '" + f[3] + "' is not an integer");
    }
  });
  return qrels;
}

}  // namespace

TestCollection load_beir(const std::string& name, const fs::path& beir_dir) {
  TestCollection c;
  c.documents = read_corpus(beir_dir / ("corpus.beir-v1.0.0-" + name + ".jsonl.gz"));
  c.topics = read_topics(beir_dir / ("topics.beir-v1.0.0-" + name + ".test.tsv.gz"));
  c.qrels = read_qrels(beir_dir / ("qrels.beir-v1.0.0-" + name + ".test.txt"));
  return c;
}

}  // namespace splade::collections
