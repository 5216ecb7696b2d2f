#include "collections/trec_sgml.h"

#include <algorithm>
#include <cctype>

#include "collections/source_text.h"
#include "splade/error.h"

namespace splade::collections {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "<" + name + ">" spelled out: GCC 12 warns (-Wrestrict, a false positive) on the operator+ chain.
std::string tag(const char* opening, const std::string& name) {
  std::string t(opening);
  t.append(name);
  t.push_back('>');
  return t;
}

long line_of(std::string_view text, size_t offset) {
  return 1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

}  // namespace

std::vector<TextRecord> parse_sgml_records(std::string_view text, const std::string& source,
                                           const std::string& record_tag, const std::string& id_tag) {
  // Searching a lower-cased copy keeps offsets identical to the original text.
  const std::string folded = lower(text);
  const std::string record = lower(record_tag), id = lower(id_tag);
  const std::string open = tag("<", record), close = tag("</", record);
  const std::string id_open = tag("<", id), id_close = tag("</", id);
  std::vector<TextRecord> records;
  size_t pos = 0;
  while ((pos = folded.find(open, pos)) != std::string::npos) {
    const size_t body = pos + open.size();
    const size_t end = folded.find(close, body);
    if (end == std::string::npos)
      throw Error(ErrorCode::kCorrupt, source + ":" + std::to_string(line_of(text, pos)) + ": " + open + " is never closed");
    const size_t id_start = folded.find(id_open, body);
    const size_t id_end = id_start == std::string::npos ? std::string::npos : folded.find(id_close, id_start);
    if (id_start == std::string::npos || id_end == std::string::npos || id_end > end)
      throw Error(ErrorCode::kCorrupt, source + ":" + std::to_string(line_of(text, pos)) + ": record without " + id_open + "..." + id_close);
    TextRecord r;
    r.id = collapse_whitespace(text.substr(id_start + id_open.size(), id_end - id_start - id_open.size()));
    if (r.id.empty())
      throw Error(ErrorCode::kCorrupt, source + ":" + std::to_string(line_of(text, id_start)) + ": empty " + id_open);
    std::string rest(text.substr(body, id_start - body));
    rest += ' ';
    rest += text.substr(id_end + id_close.size(), end - id_end - id_close.size());
    r.text = html_to_text(rest);
    records.push_back(std::move(r));
    pos = end + close.size();
  }
  return records;
}

}  // namespace splade::collections
