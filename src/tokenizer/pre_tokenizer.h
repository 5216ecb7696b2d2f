// BertPreTokenizer (pre_tokenizers/bert.rs) on the normalizer's output: split on White_Space
// (removed) and on punctuation (each punctuation character is a word of its own). Words are
// collected with, for every normalized byte, the original byte range it comes from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/normalizer.h"

namespace splade::tokenizer {

struct Words {
  std::string text;                 // the normalized words, back to back
  std::vector<std::uint32_t> start;  // per byte of text: start of its original character
  std::vector<std::uint32_t> end;    // per byte of text: end of its original character
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;  // [begin, end) of each word in text

  void clear() {
    text.clear(), start.clear(), end.clear(), spans.clear();
  }
};

class WordCollector {
 public:
  explicit WordCollector(Words& words) : w_(words), word_begin_(words.text.size()) {}

  void put(char32_t c, Align a) {
    const std::uint8_t flags = char_props(c).flags;
    if (flags & kWhitespace) {
      finish_word();
    } else if (flags & kPunctuation) {
      finish_word();
      append(c, a);
      finish_word();
    } else {
      append(c, a);
    }
  }

  void finish_word() {
    const auto end = static_cast<std::uint32_t>(w_.text.size());
    if (end > word_begin_) w_.spans.emplace_back(word_begin_, end);
    word_begin_ = end;
  }

 private:
  void append(char32_t c, Align a) {
    const std::size_t before = w_.text.size();
    append_utf8(w_.text, c);
    const std::size_t added = w_.text.size() - before;
    for (std::size_t k = 0; k < added; ++k) {
      w_.start.push_back(a.start);
      w_.end.push_back(a.end);
    }
  }

  Words& w_;
  std::uint32_t word_begin_;
};

// Normalizes and splits text (at byte `base` of the whole input), appending to words.
// Returns the number of ill-formed UTF-8 sequences.
inline std::size_t pre_tokenize(const Normalizer& normalizer, std::string_view text, std::uint32_t base,
                                Words& words) {
  WordCollector collector(words);
  const std::size_t invalid = normalizer.run(text, base, collector);
  collector.finish_word();
  return invalid;
}

}  // namespace splade::tokenizer
