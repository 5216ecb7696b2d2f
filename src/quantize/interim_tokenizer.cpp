#include "quantize/interim_tokenizer.h"

#include <utf8proc.h>

#include <cstdlib>
#include <fstream>

#include "splade/error.h"

namespace splade::quantize {

InterimTokenizer::InterimTokenizer(const std::filesystem::path& vocab_txt) {
  std::ifstream in(vocab_txt);
  if (!in) throw Error(ErrorCode::kNotFound, vocab_txt.string() + ": cannot open the WordPiece vocabulary (vocab.txt)");
  std::string line;
  std::int64_t id = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    vocab_.emplace(line, id++);
  }
  if (vocab_.empty()) throw Error(ErrorCode::kCorrupt, vocab_txt.string() + ": empty vocabulary");
  auto find = [&](const char* t, std::int64_t fallback) {
    auto it = vocab_.find(t);
    return it == vocab_.end() ? fallback : it->second;
  };
  cls_ = find("[CLS]", cls_), sep_ = find("[SEP]", sep_), unk_ = find("[UNK]", unk_);
}

std::vector<std::int64_t> InterimTokenizer::encode(const std::string& text, int max_tokens) const {
  utf8proc_uint8_t* mapped = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.c_str()), 0, &mapped,
                              static_cast<utf8proc_option_t>(UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
                                                             UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD));
  std::string norm = n >= 0 ? std::string(reinterpret_cast<char*>(mapped), static_cast<size_t>(n)) : text;
  std::free(mapped);
  // Words: runs of non-space, non-punctuation code points; each punctuation mark alone.
  std::vector<std::string> words;
  std::string cur;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(norm.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(norm.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    auto len = utf8proc_iterate(p, left, &cp);
    if (len <= 0) { ++p, --left; continue; }
    std::string ch(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    p += len, left -= len;
    const auto cat = utf8proc_category(cp);
    const bool space = cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cat == UTF8PROC_CATEGORY_ZS;
    const bool control = cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF;
    const bool punct = (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
                       (cp >= 123 && cp <= 126) || (cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO);
    if (space || control || punct) {
      if (!cur.empty()) words.push_back(cur), cur.clear();
      if (punct) words.push_back(ch);
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) words.push_back(cur);

  std::vector<std::int64_t> ids{cls_};
  for (const auto& w : words) {
    if (static_cast<int>(ids.size()) >= max_tokens - 1) break;
    std::vector<std::int64_t> pieces;
    bool bad = w.size() > 100;
    size_t start = 0;
    while (!bad && start < w.size()) {
      size_t end = w.size();
      std::int64_t found = -1;
      while (end > start) {
        std::string sub = (start ? "##" : "") + w.substr(start, end - start);
        auto it = vocab_.find(sub);
        if (it != vocab_.end()) { found = it->second; break; }
        --end;
      }
      if (found < 0) bad = true;
      else pieces.push_back(found), start = end;
    }
    if (bad) pieces = {unk_};
    for (auto id : pieces)
      if (static_cast<int>(ids.size()) < max_tokens - 1) ids.push_back(id);
  }
  ids.push_back(sep_);
  return ids;
}

std::vector<std::vector<std::int64_t>> tokenize_for_report(const std::filesystem::path& vocab_txt,
                                                           const std::vector<std::string>& texts, int max_tokens,
                                                           std::string& tokenizer_name) {
  InterimTokenizer tok(vocab_txt);
  tokenizer_name = InterimTokenizer::kName;
  std::vector<std::vector<std::int64_t>> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(tok.encode(t, max_tokens));
  return out;
}

}  // namespace splade::quantize
