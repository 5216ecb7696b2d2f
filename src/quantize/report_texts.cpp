// The real text a fidelity report runs on: MS MARCO dev queries and Cranfield abstracts
// from ../shared/data, or a user's file.
#include <zlib.h>

#include <fstream>

#include "splade/error.h"
#include "splade/quantize.h"

namespace splade {
namespace fs = std::filesystem;

namespace {

std::string after_tab(const std::string& line) {
  auto tab = line.find('\t');
  return tab == std::string::npos ? line : line.substr(tab + 1);
}

// Cranfield (SMART format, gzip): ".I n", ".T", ".A", ".B", ".W" fields; the abstract is .W.
std::vector<std::string> cranfield_abstracts(const fs::path& path, int limit) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorCode::kNotFound, path.string() + ": cannot open the Cranfield collection");
  std::vector<std::string> docs;
  std::string cur;
  bool in_text = false;
  char buf[8192];
  while (static_cast<int>(docs.size()) < limit && gzgets(f, buf, sizeof buf)) {
    std::string line(buf);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.rfind(".I", 0) == 0) {
      if (!cur.empty()) docs.push_back(cur);
      cur.clear();
      in_text = false;
    } else if (line.size() == 2 && line[0] == '.') {
      in_text = line == ".W";
    } else if (in_text) {
      if (!cur.empty()) cur += ' ';
      cur += line;
    }
  }
  if (!cur.empty() && static_cast<int>(docs.size()) < limit) docs.push_back(cur);
  gzclose(f);
  return docs;
}

}  // namespace

ReportTexts default_report_texts(const fs::path& shared_data, int queries, int passages) {
  ReportTexts r;
  const fs::path topics = shared_data / "msmarco-passage" / "topics.msmarco-passage.dev-subset.txt";
  std::ifstream in(topics);
  if (!in) throw Error(ErrorCode::kNotFound, topics.string() + ": MS MARCO dev queries not found (use --report FILE)");
  std::string line;
  while (static_cast<int>(r.texts.size()) < queries && std::getline(in, line))
    if (!line.empty()) r.texts.push_back(after_tab(line));
  const int q = static_cast<int>(r.texts.size());
  int p = 0;
  if (passages > 0) {
    for (auto& d : cranfield_abstracts(shared_data / "collections" / "cranfield" / "cran.all.1400.gz", passages))
      r.texts.push_back(std::move(d)), ++p;
  }
  r.source = std::to_string(q) + " MS MARCO dev queries + " + std::to_string(p) + " Cranfield abstracts";
  return r;
}

ReportTexts report_texts_from_file(const fs::path& path, int limit) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::kNotFound, path.string() + ": cannot open the report texts");
  ReportTexts r;
  std::string line;
  while (static_cast<int>(r.texts.size()) < limit && std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) r.texts.push_back(after_tab(line));
  }
  if (r.texts.empty()) throw Error(ErrorCode::kCorrupt, path.string() + ": no texts (expected one per line, or id<TAB>text)");
  r.source = std::to_string(r.texts.size()) + " texts from " + path.string();
  return r;
}

}  // namespace splade
