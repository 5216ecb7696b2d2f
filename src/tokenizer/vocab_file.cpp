// vocab.txt (+ tokenizer_config.json) -> TokenizerSpec, the way transformers'
// BertTokenizerFast builds its tokenizers pipeline from them.
#include <nlohmann/json.hpp>

#include <fstream>

#include "splade/error.h"
#include "tokenizer/tokenizer_spec.h"

namespace splade::tokenizer {
namespace {

using nlohmann::json;

// A special token in tokenizer_config.json: "[CLS]" or {"content": "[CLS]", ...}.
std::string token_setting(const json& config, const char* key, const std::string& fallback) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  const json& v = config[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return fallback;
}

json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, path + ": cannot open");
  try {
    json j = json::parse(in);
    if (!j.is_object()) throw Error(ErrorCode::kCorrupt, path + ": expected a JSON object");
    return j;
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kCorrupt, path + ": not valid JSON (" + e.what() + ")");
  }
}

std::optional<int> max_length_of(const json& config) {
  if (!config.contains("model_max_length") || !config["model_max_length"].is_number()) return std::nullopt;
  const double v = config["model_max_length"].get<double>();
  if (v < 1 || v > 1e6) return std::nullopt;  // transformers' VERY_LARGE_INTEGER (1e30): no limit known
  return static_cast<int>(v);
}

}  // namespace

std::vector<std::pair<std::string, std::int64_t>> load_vocab_txt(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, path + ": cannot open vocab file");
  std::vector<std::pair<std::string, std::int64_t>> vocab;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // text mode reads \r\n as \n
    vocab.emplace_back(line, static_cast<std::int64_t>(vocab.size()));
  }
  if (vocab.empty()) throw Error(ErrorCode::kCorrupt, path + ": empty vocab file");
  return vocab;
}

std::optional<int> read_model_max_length(const std::string& config_path) { return max_length_of(read_json(config_path)); }

TokenizerSpec load_vocab_with_config(const std::string& vocab_path, const std::string& config_path) {
  TokenizerSpec spec;
  spec.vocab = load_vocab_txt(vocab_path);
  const json config = config_path.empty() ? json::object() : read_json(config_path);
  try {
    if (config.contains("tokenizer_class") && config["tokenizer_class"].is_string()) {
      const auto cls = config["tokenizer_class"].get<std::string>();
      if (cls.find("Bert") == std::string::npos)
        throw Error(ErrorCode::kUnsupported, config_path + ": tokenizer_class '" + cls +
                                                 "' is not supported (only BERT WordPiece tokenizers are)");
    }
    const bool lower = config.value("do_lower_case", true);
    spec.normalizer.lowercase = lower;
    spec.normalizer.strip_accents =
        config.contains("strip_accents") && !config["strip_accents"].is_null() ? config["strip_accents"].get<bool>() : lower;
    spec.normalizer.handle_chinese_chars = config.value("tokenize_chinese_chars", true);
    spec.normalizer.clean_text = true;
    if (auto m = max_length_of(config)) spec.model_max_length = *m;
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kCorrupt, config_path + ": unexpected content (" + e.what() + ")");
  }
  spec.wordpiece.unk_token = token_setting(config, "unk_token", "[UNK]");
  spec.cls_token = token_setting(config, "cls_token", "[CLS]");
  spec.sep_token = token_setting(config, "sep_token", "[SEP]");
  spec.pad_token = token_setting(config, "pad_token", "[PAD]");
  const std::string mask = token_setting(config, "mask_token", "[MASK]");

  auto find = [&](const std::string& token) -> std::int64_t {
    std::int64_t found = -1;
    for (const auto& [t, id] : spec.vocab)
      if (t == token) found = id;  // the last line wins, as in transformers' load_vocab
    return found;
  };
  // The special tokens become added tokens, matched in the raw text (transformers adds them
  // with normalized=false).
  for (const std::string& t : {spec.pad_token, spec.wordpiece.unk_token, spec.cls_token, spec.sep_token, mask}) {
    const std::int64_t id = find(t);
    bool dup = false;
    for (const auto& a : spec.added_tokens) dup |= a.content == t;
    if (id >= 0 && !dup) spec.added_tokens.push_back(AddedToken{t, id});
  }
  // transformers >= 4.34 also lists every added token in added_tokens_decoder {"id": {...}}.
  if (config.contains("added_tokens_decoder") && config["added_tokens_decoder"].is_object()) {
    for (const auto& [key, t] : config["added_tokens_decoder"].items()) {
      const std::string where = config_path + ": added_tokens_decoder['" + key + "']";
      if (!t.is_object() || !t.contains("content") || !t["content"].is_string())
        throw Error(ErrorCode::kCorrupt, where + " has no content");
      const std::string content = t["content"].get<std::string>();
      if (t.value("normalized", !t.value("special", false)))
        throw Error(ErrorCode::kUnsupported, where + " ('" + content + "') with normalized=true is not supported");
      if (t.value("lstrip", false) || t.value("rstrip", false) || t.value("single_word", false))
        throw Error(ErrorCode::kUnsupported, where + " ('" + content + "') with lstrip/rstrip/single_word is not supported");
      std::int64_t id = -1;
      try {
        id = std::stoll(key);
      } catch (const std::exception&) {
        throw Error(ErrorCode::kCorrupt, where + ": the key is not an id");
      }
      bool dup = false;
      for (const auto& a : spec.added_tokens) dup |= a.content == content;
      if (!dup && !content.empty()) spec.added_tokens.push_back(AddedToken{content, id});
    }
  }
  const std::int64_t cls = find(spec.cls_token), sep = find(spec.sep_token);
  if (cls < 0 || sep < 0)
    throw Error(ErrorCode::kCorrupt, vocab_path + ": the vocabulary lacks '" + (cls < 0 ? spec.cls_token : spec.sep_token) + "'");
  spec.single_template = bert_template(cls, sep);
  const std::int64_t pad = find(spec.pad_token);
  if (pad >= 0) spec.pad_id = pad;
  return spec;
}

}  // namespace splade::tokenizer
