// UTF-8 decoding that never fails: an ill-formed sequence becomes one U+FFFD per maximal
// subpart (Unicode 15 §3.9, Table 3-7), like Python's bytes.decode("utf-8", "replace").
#pragma once

#include <cstddef>
#include <string>

namespace splade::tokenizer {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point at s[i] (i < n) into cp; returns the bytes it spans (>= 1).
// Sets `invalid` when the bytes were ill-formed and cp is U+FFFD.
inline std::size_t decode_utf8(const unsigned char* s, std::size_t n, std::size_t i, char32_t& cp, bool& invalid) {
  const unsigned b0 = s[i];
  invalid = false;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t need;
  unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  char32_t value;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, value = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, value = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    invalid = true, cp = kReplacementChar;
    return 1;
  }
  std::size_t len = 1;
  for (std::size_t k = 0; k < need; ++k) {
    if (i + len >= n) break;
    const unsigned b = s[i + len];
    if (b < lo || b > hi) break;
    value = (value << 6) | (b & 0x3F);
    ++len;
    lo = 0x80, hi = 0xBF;
  }
  if (len != need + 1) {
    invalid = true, cp = kReplacementChar;
    return len;
  }
  cp = value;
  return len;
}

template <class Bytes>  // std::string or std::vector<char>
inline void append_utf8(Bytes& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

}  // namespace splade::tokenizer
