// BertPreTokenizer (pre_tokenizers/bert.rs) on the normalizer's output: split on White_Space
// (removed) and on punctuation (each punctuation character is a word of its own). Words are
// collected with, for every normalized byte, the original byte range it comes from.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/normalizer.h"

namespace splade::tokenizer {

struct Words {
  std::vector<char> text;    // the normalized words, back to back (a vector: push_back inlines)
  std::vector<Align> align;  // per byte of text: the original character it comes from
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;  // [begin, end) of each word in text

  void clear() {
    text.clear(), align.clear(), spans.clear();
  }
};

class WordCollector {
 public:
  explicit WordCollector(Words& words) : w_(words), word_begin_(words.text.size()) {}

  [[gnu::always_inline]] void put(char32_t c, Align a) {
    static const std::array<std::uint8_t, 128> ascii_flags = [] {
      std::array<std::uint8_t, 128> f{};
      for (char32_t x = 0; x < 128; ++x) f[x] = char_props(x).flags;
      return f;
    }();
    const std::uint8_t flags = c < 128 ? ascii_flags[c] : char_props(c).flags;
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
  [[gnu::always_inline]] void append(char32_t c, Align a) {
    if (c < 128) {
      w_.text.push_back(static_cast<char>(c));
      w_.align.push_back(a);
      return;
    }
    const std::size_t before = w_.text.size();
    append_utf8(w_.text, c);
    const std::size_t added = w_.text.size() - before;
    w_.align.insert(w_.align.end(), added, a);
  }

  Words& w_;
  std::uint32_t word_begin_;
};

// Normalizes and splits text (at byte `base` of the whole input), appending to words.
// Returns the number of ill-formed UTF-8 sequences.
inline std::size_t pre_tokenize(const Normalizer& normalizer, std::string_view text, std::uint32_t base,
                                Words& words) {
  // Normalized text is rarely longer than 3x the input (CJK spacing); reserving avoids
  // regrowth on the hot path (the Words buffers are reused across calls).
  words.text.reserve(words.text.size() + text.size() * 3 + 16);
  words.align.reserve(words.text.capacity());
  WordCollector collector(words);
  const std::size_t invalid = normalizer.run(text, base, collector);
  collector.finish_word();
  return invalid;
}

}  // namespace splade::tokenizer
