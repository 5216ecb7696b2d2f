// What the pinned Hugging Face tokenizers (0.19.1) believes about each code point.
//
// HF does not use one Unicode version: its BertNormalizer/BertPreTokenizer take categories
// from the crate unicode_categories 0.1.1 (Unicode 8.0 tables), NFD from
// unicode-normalization-alignments 0.1.12 (Unicode 9.0 tables), and whitespace and
// lowercase from Rust's std (Unicode 15). A character assigned later than a table's
// version is "unassigned" (Cn, no decomposition, combining class 0) for that table. We
// reproduce this with ICU (Debian libicu): the current property, gated by the character's
// Unicode age (u_charAge). utf8proc has no age property, hence ICU here.
#pragma once

#include <cstdint>

namespace splade::tokenizer {

enum CharFlag : std::uint8_t {
  kOther = 1 << 0,           // Cc, Cf or Co in Unicode 8.0 (unicode_categories `is_other`)
  kWhitespace = 1 << 1,      // White_Space (Rust char::is_whitespace)
  kPunctuation = 1 << 2,     // ASCII punctuation, or P* in Unicode 8.0 (BertPreTokenizer)
  kChinese = 1 << 3,         // BERT's CJK ideograph ranges (BertNormalizer::is_chinese_char)
  kNonspacingMark = 1 << 4,  // Mn in Unicode 8.0 (removed by strip_accents after NFD)
  kDecomposes = 1 << 5,      // has a canonical decomposition in Unicode 9.0
  kLowerChanges = 1 << 6,    // char::to_lowercase is not the character itself
};

struct CharProps {
  std::uint8_t flags = 0;
  std::uint8_t ccc = 0;  // canonical combining class in Unicode 9.0
};

inline constexpr int kMaxDecomposition = 8;  // longest NFD of one code point is 4
inline constexpr int kMaxLowercase = 3;      // longest full lowercase mapping is 2

// The properties of `c` (<= 0x10FFFF). Tables are built once, on first use, thread-safely.
CharProps char_props(char32_t c);
// The full canonical decomposition (Unicode 9.0) of `c` into out; returns its length (>= 1).
int decompose_nfd(char32_t c, char32_t* out);
// Rust's char::to_lowercase (full, unconditional mapping, e.g. U+0130 -> "i\u0307").
int to_lowercase(char32_t c, char32_t* out);

}  // namespace splade::tokenizer
