#include "eval/ranked_relevance.h"

#include <algorithm>
#include <string_view>

#include "splade/error.h"

namespace splade::eval {

RankedRelevance rank_relevance(const std::string& qid, const std::vector<Retrieved>& retrieved,
                               const std::vector<Judgment>& judgments, long relevance_level,
                               long max_retrieved, bool judged_docs_only) {
  // trec_eval comp_sim_docno: sim descending, then strcmp(p2->docno, p1->docno), i.e. docno
  // descending. Docnos are unique within a query, so the order is total and qsort's
  // instability does not matter.
  std::vector<const Retrieved*> order(retrieved.size());
  for (size_t i = 0; i < retrieved.size(); ++i) order[i] = &retrieved[i];
  std::sort(order.begin(), order.end(), [](const Retrieved* a, const Retrieved* b) {
    if (a->score != b->score) return a->score > b->score;
    return a->docno > b->docno;
  });
  // Duplicates are an error over the whole list in trec_eval only among the kept top
  // max_retrieved; checking all of them is stricter and catches broken runs earlier.
  {
    std::vector<std::string_view> docnos;
    docnos.reserve(order.size());
    for (const auto* r : order) docnos.emplace_back(r->docno);
    std::sort(docnos.begin(), docnos.end());
    auto dup = std::adjacent_find(docnos.begin(), docnos.end());
    if (dup != docnos.end())
      throw Error(ErrorCode::kCorrupt, "run: query " + qid + " retrieves document " + std::string(*dup) + " twice");
  }
  const size_t kept = std::min<size_t>(order.size(), static_cast<size_t>(std::max(0L, max_retrieved)));

  RankedRelevance rr;
  long max_rel = judgments.empty() ? 0 : judgments.front().relevance;
  for (const auto& j : judgments) max_rel = std::max(max_rel, j.relevance);
  rr.rel_levels.assign(max_rel >= 0 ? static_cast<size_t>(max_rel) + 1 : 0, 0);
  for (const auto& j : judgments)
    if (j.relevance >= 0) ++rr.rel_levels[static_cast<size_t>(j.relevance)];

  auto grade_of = [&](const std::string& docno) {
    auto it = std::lower_bound(judgments.begin(), judgments.end(), docno,
                               [](const Judgment& j, const std::string& d) { return j.docno < d; });
    if (it == judgments.end() || it->docno != docno) return kRelNotInPool;
    return it->relevance < 0 ? kRelUnjudged : it->relevance;
  };
  rr.rel_at_rank.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    const long rel = grade_of(order[i]->docno);
    if (judged_docs_only && rel < 0) continue;
    rr.rel_at_rank.push_back(rel);
    if (rel >= 0 && rel >= relevance_level) ++rr.num_rel_ret;
  }
  rr.num_ret = static_cast<long>(rr.rel_at_rank.size());
  for (long i = 0; i < static_cast<long>(rr.rel_levels.size()); ++i) {
    if (rr.rel_levels[static_cast<size_t>(i)] == 0) continue;
    rr.num_rel_levels = i + 1;
    if (i >= relevance_level) rr.num_rel += rr.rel_levels[static_cast<size_t>(i)];
  }
  return rr;
}

}  // namespace splade::eval
