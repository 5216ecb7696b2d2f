// tokenizer.json -> TokenizerSpec. Only the BERT WordPiece pipeline is supported; any other
// component is refused with an error that names it, rather than tokenized differently.
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "splade/error.h"
#include "tokenizer/tokenizer_spec.h"

namespace splade::tokenizer {
namespace {

using nlohmann::json;

[[noreturn]] void unsupported(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kUnsupported, path + ": " + what + " is not supported (only BERT WordPiece tokenizers are)");
}
[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kCorrupt, path + ": " + what);
}

std::string type_of(const json& j) { return j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : ""; }

template <class T>
T get_or(const json& obj, const char* key, T fallback) {
  if (!obj.contains(key) || obj[key].is_null()) return fallback;
  return obj[key].get<T>();
}

NormalizerConfig read_normalizer(const json& n, const std::string& path) {
  NormalizerConfig c;
  if (n.is_null()) return NormalizerConfig{false, false, false, false};
  const std::string type = type_of(n);
  if (type != "BertNormalizer") unsupported(path, "normalizer.type '" + type + "'");
  c.clean_text = get_or<bool>(n, "clean_text", true);
  c.handle_chinese_chars = get_or<bool>(n, "handle_chinese_chars", true);
  c.lowercase = get_or<bool>(n, "lowercase", true);
  c.strip_accents = get_or<bool>(n, "strip_accents", c.lowercase);  // Option<bool>: None follows lowercase
  return c;
}

std::int64_t id_of(const TokenizerSpec& spec, const std::string& token) {
  for (const auto& a : spec.added_tokens)
    if (a.content == token) return a.id;
  for (const auto& [t, id] : spec.vocab)
    if (t == token) return id;
  return -1;
}

void read_post_processor(const json& p, const std::string& path, TokenizerSpec& spec) {
  if (p.is_null()) return;
  const std::string type = type_of(p);
  if (type == "BertProcessing") {
    // {"sep": ["[SEP]", 102], "cls": ["[CLS]", 101]}
    const auto& cls = p.at("cls");
    const auto& sep = p.at("sep");
    spec.cls_token = cls.at(0).get<std::string>();
    spec.sep_token = sep.at(0).get<std::string>();
    spec.single_template = bert_template(cls.at(1).get<std::int64_t>(), sep.at(1).get<std::int64_t>());
    return;
  }
  if (type != "TemplateProcessing") unsupported(path, "post_processor.type '" + type + "'");
  const json& specials = p.contains("special_tokens") ? p["special_tokens"] : json::object();
  bool seen_sequence = false;
  for (const auto& item : p.at("single")) {
    TemplatePart part;
    if (item.contains("Sequence")) {
      const auto& s = item["Sequence"];
      if (s.at("id").get<std::string>() != "A") unsupported(path, "post_processor.single sequence '" + s["id"].dump() + "'");
      if (seen_sequence) unsupported(path, "post_processor.single with the sequence twice");
      seen_sequence = true;
      part.is_sequence = true;
      part.type_id = s.value("type_id", 0);
    } else if (item.contains("SpecialToken")) {
      const auto& s = item["SpecialToken"];
      const std::string name = s.at("id").get<std::string>();
      if (!specials.contains(name)) corrupt(path, "post_processor.special_tokens has no '" + name + "'");
      part.ids = specials[name].at("ids").get<std::vector<std::int64_t>>();
      part.type_id = s.value("type_id", 0);
      if (!seen_sequence && spec.single_template.empty()) spec.cls_token = name;
      if (seen_sequence) spec.sep_token = name;
    } else {
      corrupt(path, "post_processor.single has an item that is neither Sequence nor SpecialToken");
    }
    spec.single_template.push_back(std::move(part));
  }
  if (!seen_sequence) corrupt(path, "post_processor.single has no sequence $A");
}

}  // namespace

