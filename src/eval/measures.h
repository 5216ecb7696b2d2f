// The per-query measures, each a transcription of trec_eval's m_<name>.c te_calc_<name>.
#pragma once

#include <vector>

#include "eval/measure_spec.h"
#include "eval/ranked_relevance.h"

namespace splade::eval {

// Appends the values of `spec` for one query (one per cutoff, or one) to `out`.
void compute_measure(const MeasureSpec& spec, const RankedRelevance& rr, long relevance_level,
                     std::vector<double>& out);

}  // namespace splade::eval
