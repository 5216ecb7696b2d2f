// One line of an Anserini JsonVectorCollection: {"id": ..., "contents": ..., "vector": {term: weight}}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace splade {

struct ParsedVector {
  std::string id;
  // Weights as Anserini reads them (Jackson JsonNode.asInt()): integers as is, other numbers
  // truncated toward zero, numeric strings parsed, anything else 0. A term given twice keeps
  // its last weight (Jackson's ObjectNode). Weights <= 0 are kept here; callers drop them.
  std::vector<std::pair<std::string, std::int64_t>> terms;
  std::string contents;  // the "contents" string ("" when absent or not a string)
};

// Parses one line; on failure returns false with a one-line reason in `error`.
bool parse_json_vector_line(std::string_view line, ParsedVector& out, std::string& error);

}  // namespace splade