std::vector<TemplatePart> bert_template(std::int64_t cls_id, std::int64_t sep_id) {
  std::vector<TemplatePart> t(3);
  t[0].ids = {cls_id};
  t[1].is_sequence = true;
  t[2].ids = {sep_id};
  return t;
}

TokenizerSpec load_tokenizer_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, path + ": cannot open tokenizer.json");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_tokenizer_json(text.str(), path);
}

TokenizerSpec parse_tokenizer_json(std::string_view text, const std::string& path) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    corrupt(path, std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) corrupt(path, "expected a JSON object at the top level");
  TokenizerSpec spec;
  try {
    // model
    if (!j.contains("model")) corrupt(path, "no 'model'");
    const json& m = j["model"];
    const std::string model_type = type_of(m);
    if (model_type != "WordPiece") unsupported(path, "model.type '" + model_type + "'");
    spec.wordpiece.unk_token = get_or<std::string>(m, "unk_token", "[UNK]");
    spec.wordpiece.continuing_subword_prefix = get_or<std::string>(m, "continuing_subword_prefix", "##");
    spec.wordpiece.max_input_chars_per_word = get_or<std::size_t>(m, "max_input_chars_per_word", 100);
    if (!m.contains("vocab") || !m["vocab"].is_object()) corrupt(path, "model.vocab must be an object token -> id");
    spec.vocab.reserve(m["vocab"].size());
    for (const auto& [token, id] : m["vocab"].items()) {
      if (!id.is_number_integer() || id.get<std::int64_t>() < 0) corrupt(path, "model.vocab['" + token + "'] is not an id");
      spec.vocab.emplace_back(token, id.get<std::int64_t>());
    }

    // normalizer, pre-tokenizer
    spec.normalizer = read_normalizer(j.value("normalizer", json()), path);
    const json pre = j.value("pre_tokenizer", json());
    if (type_of(pre) != "BertPreTokenizer")
      unsupported(path, "pre_tokenizer" + (pre.is_null() ? std::string(" null") : ".type '" + type_of(pre) + "'"));

    // added tokens: matched in the raw text
    if (j.contains("added_tokens") && j["added_tokens"].is_array()) {
      std::size_t i = 0;
      for (const auto& t : j["added_tokens"]) {
        const std::string where = "added_tokens[" + std::to_string(i++) + "] ('" + t.value("content", "") + "')";
        if (t.value("normalized", false)) unsupported(path, where + " with normalized=true");
        if (t.value("lstrip", false) || t.value("rstrip", false) || t.value("single_word", false))
          unsupported(path, where + " with lstrip/rstrip/single_word");
        AddedToken a{t.at("content").get<std::string>(), t.at("id").get<std::int64_t>()};
        if (!a.content.empty()) spec.added_tokens.push_back(std::move(a));
      }
    }

    read_post_processor(j.value("post_processor", json()), path, spec);

    const json trunc = j.value("truncation", json());
    if (!trunc.is_null()) {
      if (trunc.value("direction", std::string("Right")) != "Right")
        unsupported(path, "truncation.direction '" + trunc["direction"].get<std::string>() + "'");
      spec.model_max_length = trunc.at("max_length").get<int>();
    }
    const json pad = j.value("padding", json());
    if (!pad.is_null()) {
      if (pad.value("direction", std::string("Right")) != "Right")
        unsupported(path, "padding.direction '" + pad["direction"].get<std::string>() + "'");
      if (pad.contains("pad_id")) spec.pad_id = pad["pad_id"].get<std::int64_t>();
      spec.pad_type_id = pad.value("pad_type_id", 0);
      spec.pad_token = pad.value("pad_token", spec.pad_token);
    }
  } catch (const json::exception& e) {
    corrupt(path, std::string("unexpected content (") + e.what() + ")");
  }
  if (!spec.pad_id) {
    const std::int64_t id = id_of(spec, spec.pad_token);
    if (id >= 0) spec.pad_id = id;
  }
  return spec;
}

}  // namespace splade::tokenizer
