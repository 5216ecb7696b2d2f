// What each source becomes. Documents and topics keep their source order; ids are the
// source's own, except Cranfield's topics (see load_cranfield).
#include <algorithm>
#include <charconv>
#include <set>

#include "collections/beir_collection.h"
#include "collections/smart_format.h"
#include "collections/source_text.h"
#include "collections/tar_archive.h"
#include "collections/trec_sgml.h"
#include "common/text_input.h"
#include "splade/collections.h"
#include "splade/error.h"

namespace splade::collections {
namespace {

namespace fs = std::filesystem;

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> f;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t s = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > s) f.push_back(line.substr(s, i - s));
  }
  return f;
}

long to_long(std::string_view s, const std::string& where) {
  long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw Error(ErrorCode::kCorrupt, where + ": '" + std::string(s) + "' is not an integer");
  return v;
}

// Reads whitespace-separated lines of `expected_fields` columns; calls fn(where, fields).
template <typename Fn>
void for_each_row(const fs::path& path, size_t expected_fields, Fn&& fn) {
  const std::string text = read_text_input(path);
  for_each_line(text, [&](long number, std::string_view line) {
    const auto f = fields_of(line);
    if (f.empty()) return;
    const std::string where = path.string() + ":" + std::to_string(number);
    if (f.size() != expected_fields)
      throw Error(ErrorCode::kCorrupt, where + ": expected " + std::to_string(expected_fields) + " fields, found " +
                                           std::to_string(f.size()));
    fn(where, f);
  });
}

// Title and abstract of a SMART record (".T" + ".W"; just ".W" when it already starts with the
// title, as Cranfield's do); authors, bibliography, keywords and citations are metadata.
std::string smart_text(const SmartRecord& r) {
  auto field = [&](char f) {
    auto it = r.fields.find(f);
    return it == r.fields.end() ? std::string() : collapse_whitespace(it->second);
  };
  const std::string title = field('T'), body = field('W');
  if (title.empty() || body.compare(0, title.size(), title) == 0) return body;
  return body.empty() ? title : title + " " + body;
}

std::vector<TextRecord> smart_records(const fs::path& path) {
  std::vector<TextRecord> out;
  for (const auto& r : parse_smart(read_text_input(path), path.string())) out.push_back({r.id, smart_text(r)});
  return out;
}

// CACM (Anserini's copy): one HTML file per document, CACM-NNNN.html, id = the file name
// without ".html" (as Anserini's HtmlCollection names it); text = the page text. Topics:
// <DOC><DOCNO> n </DOCNO> text </DOC>. Qrels are TREC qrels, but 55 of their 796 lines name
// documents below 1000 without the zero padding of the file names ("CACM-857" for
// CACM-0857.html), which would never match: they are padded to 4 digits.
std::string pad_cacm_docno(const std::string& docno) {
  const std::string prefix = "CACM-";
  if (docno.compare(0, prefix.size(), prefix) != 0) return docno;
  std::string digits = docno.substr(prefix.size());
  if (digits.empty() || digits.size() >= 4 || digits.find_first_not_of("0123456789") != std::string::npos) return docno;
  return prefix + std::string(4 - digits.size(), '0') + digits;
}

TestCollection load_cacm(const fs::path& dir) {
  TestCollection c;
  for (auto& m : read_archive(dir / "cacm.tar.gz")) {
    std::string name = fs::path(m.path).filename().string();
    if (name.size() <= 5 || name.substr(name.size() - 5) != ".html") continue;
    c.documents.push_back({name.substr(0, name.size() - 5), html_to_text(m.bytes)});
  }
  const fs::path topics = dir / "topics.cacm.txt";
  c.topics = parse_sgml_records(read_text_input(topics), topics.string(), "DOC", "DOCNO");
  for_each_row(dir / "qrels.cacm.txt", 4, [&](const std::string& where, const auto& f) {
    c.qrels.push_back({std::string(f[0]), pad_cacm_docno(std::string(f[2])), to_long(f[3], where)});
  });
  return c;
}

