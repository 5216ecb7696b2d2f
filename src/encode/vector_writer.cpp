#include "encode/vector_writer.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace splade::encode {
namespace {

std::string json_string(std::string_view s) { return nlohmann::json(std::string(s)).dump(); }

}  // namespace

VectorFormatter::VectorFormatter(const Tokenizer& tokenizer, OutputFormat format)
    : tokenizer_(tokenizer), format_(format) {
  // Escaping each token once here keeps the per-record cost to appends.
  if (format_ != OutputFormat::kQueryTsv) {
    quoted_tokens_.reserve(tokenizer.vocab_size());
    for (std::size_t id = 0; id < tokenizer.vocab_size(); ++id)
      quoted_tokens_.push_back(json_string(tokenizer.id_to_token(static_cast<std::int64_t>(id))));
  }
}

void VectorFormatter::append(std::string& out, std::string_view id, std::string_view contents,
                             const SparseVector& v) const {
  switch (format_) {
    case OutputFormat::kJsonVector: {
      out += "{\"id\": " + json_string(id) + ", \"contents\": " + json_string(contents) + ", \"vector\": {";
      bool first = true;
      for (std::size_t i = 0; i < v.ids.size(); ++i) {
        const std::int32_t impact = anserini_impact(v.weights[i]);
        if (impact <= 0) continue;
        if (!first) out += ", ";
        out += quoted_tokens_[static_cast<std::size_t>(v.ids[i])];
        out += ": ";
        out += std::to_string(impact);
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
        const std::string& token = tokenizer_.id_to_token(v.ids[i]);
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
        if (i) out += ", ";
        out += quoted_tokens_[static_cast<std::size_t>(v.ids[i])];
        out += ": ";
        fmt::format_to(std::back_inserter(out), "{}", v.weights[i]);  // shortest text that reads back exactly
      }
      out += "}}\n";
      break;
    }
    case OutputFormat::kAuto: break;
  }
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
