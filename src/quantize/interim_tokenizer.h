// INTERIM tokenizer for the fidelity report only, until the project's exact tokenizer
// (include/splade/tokenizer.h, written in parallel) is merged: then `tokenize_for_report`
// switches to it and this file goes away. BERT-uncased rules, simplified: NFD + strip
// accents + casefold (utf8proc), split on whitespace and punctuation, greedy longest-match
// WordPiece over vocab.txt, [CLS] ... [SEP], truncated to max_tokens.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace splade::quantize {

class InterimTokenizer {
 public:
  explicit InterimTokenizer(const std::filesystem::path& vocab_txt);
  std::vector<std::int64_t> encode(const std::string& text, int max_tokens) const;
  static constexpr const char* kName = "interim WordPiece (lowercase, whitespace+punctuation split, greedy longest match)";

 private:
  std::unordered_map<std::string, std::int64_t> vocab_;
  std::int64_t cls_ = 101, sep_ = 102, unk_ = 100;
};

// The one function the report tokenizes through.
std::vector<std::vector<std::int64_t>> tokenize_for_report(const std::filesystem::path& vocab_txt,
                                                           const std::vector<std::string>& texts, int max_tokens,
                                                           std::string& tokenizer_name);

}  // namespace splade::quantize