// Vaswani (NPL, PyTerrier's TREC version): TREC SGML documents and topics, TREC qrels.
TestCollection load_vaswani(const fs::path& dir) {
  TestCollection c;
  const fs::path docs = dir / "doc-text.trec.gz", topics = dir / "query-text.trec";
  c.documents = parse_sgml_records(read_text_input(docs), docs.string(), "DOC", "DOCNO");
  c.topics = parse_sgml_records(read_text_input(topics), topics.string(), "top", "num");
  for_each_row(dir / "qrels", 4, [&](const std::string& where, const auto& f) {
    c.qrels.push_back({std::string(f[0]), std::string(f[2]), to_long(f[3], where)});
  });
  return c;
}

// Cranfield: SMART documents and queries. cran.qry numbers its 225 queries ".I 001".."365"
// with gaps, while cranqrel numbers them 1..225 in file order: topic ids are therefore the
// position in cran.qry (1-based), which is what the qrels mean. cranqrel is "qid docno grade"
// with Cleverdon's grades 1 (complete answer) .. 4 (minimum interest) and -1 (no interest);
// they become TREC grades, higher = more relevant: 1..4 -> 4..1, -1 -> 0.
TestCollection load_cranfield(const fs::path& dir) {
  TestCollection c;
  c.documents = smart_records(dir / "cran.all.1400.gz");
  auto queries = smart_records(dir / "cran.qry");
  for (size_t i = 0; i < queries.size(); ++i) c.topics.push_back({std::to_string(i + 1), std::move(queries[i].text)});
  for_each_row(dir / "cranqrel", 3, [&](const std::string& where, const auto& f) {
    const long grade = to_long(f[2], where);
    if (grade != -1 && (grade < 1 || grade > 4))
      throw Error(ErrorCode::kCorrupt, where + ": Cranfield grade " + std::to_string(grade) + " (expected -1 or 1..4)");
    c.qrels.push_back({std::string(f[0]), std::string(f[1]), grade == -1 ? 0 : 5 - grade});
  });
  return c;
}

// CISI: SMART documents and queries (text = .T + .W; many queries are only .W). CISI.REL is
// "qid docno 0 0.000000", one line per relevant pair: relevance 1.
TestCollection load_cisi(const fs::path& dir) {
  TestCollection c;
  c.documents = smart_records(dir / "CISI.ALL.gz");
  c.topics = smart_records(dir / "CISI.QRY");
  for_each_row(dir / "CISI.REL", 4, [&](const std::string& where, const auto& f) {
    to_long(f[0], where);
    c.qrels.push_back({std::string(f[0]), std::string(f[1]), 1});
  });
  return c;
}

void check_unique_ids(const std::vector<TextRecord>& records, const std::string& what, const std::string& name) {
  std::set<std::string_view> seen;
  for (const auto& r : records)
    if (!seen.insert(r.id).second)
      throw Error(ErrorCode::kCorrupt, name + ": " + what + " id '" + r.id + "' occurs twice");
}

}  // namespace

std::vector<std::string> collection_names() { return {"cacm", "vaswani", "cranfield", "cisi", "scifact"}; }

TestCollection load_collection(const std::string& name, const fs::path& data_dir) {
  const fs::path dir = data_dir / "collections" / name;
  TestCollection c;
  if (name == "cacm") c = load_cacm(dir);
  else if (name == "vaswani") c = load_vaswani(dir);
  else if (name == "cranfield") c = load_cranfield(dir);
  else if (name == "cisi") c = load_cisi(dir);
  else if (name == "scifact") c = load_beir(name, data_dir / "beir");
  else throw Error(ErrorCode::kInvalidArgument, "unknown collection '" + name + "' (expected cacm, vaswani, cranfield, cisi or scifact)");
  c.name = name;
  check_unique_ids(c.documents, "document", name);
  check_unique_ids(c.topics, "topic", name);
  return c;
}

}  // namespace splade::collections
