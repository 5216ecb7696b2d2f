// Qrels and run readers with trec_eval's field rules (get_qrels.c, get_trec_results.c), but
// stricter: a malformed line is an error naming the file and the line, never a silent atol 0.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/text_input.h"
#include "splade/error.h"
#include "splade/evaluator.h"

namespace splade::eval {
namespace {

// trec_eval splits on C isspace(): space, \t, \n, \v, \f, \r.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// Up to `max_fields` whitespace-separated fields; returns how many the line has in total.
size_t split_fields(std::string_view line, std::string_view* fields, size_t max_fields) {
  size_t n = 0, i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i >= line.size()) break;
    size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (n < max_fields) fields[n] = line.substr(start, i - start);
    ++n;
  }
  return n;
}

[[noreturn]] void malformed(const std::string& source, long line, const std::string& what) {
  throw Error(ErrorCode::kCorrupt, source + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

Qrels parse_qrels(std::string_view text, const std::string& source) {
  Qrels qrels;
  std::vector<Judgment>* current = nullptr;
  std::string_view current_qid;
  bool any = false;
  for_each_line(text, [&](long number, std::string_view line) {
    std::string_view f[4];
    const size_t n = split_fields(line, f, 4);
    if (n == 0) return;
    if (n != 4)
      malformed(source, number, "expected 4 fields 'qid iter docno relevance', found " + std::to_string(n));
    long rel = 0;
    auto [end, ec] = std::from_chars(f[3].data(), f[3].data() + f[3].size(), rel);
    if (ec != std::errc() || end != f[3].data() + f[3].size())
      malformed(source, number, "relevance '" + std::string(f[3]) + "' is not an integer");
    if (!current || f[0] != current_qid) {
      current = &qrels.queries[std::string(f[0])];
      current_qid = f[0];
    }
    current->push_back({std::string(f[2]), rel});
    any = true;
  });
  if (!any) throw Error(ErrorCode::kCorrupt, source + ": no judgments (empty qrels)");
  for (auto& [qid, judgments] : qrels.queries) {
    std::sort(judgments.begin(), judgments.end(),
              [](const Judgment& a, const Judgment& b) { return a.docno < b.docno; });
    for (size_t i = 1; i < judgments.size(); ++i)
      if (judgments[i].docno == judgments[i - 1].docno)
        throw Error(ErrorCode::kCorrupt, source + ": query " + qid + " judges document " + judgments[i].docno + " twice");
  }
  return qrels;
}

Run parse_run(std::string_view text, const std::string& source) {
  Run run;
  std::vector<Retrieved>* current = nullptr;
  std::string_view current_qid;
  bool any = false;
  std::string score_text;
  for_each_line(text, [&](long number, std::string_view line) {
    std::string_view f[6];
    const size_t n = split_fields(line, f, 6);
    if (n == 0) return;
    if (n < 6)
      malformed(source, number, "expected 6 fields 'qid Q0 docno rank score tag', found " + std::to_string(n));
    // strtod, like trec_eval's atof, in the C locale (the CLI never calls setlocale).
    score_text.assign(f[4]);
    errno = 0;
    char* end = nullptr;
    const double score = std::strtod(score_text.c_str(), &end);
    if (end != score_text.c_str() + score_text.size() || !std::isfinite(score))
      malformed(source, number, "score '" + score_text + "' is not a finite number");
    if (!current || f[0] != current_qid) {
      current = &run.queries[std::string(f[0])];
      current_qid = f[0];
    }
    current->push_back({std::string(f[2]), score});
    run.run_id.assign(f[5]);
    any = true;
  });
  if (!any) throw Error(ErrorCode::kCorrupt, source + ": no results (empty run)");
  return run;
}

Qrels read_qrels(const std::filesystem::path& path) { return parse_qrels(read_text_input(path), path.string()); }
Run read_run(const std::filesystem::path& path) { return parse_run(read_text_input(path), path.string()); }

}  // namespace splade::eval
