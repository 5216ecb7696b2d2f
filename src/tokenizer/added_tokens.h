// Finds added (special) tokens in the raw text before normalization, as tokenizers'
// AddedVocabulary does with its aho-corasick automaton (MatchKind::LeftmostLongest):
// scanning left to right, the leftmost match wins, and of those the longest.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer_spec.h"

namespace splade::tokenizer {

class AddedTokenMatcher {
 public:
  explicit AddedTokenMatcher(std::vector<AddedToken> tokens) : tokens_(std::move(tokens)) {
    std::stable_sort(tokens_.begin(), tokens_.end(),
                     [](const AddedToken& a, const AddedToken& b) { return a.content.size() > b.content.size(); });
    first_byte_.fill(false);
    for (const auto& t : tokens_) first_byte_[static_cast<unsigned char>(t.content[0])] = true;
  }

  struct Match {
    std::size_t begin = std::string_view::npos;
    std::size_t end = 0;
    std::int64_t id = 0;
  };

  // The first match at or after `from`, or begin == npos.
  Match find(std::string_view text, std::size_t from) const {
    if (tokens_.empty()) return {};
    for (std::size_t i = from; i < text.size(); ++i) {
      if (!first_byte_[static_cast<unsigned char>(text[i])]) continue;
      for (const auto& t : tokens_)  // longest first
        if (text.compare(i, t.content.size(), t.content) == 0) return Match{i, i + t.content.size(), t.id};
    }
    return {};
  }

 private:
  std::vector<AddedToken> tokens_;
  std::array<bool, 256> first_byte_{};
};

}  // namespace splade::tokenizer
