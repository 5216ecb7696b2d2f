// Query term pruning (BMP's beta): an approximate search that scores a query by its heaviest
// terms only. A SPLADE query's light terms are often frequent ones (long posting lists that
// add little to any score), so dropping them cuts the work of every algorithm more than it
// moves the top k. The recall it costs is measured against exact search in BENCHMARKS.md.
#pragma once

#include "search/resolved_query.h"

namespace splade {

// Keeps the ceil(beta * n) terms of largest weight (ties: the lower term ordinal) of a query
// of n terms, still in term-ordinal order; beta = 1 keeps all. score_bound stays an upper
// bound. Throws splade::Error (kInvalidArgument) unless 0 < beta <= 1.
void keep_heaviest_terms(ResolvedQuery& query, double beta);

}  // namespace splade
