// trec_eval 9.0.8's main loop (trec_eval.c): evaluate each run query that has judgments, in
// qid order; accumulate; average (meas_avg.c) over the evaluated queries, or over every qrels
// query with -c (a query without results then contributes 0).
#include <cstdio>

#include "common/atomic_file.h"
#include "eval/measure_spec.h"
#include "eval/measures.h"
#include "eval/ranked_relevance.h"
#include "splade/error.h"
#include "splade/evaluator.h"

namespace splade::eval {
namespace {

struct Slot {
  std::string name;
  MeasureKind kind;
};

std::vector<Slot> value_slots(const std::vector<MeasureSpec>& specs) {
  std::vector<Slot> slots;
  for (const auto& s : specs) {
    if (s.cutoffs.empty()) slots.push_back({s.name, s.kind});
    for (long c : s.cutoffs) slots.push_back({s.name + "_" + std::to_string(c), s.kind});
  }
  return slots;
}

bool is_count(MeasureKind k) {
  return k == MeasureKind::kNumQ || k == MeasureKind::kNumRet || k == MeasureKind::kNumRel ||
         k == MeasureKind::kNumRelRet;
}

}  // namespace

Evaluation evaluate(const Qrels& qrels, const Run& run, const EvalOptions& options) {
  const auto specs = parse_measures(options.measures);
  const auto slots = value_slots(specs);
  std::vector<double> total(slots.size(), 0.0);
  Evaluation result;
  long num_queries = 0;
  std::vector<double> values;
  for (const auto& [qid, retrieved] : run.queries) {  // std::map: strcmp order, as trec_eval sorts
    auto judged = qrels.queries.find(qid);
    if (judged == qrels.queries.end()) continue;  // trec_eval skips queries without judgments
    const RankedRelevance rr = rank_relevance(qid, retrieved, judged->second, options.relevance_level,
                                              options.max_retrieved, options.judged_docs_only);
    values.clear();
    for (const auto& spec : specs) compute_measure(spec, rr, options.relevance_level, values);
    QueryEvaluation q{qid, {}};
    for (size_t i = 0; i < slots.size(); ++i) {
      total[i] += values[i];
      if (slots[i].kind != MeasureKind::kNumQ) q.values.push_back({slots[i].name, values[i], is_count(slots[i].kind)});
    }
    result.queries.push_back(std::move(q));
    ++num_queries;
  }
  if (num_queries == 0)
    throw Error(ErrorCode::kCorrupt, "no query has both results in the run and judgments in the qrels");

  const long denominator = options.complete ? static_cast<long>(qrels.queries.size()) : num_queries;
  for (size_t i = 0; i < slots.size(); ++i) {
    double v = total[i];
    switch (slots[i].kind) {
      case MeasureKind::kNumQ: v = static_cast<double>(denominator); break;
      case MeasureKind::kNumRet:
      case MeasureKind::kNumRelRet: break;  // sums
      case MeasureKind::kNumRel:
        // m_num_rel.c: with -c, every judgment with grade > 0 in the qrels, whatever -l says.
        if (options.complete) {
          long n = 0;
          for (const auto& [q, judgments] : qrels.queries)
            for (const auto& j : judgments) n += j.relevance > 0;
          v = static_cast<double>(n);
        }
        break;
      default: v = total[i] / static_cast<double>(denominator); break;
    }
    result.summary.push_back({slots[i].name, v, is_count(slots[i].kind)});
  }
  return result;
}

namespace {
void append_line(std::string& out, const MeasureValue& m, const std::string& qid) {
  char buf[512];
  int n = m.integral ? std::snprintf(buf, sizeof buf, "%-22s\t%s\t%ld\n", m.name.c_str(), qid.c_str(), static_cast<long>(m.value))
                     : std::snprintf(buf, sizeof buf, "%-22s\t%s\t%6.4f\n", m.name.c_str(), qid.c_str(), m.value);
  if (n >= static_cast<int>(sizeof buf)) {  // a very long qid
    std::string big(static_cast<size_t>(n) + 1, '\0');
    m.integral ? std::snprintf(big.data(), big.size(), "%-22s\t%s\t%ld\n", m.name.c_str(), qid.c_str(), static_cast<long>(m.value))
               : std::snprintf(big.data(), big.size(), "%-22s\t%s\t%6.4f\n", m.name.c_str(), qid.c_str(), m.value);
    big.resize(static_cast<size_t>(n));
    out += big;
  } else {
    out.append(buf, static_cast<size_t>(n));
  }
}
}  // namespace

std::string format_trec_eval(const Evaluation& evaluation, bool per_query) {
  std::string out;
  if (per_query)
    for (const auto& q : evaluation.queries)
      for (const auto& m : q.values) append_line(out, m, q.qid);
  for (const auto& m : evaluation.summary) append_line(out, m, "all");
  return out;
}

void write_report(const std::filesystem::path& path, const std::string& report) {
  write_file_atomically(path, report);
}

}  // namespace splade::eval
