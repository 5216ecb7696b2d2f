// BertNormalizer, exactly as tokenizers 0.19.1 runs it (normalizers/bert.rs), one character
// at a time instead of one pass per step: clean_text (drop NUL, U+FFFD and Cc/Cf/Co except
// \t\n\r; whitespace -> ' '), handle_chinese_chars (' ' c ' '), strip_accents (NFD, then drop
// Mn), lowercase (full mapping). Each output character carries its alignment: the byte range
// of the input character it comes from.
//
// The per-character form is exact because every step maps characters independently, except
// NFD's canonical reordering of combining marks, which may cross input characters. Those
// marks are held back as a run and, when the run had to be reordered, their alignments are
// reassigned by position, as NormalizedString::transform does (the change values travel
// with the characters, alignments do not).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/unicode_props.h"
#include "tokenizer/utf8.h"

namespace splade::tokenizer {

struct NormalizerConfig {
  bool clean_text = true;
  bool handle_chinese_chars = true;
  bool strip_accents = true;  // tokenizers: strip_accents.unwrap_or(lowercase)
  bool lowercase = true;
};

struct Align {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
};

class Normalizer {
 public:
  explicit Normalizer(const NormalizerConfig& config) : config_(config) {
    for (unsigned b = 0; b < 128; ++b) {
      char32_t c = b;
      const CharProps p = char_props(c);
      ascii_[b] = static_cast<std::int16_t>(b);
      if (config.clean_text) {
        if (c == 0 || ((p.flags & kOther) && c != '\t' && c != '\n' && c != '\r')) {
          ascii_[b] = -1;
          continue;
        }
        if (p.flags & kWhitespace) c = ' ';
      }
      if (config.lowercase && c >= 'A' && c <= 'Z') c += 'a' - 'A';
      ascii_[b] = static_cast<std::int16_t>(c);
    }
  }

  const NormalizerConfig& config() const { return config_; }

  // Normalizes text (whose first byte is at `base` in the whole input) and hands each output
  // character to sink.put(char32_t, Align). Returns the number of ill-formed UTF-8 sequences.
  template <class Sink>
  std::size_t run(std::string_view text, std::uint32_t base, Sink& sink) const {
    State st;
    st.last_consumed = Align{base, base};
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t invalid = 0;
    for (std::size_t i = 0; i < n;) {
      const unsigned b = s[i];
      const Align a{static_cast<std::uint32_t>(base + i), 0};
      if (b < 0x80) {
        const std::int16_t c = ascii_[b];
        ++i;
        if (c < 0) continue;
        if (!st.run.empty()) flush_run(st, sink);
        st.last_consumed = Align{a.start, a.start + 1};
        sink.put(static_cast<char32_t>(c), st.last_consumed);
        continue;
      }
      char32_t cp;
      bool bad;
      const std::size_t len = decode_utf8(s, n, i, cp, bad);
      invalid += bad;
      i += len;
      clean(cp, Align{a.start, static_cast<std::uint32_t>(base + i)}, st, sink);
    }
    flush_run(st, sink);
    return invalid;
  }

 private:
  struct RunItem {
    char32_t c;
    std::uint8_t ccc;
    bool inserted;  // NFD "change 1": not the first character of its decomposition
    Align source;
  };
  struct State {
    Align last_consumed;       // alignment of the last character NFD consumed
    Align run_prev;            // last_consumed when the pending run started
    std::vector<RunItem> run;  // pending combining marks (ccc != 0)
    std::vector<Align> consumed;
  };

  template <class Sink>
  void clean(char32_t c, Align a, State& st, Sink& sink) const {
    const CharProps p = char_props(c);
    if (config_.clean_text) {
      if (c == 0 || c == kReplacementChar || ((p.flags & kOther) && c != '\t' && c != '\n' && c != '\r')) return;
      if (p.flags & kWhitespace) c = ' ';
    }
    if (config_.handle_chinese_chars && (p.flags & kChinese)) {
      nfd(' ', a, st, sink);
      nfd(c, a, st, sink);
      nfd(' ', a, st, sink);
      return;
    }
    nfd(c, a, st, sink);
  }

  template <class Sink>
  void nfd(char32_t c, Align a, State& st, Sink& sink) const {
    if (!config_.strip_accents) {
      lower(c, a, sink);
      return;
    }
    std::array<char32_t, kMaxDecomposition> d;
    const int n = decompose_nfd(c, d.data());
    for (int k = 0; k < n; ++k) {
      const std::uint8_t ccc = char_props(d[k]).ccc;
      if (ccc == 0) {
        if (!st.run.empty()) flush_run(st, sink);
        if (k == 0) st.last_consumed = a;
        strip(d[k], a, sink);
      } else {
        if (st.run.empty()) st.run_prev = st.last_consumed;
        st.run.push_back(RunItem{d[k], ccc, k > 0, a});
      }
    }
  }

  template <class Sink>
  void flush_run(State& st, Sink& sink) const {
    if (st.run.empty()) return;
    auto& run = st.run;
    const bool ordered = std::is_sorted(run.begin(), run.end(),
                                        [](const RunItem& x, const RunItem& y) { return x.ccc < y.ccc; });
    // Alignments of the consumed ("change 0") characters, in input order.
    auto& consumed = st.consumed;
    consumed.clear();
    for (const auto& item : run)
      if (!item.inserted) consumed.push_back(item.source);
    const std::size_t n_consumed = consumed.size();
    if (ordered) {
      for (const auto& item : run) strip(item.c, item.source, sink);
    } else {
      std::stable_sort(run.begin(), run.end(), [](const RunItem& x, const RunItem& y) { return x.ccc < y.ccc; });
      Align prev = st.run_prev;
      std::size_t next = 0;
      for (const auto& item : run) {
        if (!item.inserted) prev = consumed[next++];
        strip(item.c, prev, sink);
      }
    }
    if (n_consumed > 0) st.last_consumed = consumed[n_consumed - 1];
    run.clear();
  }

  template <class Sink>
  void strip(char32_t c, Align a, Sink& sink) const {
    if (char_props(c).flags & kNonspacingMark) return;
    lower(c, a, sink);
  }

  template <class Sink>
  void lower(char32_t c, Align a, Sink& sink) const {
    if (!config_.lowercase) {
      sink.put(c, a);
      return;
    }
    std::array<char32_t, kMaxLowercase> out;
    const int n = to_lowercase(c, out.data());
    for (int k = 0; k < n; ++k) sink.put(out[k], a);
  }

  NormalizerConfig config_;
  std::array<std::int16_t, 128> ascii_{};  // ASCII after clean_text and lowercase; -1: removed
};

}  // namespace splade::tokenizer
