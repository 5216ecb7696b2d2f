// The WordPiece model of tokenizers (models/wordpiece/mod.rs): greedy longest-match-first
// over a word; pieces after the first carry the continuing_subword_prefix ("##"); a word
// longer than max_input_chars_per_word characters, or with any part that no token matches,
// becomes the single unk token spanning the whole word.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/vocab_trie.h"

namespace splade::tokenizer {

struct WordPieceConfig {
  std::string unk_token = "[UNK]";
  std::string continuing_subword_prefix = "##";
  std::size_t max_input_chars_per_word = 100;
};

struct Piece {
  std::int64_t id;
  std::uint32_t begin;  // byte range in the word
  std::uint32_t end;
};

class WordPiece {
 public:
  // vocab: (token, id) pairs. Throws splade::Error (kCorrupt) when unk_token is not in it.
  WordPiece(const std::vector<std::pair<std::string, std::int64_t>>& vocab, WordPieceConfig config);

  // Appends the pieces of `word` (normalized, non-empty) to out.
  void tokenize(std::string_view word, std::vector<Piece>& out) const {
    const std::size_t mark = out.size();
    if (word.size() > config_.max_input_chars_per_word && count_chars(word) > config_.max_input_chars_per_word) {
      out.push_back(Piece{unk_id_, 0, static_cast<std::uint32_t>(word.size())});
      return;
    }
    std::size_t start = 0;
    while (start < word.size()) {
      const auto [len, id] = (start == 0 ? initial_ : continuing_).longest_prefix(word.substr(start));
      if (id < 0) {
        out.resize(mark);
        out.push_back(Piece{unk_id_, 0, static_cast<std::uint32_t>(word.size())});
        return;
      }
      out.push_back(Piece{id, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(start + len)});
      start += len;
    }
  }

  std::int64_t unk_id() const { return unk_id_; }
  const WordPieceConfig& config() const { return config_; }

 private:
  static std::size_t count_chars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }

  WordPieceConfig config_;
  std::int64_t unk_id_ = -1;
  VocabTrie initial_;     // every token, for the first piece of a word
  VocabTrie continuing_;  // tokens that start with the prefix, prefix removed, for later pieces
};

}  // namespace splade::tokenizer
