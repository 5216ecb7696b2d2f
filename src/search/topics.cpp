// Topics files: Anserini's pre-encoded query TSV (qid<TAB>tokens repeated by weight), JSONL
// query vectors, or qid<TAB>text for an encoder.
#include <unordered_map>
#include <unordered_set>

#include "common/gz_line_reader.h"
#include "index/json_vector.h"
#include "splade/error.h"
#include "splade/searcher.h"

namespace splade {

namespace {

bool ends_with_any(const std::string& name, std::initializer_list<const char*> exts) {
  for (const char* e : exts)
    if (name.ends_with(e)) return true;
  return false;
}

// Java's Character.isWhitespace for ASCII, which is what Lucene's WhitespaceTokenizer splits on
// in pre-encoded queries (tokens are WordPiece strings).
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || (c >= 0x1c && c <= 0x1f); }

}  // namespace

std::vector<Topic> read_topics(const std::filesystem::path& path, TopicFormat format) {
  if (format == TopicFormat::kAuto)
    format = ends_with_any(path.filename().string(), {".jsonl", ".jsonl.gz", ".json", ".json.gz"})
                 ? TopicFormat::kJsonVector
                 : TopicFormat::kTsvTokens;
  GzLineReader reader(path);
  std::vector<Topic> topics;
  std::unordered_set<std::string> seen;
  std::string line;
  ParsedVector parsed;
  auto where = [&] { return path.string() + ":" + std::to_string(reader.line_number()); };
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Topic topic;
    if (format == TopicFormat::kJsonVector) {
      std::string error;
      if (!parse_json_vector_line(line, parsed, error)) throw Error(ErrorCode::kCorrupt, where() + ": " + error);
      topic.id = parsed.id;
      for (auto& [tok, w] : parsed.terms) topic.vector.emplace_back(std::move(tok), w);
      topic.has_vector = true;
    } else {
      const auto tab = line.find('\t');
      if (tab == std::string::npos || tab == 0)
        throw Error(ErrorCode::kCorrupt, where() + ": expected qid<TAB>" +
                                             (format == TopicFormat::kTsvText ? "text" : "tokens"));
      topic.id = line.substr(0, tab);
      const auto end = line.find('\t', tab + 1);  // Anserini's TSV reader takes the second field
      const std::string_view body(line.data() + tab + 1, (end == std::string::npos ? line.size() : end) - tab - 1);
      if (format == TopicFormat::kTsvText) {
        topic.text = body;
      } else {
        std::unordered_map<std::string_view, std::size_t> at;
        std::size_t i = 0;
        while (i < body.size()) {
          while (i < body.size() && is_space(body[i])) ++i;
          std::size_t j = i;
          while (j < body.size() && !is_space(body[j])) ++j;
          if (j > i) {
            const auto tok = body.substr(i, j - i);
            auto [it, fresh] = at.emplace(tok, topic.vector.size());
            if (fresh) topic.vector.emplace_back(std::string(tok), 1);
            else ++topic.vector[it->second].second;
          }
          i = j;
        }
        topic.has_vector = true;
      }
    }
    if (!seen.insert(topic.id).second) throw Error(ErrorCode::kCorrupt, where() + ": topic '" + topic.id + "' given twice");
    topics.push_back(std::move(topic));
  }
  return topics;
}

}  // namespace splade
