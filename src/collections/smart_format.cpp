#include "collections/smart_format.h"

#include "collections/source_text.h"
#include "common/text_input.h"
#include "splade/error.h"

namespace splade::collections {
namespace {
bool is_field_marker(std::string_view line) {
  if (line.size() < 2 || line[0] != '.' || line[1] < 'A' || line[1] > 'Z') return false;
  return line.size() == 2 || line[2] == ' ' || line[2] == '\t';
}
}  // namespace

std::vector<SmartRecord> parse_smart(std::string_view text, const std::string& source) {
  std::vector<SmartRecord> records;
  std::string* field = nullptr;
  for_each_line(text, [&](long number, std::string_view line) {
    auto fail = [&](const std::string& what) {
      throw Error(ErrorCode::kCorrupt, source + ":" + std::to_string(number) + ": " + what);
    };
    if (is_field_marker(line)) {
      const char letter = line[1];
      const std::string rest = collapse_whitespace(line.substr(2));
      if (letter == 'I') {
        if (rest.empty()) fail("record marker '.I' without an id");
        records.push_back({rest, number, {}});
        field = nullptr;
        return;
      }
      if (records.empty()) fail("field '." + std::string(1, letter) + "' before the first '.I' record");
      // A repeated field (CISI lists each author under its own ".A") continues the first.
      auto [it, inserted] = records.back().fields.emplace(letter, rest);
      if (!inserted && !rest.empty()) it->second += "\n" + rest;
      field = &it->second;
      return;
    }
    if (!field) {
      if (collapse_whitespace(line).empty()) return;
      fail(records.empty() ? "text before the first '.I' record" : "text before the first field of record " + records.back().id);
    }
    if (!field->empty()) *field += '\n';
    *field += line;
  });
  return records;
}

}  // namespace splade::collections
