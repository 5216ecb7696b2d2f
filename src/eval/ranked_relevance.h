// trec_eval's form_res_rels.c: one query's retrieved documents turned into the relevance of
// each rank, plus the judgment counts per relevance level. Every measure reads only this.
#pragma once

#include <climits>
#include <string>
#include <vector>

#include "splade/evaluator.h"

namespace splade::eval {

inline constexpr long kRelNotInPool = -1;    // trec_eval RELVALUE_NONPOOL: not in the qrels
inline constexpr long kRelUnjudged = -2;     // trec_eval RELVALUE_UNJUDGED: in qrels with a grade < 0

struct RankedRelevance {
  std::vector<long> rel_at_rank;  // [num_ret] grade of the document at rank i+1 (or kRel*)
  std::vector<long> rel_levels;   // [max grade + 1] judged documents per grade >= 0
  long num_rel_levels = 0;        // highest grade with a judged document + 1 (0: none)
  long num_ret = 0;
  long num_rel = 0;               // judged documents with grade >= relevance level
  long num_rel_ret = 0;
};

// Ranks by score descending, ties by docno descending (byte order), keeps the first
// max_retrieved, looks up each document in `judgments` (sorted by docno). With
// judged_docs_only, unjudged documents are dropped and the rest close ranks.
// Throws splade::Error(kCorrupt) when a docno is retrieved twice for the query.
RankedRelevance rank_relevance(const std::string& qid, const std::vector<Retrieved>& retrieved,
                               const std::vector<Judgment>& judgments, long relevance_level,
                               long max_retrieved, bool judged_docs_only);

}  // namespace splade::eval
