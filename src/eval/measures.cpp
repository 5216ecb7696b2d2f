#include "eval/measures.h"

#include <cmath>

namespace splade::eval {
namespace {

// m_map.c: precision after each relevant retrieved document, summed, over num_rel.
double average_precision(const RankedRelevance& rr, long level) {
  long rel_so_far = 0;
  double sum = 0.0;
  for (long i = 0; i < rr.num_ret; ++i) {
    if (rr.rel_at_rank[i] >= level) {
      ++rel_so_far;
      sum += static_cast<double>(rel_so_far) / static_cast<double>(i + 1);
    }
  }
  return rel_so_far ? sum / static_cast<double>(rr.num_rel) : 0.0;
}

// m_recip_rank.c: 1 / rank of the first relevant retrieved document.
double reciprocal_rank(const RankedRelevance& rr, long level) {
  for (long i = 0; i < rr.num_ret; ++i)
    if (rr.rel_at_rank[i] >= level) return 1.0 / static_cast<double>(i + 1);
  return 0.0;
}

// m_P.c and m_recall.c: relevant retrieved within each cutoff; below a cutoff larger than the
// ranking, the missing documents count as nonrelevant (P divides by the cutoff).
void precision_recall(const RankedRelevance& rr, long level, const std::vector<long>& cutoffs, bool recall,
                      std::vector<double>& out) {
  const size_t base = out.size();
  out.resize(base + cutoffs.size(), 0.0);
  if (recall && rr.num_rel == 0) return;
  size_t c = 0;
  long rel_so_far = 0;
  for (long i = 0; i < rr.num_ret; ++i) {
    if (i == cutoffs[c]) {
      out[base + c] = recall ? static_cast<double>(rel_so_far) / static_cast<double>(rr.num_rel)
                             : static_cast<double>(rel_so_far) / static_cast<double>(i);
      if (++c == cutoffs.size()) break;
    }
    if (rr.rel_at_rank[i] >= level) ++rel_so_far;
  }
  for (; c < cutoffs.size(); ++c)
    out[base + c] = recall ? static_cast<double>(rel_so_far) / static_cast<double>(rr.num_rel)
                           : static_cast<double>(rel_so_far) / static_cast<double>(cutoffs[c]);
}

// m_ndcg_cut.c: gain = the judged grade (not thresholded by the relevance level), discount
// log2(rank + 1); the ideal ranking puts every judged document in grade order, highest first.
void ndcg_cut(const RankedRelevance& rr, const std::vector<long>& cutoffs, std::vector<double>& out) {
  const size_t base = out.size();
  out.resize(base + cutoffs.size(), 0.0);
  size_t c = 0;
  double sum = 0.0;
  for (long i = 0; i < rr.num_ret; ++i) {
    if (i == cutoffs[c]) {
      out[base + c] = sum;
      if (++c == cutoffs.size()) break;
    }
    const double gain = static_cast<double>(rr.rel_at_rank[i]);
    if (gain > 0) sum += gain / std::log2(static_cast<double>(i + 2));
  }
  for (; c < cutoffs.size(); ++c) out[base + c] = sum;

  c = 0;
  long cur_lvl = rr.num_rel_levels - 1;
  long lvl_count = 0;
  double ideal_dcg = 0.0;
  for (long i = 0;; ++i) {
    ++lvl_count;
    while (cur_lvl > 0 && lvl_count > rr.rel_levels[static_cast<size_t>(cur_lvl)]) {
      --cur_lvl;
      lvl_count = 1;
    }
    // trec_eval stops at grade 0; with no judged grade at all (cur_lvl -1) it runs on to the
    // last cutoff with a negative ideal, which never divides: every value is then 0.
    if (cur_lvl == 0) break;
    if (i == cutoffs[c]) {
      if (ideal_dcg > 0.0) out[base + c] /= ideal_dcg;
      if (++c == cutoffs.size()) break;
    }
    ideal_dcg += static_cast<double>(cur_lvl) / std::log2(static_cast<double>(i + 2));
  }
  for (; c < cutoffs.size(); ++c)
    if (ideal_dcg > 0.0) out[base + c] /= ideal_dcg;
}

}  // namespace

void compute_measure(const MeasureSpec& spec, const RankedRelevance& rr, long level, std::vector<double>& out) {
  switch (spec.kind) {
    case MeasureKind::kNumQ: out.push_back(1); break;
    case MeasureKind::kNumRet: out.push_back(static_cast<double>(rr.num_ret)); break;
    case MeasureKind::kNumRel: out.push_back(static_cast<double>(rr.num_rel)); break;
    case MeasureKind::kNumRelRet: out.push_back(static_cast<double>(rr.num_rel_ret)); break;
    case MeasureKind::kMap: out.push_back(average_precision(rr, level)); break;
    case MeasureKind::kRecipRank: out.push_back(reciprocal_rank(rr, level)); break;
    case MeasureKind::kP: precision_recall(rr, level, spec.cutoffs, false, out); break;
    case MeasureKind::kRecall: precision_recall(rr, level, spec.cutoffs, true, out); break;
    case MeasureKind::kNdcgCut: ndcg_cut(rr, spec.cutoffs, out); break;
  }
}

}  // namespace splade::eval
