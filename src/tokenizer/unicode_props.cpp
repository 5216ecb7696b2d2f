#include "tokenizer/unicode_props.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

namespace splade::tokenizer {
namespace {

constexpr char32_t kCodeSpace = 0x110000;

// Assigned in Unicode `major`.0 or earlier (u_charAge is 0.0 for unassigned code points).
bool assigned_by(UChar32 c, int major) {
  UVersionInfo age;
  u_charAge(c, age);
  return age[0] != 0 && age[0] <= major;
}

bool is_chinese(char32_t c) {
  // The ranges of tokenizers' BertNormalizer::is_chinese_char, 0x2B920 (not 0x2B820) included.
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_ascii_punctuation(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

// The six characters whose General_Category changed after Unicode 8.0 in a way that matters
// here (P*, Mn, Cc/Cf/Co); ICU knows only the current value. Found by comparing every code
// point with HF tokenizers (tests/oracle/test_tokenizer_oracle.py::test_every_code_point),
// and matching the UCD's UnicodeData.txt history.
struct CategoryChange {
  char32_t c;
  UCharCategory in_unicode_8;
};
constexpr CategoryChange kChangedSince8[] = {
    {0x166D, U_OTHER_PUNCTUATION},        // CANADIAN SYLLABICS CHI SIGN, now So
    {0x1734, U_NON_SPACING_MARK},         // HANUNOO SIGN PAMUDPOD, now Mc
    {0x1885, U_OTHER_LETTER},             // MONGOLIAN LETTER ALI GALI BALUDA, now Mn
    {0x1886, U_OTHER_LETTER},             // MONGOLIAN LETTER ALI GALI THREE BALUDA, now Mn
    {0xA9BD, U_COMBINING_SPACING_MARK},   // JAVANESE CONSONANT SIGN KERET, now Mn
    {0x111C9, U_OTHER_PUNCTUATION},       // SHARADA SANDHI MARK, now Mn
};

UCharCategory category_in_unicode_8(UChar32 c) {
  for (const auto& change : kChangedSince8)
    if (change.c == static_cast<char32_t>(c)) return change.in_unicode_8;
  return static_cast<UCharCategory>(u_charType(c));
}

struct Lowercase {
  char32_t c;
  std::uint8_t n;
  std::array<char32_t, kMaxLowercase> out;
};

struct Tables {
  std::vector<CharProps> props = std::vector<CharProps>(kCodeSpace);
  std::vector<Lowercase> lower;  // sorted by c: every character whose lowercase differs

  Tables() {
    for (char32_t c = 0; c < kCodeSpace; ++c) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;  // surrogates never come out of the UTF-8 reader
      const UChar32 u = static_cast<UChar32>(c);
      CharProps p;
      // Most of the code space is unassigned or private use: settle those without the
      // per-property lookups below (startup time).
      const auto now = static_cast<UCharCategory>(u_charType(u));
      if (now == U_UNASSIGNED || now == U_PRIVATE_USE_CHAR) {
        if (now == U_PRIVATE_USE_CHAR && assigned_by(u, 8)) p.flags |= kOther;
        if (is_chinese(c)) p.flags |= kChinese;
        props[c] = p;
        continue;
      }
      const bool in8 = assigned_by(u, 8);
      const bool in9 = in8 || assigned_by(u, 9);
      const UCharCategory type = in8 ? category_in_unicode_8(u) : U_UNASSIGNED;
      if (in8) {
        if (type == U_CONTROL_CHAR || type == U_FORMAT_CHAR || type == U_PRIVATE_USE_CHAR) p.flags |= kOther;
        if (type == U_NON_SPACING_MARK) p.flags |= kNonspacingMark;
        switch (type) {
          case U_CONNECTOR_PUNCTUATION: case U_DASH_PUNCTUATION: case U_START_PUNCTUATION:
          case U_END_PUNCTUATION: case U_INITIAL_PUNCTUATION: case U_FINAL_PUNCTUATION:
          case U_OTHER_PUNCTUATION:
            p.flags |= kPunctuation;
            break;
          default:
            break;
        }
      }
      if (is_ascii_punctuation(c)) p.flags |= kPunctuation;
      if (u_isUWhiteSpace(u)) p.flags |= kWhitespace;
      if (is_chinese(c)) p.flags |= kChinese;
      if (in9) {
        p.ccc = static_cast<std::uint8_t>(u_getCombiningClass(u));
        if (u_getIntPropertyValue(u, UCHAR_NFD_QUICK_CHECK) == UNORM_NO) p.flags |= kDecomposes;
      }
      if (u_hasBinaryProperty(u, UCHAR_CHANGES_WHEN_LOWERCASED)) {
        UChar src[2];
        int32_t src_len = 0;
        U16_APPEND_UNSAFE(src, src_len, u);
        UChar dst[8];
        UErrorCode err = U_ZERO_ERROR;
        const int32_t n = u_strToLower(dst, 8, src, src_len, "", &err);
        Lowercase l{c, 0, {}};
        for (int32_t i = 0; U_SUCCESS(err) && i < n && l.n < kMaxLowercase;) {
          UChar32 out;
          U16_NEXT(dst, i, n, out);
          l.out[l.n++] = static_cast<char32_t>(out);
        }
        if (l.n > 0 && !(l.n == 1 && l.out[0] == c)) {
          p.flags |= kLowerChanges;
          lower.push_back(l);
        }
      }
      props[c] = p;
    }
  }
};

const Tables& tables() {
  static const Tables* t = new Tables();  // never destroyed: used from any thread until exit
  return *t;
}

}  // namespace

CharProps char_props(char32_t c) { return c < kCodeSpace ? tables().props[c] : CharProps{}; }

int decompose_nfd(char32_t c, char32_t* out) {
  if (!(char_props(c).flags & kDecomposes)) {
    out[0] = c;
    return 1;
  }
  static const UNormalizer2* nfd = [] {
    UErrorCode err = U_ZERO_ERROR;
    return unorm2_getNFDInstance(&err);
  }();
  UChar buf[32];
  UErrorCode err = U_ZERO_ERROR;
  const int32_t n = unorm2_getDecomposition(nfd, static_cast<UChar32>(c), buf, 32, &err);
  if (U_FAILURE(err) || n <= 0) {
    out[0] = c;
    return 1;
  }
  int count = 0;
  for (int32_t i = 0; i < n && count < kMaxDecomposition;) {
    UChar32 cp;
    U16_NEXT(buf, i, n, cp);
    out[count++] = static_cast<char32_t>(cp);
  }
  return count;
}

int to_lowercase(char32_t c, char32_t* out) {
  if (!(char_props(c).flags & kLowerChanges)) {
    out[0] = c;
    return 1;
  }
  const auto& lower = tables().lower;
  auto it = std::lower_bound(lower.begin(), lower.end(), c, [](const Lowercase& l, char32_t x) { return l.c < x; });
  std::copy_n(it->out.begin(), it->n, out);
  return it->n;
}

}  // namespace splade::tokenizer
