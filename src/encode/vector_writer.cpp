#include "encode/vector_writer.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace splade::encode {
namespace {

std::string json_string(std::string_view s) { return nlohmann::json(std::string(s)).dump(); }

}  // namespace

std::string format_vector(OutputFormat format, const Tokenizer& tokenizer, std::string_view id,
                          std::string_view contents, const SparseVector& v) {
  std::string out;
  out.reserve(64 + v.ids.size() * 16);
  switch (format) {
    case OutputFormat::kJsonVector: {
      out += "{\"id\": " + json_string(id) + ", \"contents\": " + json_string(contents) + ", \"vector\": {";
      bool first = true;
      for (std::size_t i = 0; i < v.ids.size(); ++i) {
        const std::int32_t impact = anserini_impact(v.weights[i]);
        if (impact <= 0) continue;
        out += first ? "" : ", ";
        out += json_string(tokenizer.id_to_token(v.ids[i]));
        out += ": " + std::to_string(impact);
        first = false;
      }
      out += "}}\n";
      break;
    }
    case OutputFormat::kQueryTsv: {
      out.append(id);
      out += '\t';
      bool first = true;
      for (std::size_t i = 0; i < v.ids.size(); ++i) {
        const std::int32_t impact = anserini_impact(v.weights[i]);
        const std::string& token = tokenizer.id_to_token(v.ids[i]);
        for (std::int32_t k = 0; k < impact; ++k) {
          if (!first) out += ' ';
          out += token;
          first = false;
        }
      }
      out += '\n';
      break;
    }
    case OutputFormat::kJsonFloat: {
      out += "{\"id\": " + json_string(id) + ", \"vector\": {";
      for (std::size_t i = 0; i < v.ids.size(); ++i) {
        out += i ? ", " : "";
        out += json_string(tokenizer.id_to_token(v.ids[i]));
        out += fmt::format(": {}", v.weights[i]);  // shortest text that reads back to the same float
      }
      out += "}}\n";
      break;
    }
    case OutputFormat::kAuto: break;
  }
  return out;
}

std::string id_of_line(OutputFormat format, const std::string& line) {
  if (format == OutputFormat::kQueryTsv) {
    const auto tab = line.find('\t');
    return tab == std::string::npos ? "" : line.substr(0, tab);
  }
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j["id"].is_string()) return "";
  return j["id"].get<std::string>();
}

}  // namespace splade::encode
