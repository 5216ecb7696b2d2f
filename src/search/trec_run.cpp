// TREC run output. Anserini's score column is reproduced byte for byte: Lucene's float
// score, ScoreTiesAdjusterReranker (round to 1e-4 in double, back to float, each further
// tie within 1e-4 lowered by dup * 1e-6 in float), then String.format(Locale.US, "%f", float).
#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <string>

#include "common/atomic_file.h"
#include "splade/error.h"
#include "splade/searcher.h"

namespace splade {

namespace {

// Java's Math.round(double): the closest long, ties toward positive infinity (exact).
std::int64_t java_round(double a) {
  if (std::isnan(a)) return 0;
  if (a >= 9.2233720368547758e18) return INT64_MAX;
  if (a <= -9.2233720368547758e18) return INT64_MIN;
  const double f = std::floor(a);
  return static_cast<std::int64_t>(f) + (a - f >= 0.5 ? 1 : 0);
}

}  // namespace

std::vector<float> anserini_adjusted_scores(const std::vector<Hit>& hits) {
  // Anserini @81e3414 ScoreTiesAdjusterReranker: scores[i] = (float) (Math.round(scores[i] * 1e4d) / 1e4d),
  // then in float: if (i == 0 || scores[i-1] - scores[i] > 1e-4f) dup = 0; else scores[i] -= 1e-6f * ++dup.
  std::vector<float> scores(hits.size());
  int dup = 0;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const float lucene = static_cast<float>(hits[i].score);  // Lucene's float score of the integer dot product
    volatile float v = static_cast<float>(static_cast<double>(java_round(static_cast<double>(lucene) * 1e4)) / 1e4);
    if (i == 0 || scores[i - 1] - v > 1e-4f) {
      dup = 0;
    } else {
      ++dup;
      const float delta = 1e-6f * static_cast<float>(dup);
      v = v - delta;
    }
    scores[i] = v;
  }
  return scores;
}

std::string java_format_f(float x) {
  // Java formats the double value of the float from its shortest repr digits (as
  // Double.toString), rounded HALF_UP to 6 decimals (FormattedFloatingDecimal).
  const double d = static_cast<double>(x);
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = false;
  if (!sci.empty() && sci[0] == '-') {
    negative = true;
    sci.erase(0, 1);
  }
  const auto e_at = sci.find('e');
  std::string digits;
  for (std::size_t i = 0; i < e_at; ++i)
    if (sci[i] != '.') digits += sci[i];
  int dec_exp = std::atoi(sci.c_str() + e_at + 1) + 1;  // value = 0.digits * 10^dec_exp
  if (digits == "0") dec_exp = 1;
  // Round HALF_UP at 6 decimals: keep `keep` digits.
  const int keep = dec_exp + 6;
  if (keep < 0) {
    digits = "0";
    dec_exp = 1;
  } else if (keep < static_cast<int>(digits.size())) {
    const bool up = digits[keep] >= '5';
    digits.resize(keep);
    if (up) {
      int i = keep - 1;
      while (i >= 0 && digits[i] == '9') digits[i--] = '0';
      if (i >= 0) ++digits[i];
      else {
        digits.insert(digits.begin(), '1');
        ++dec_exp;
      }
    }
    if (digits.empty()) {
      digits = "0";
      dec_exp = 1;
    }
  }
  // Lay out integer part and 6 decimals.
  std::string out = negative ? "-" : "";
  if (dec_exp <= 0) {
    out += "0";
  } else {
    for (int i = 0; i < dec_exp; ++i) out += i < static_cast<int>(digits.size()) ? digits[i] : '0';
  }
  out += '.';
  for (int i = 0; i < 6; ++i) {
    const int at = dec_exp + i;
    out += (at >= 0 && at < static_cast<int>(digits.size())) ? digits[at] : '0';
  }
  return out;
}

void write_trec_run(const std::filesystem::path& path, const Index& index, const BatchSearchResult& result,
                    const std::string& tag, RunScoreFormat format) {
  AtomicFile file(path);
  std::string out;
  for (const auto& topic : result.topics) {
    std::vector<float> adjusted;
    if (format == RunScoreFormat::kAnserini) adjusted = anserini_adjusted_scores(topic.hits);
    for (std::size_t r = 0; r < topic.hits.size(); ++r) {
      const auto& h = topic.hits[r];
      out += topic.topic_id;
      out += " Q0 ";
      out += index.doc_id(h.doc);
      out += ' ';
      out += std::to_string(r + 1);
      out += ' ';
      out += format == RunScoreFormat::kAnserini ? java_format_f(adjusted[r]) : std::to_string(h.score);
      out += ' ';
      out += tag;
      out += '\n';
    }
    if (out.size() > (1 << 20)) {
      file.write(out);
      out.clear();
    }
  }
  file.write(out);
  file.commit();
}

}  // namespace splade
