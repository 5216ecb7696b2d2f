// The SMART format of Cranfield and CISI: records start with ".I <id>"; a line ".X" (one
// upper-case letter, then nothing or whitespace) starts field X; other lines belong to the
// current field.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace splade::collections {

struct SmartRecord {
  std::string id;
  long line = 0;                       // line of the ".I" marker (1-based)
  std::map<char, std::string> fields;  // field letter -> its lines joined with '\n'
};

// A field repeated within a record continues it. Throws splade::Error(kCorrupt) for text
// before the first ".I" or a ".I" without an id, naming `source` and the line.
std::vector<SmartRecord> parse_smart(std::string_view text, const std::string& source);

}  // namespace splade::collections
