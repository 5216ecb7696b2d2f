// Which measures to compute: trec_eval's -m arguments parsed into its measure table order.
#pragma once

#include <string>
#include <vector>

namespace splade::eval {

// In trec_eval's te_trec_measures[] order, which is also its output order.
enum class MeasureKind { kNumQ, kNumRet, kNumRel, kNumRelRet, kMap, kRecipRank, kP, kRecall, kNdcgCut };

struct MeasureSpec {
  MeasureKind kind;
  std::string name;           // trec_eval's measure name ("P", "ndcg_cut", ...)
  std::vector<long> cutoffs;  // ascending, positive, distinct; empty for measures without cutoffs
};

// Parses -m arguments ("map", "P.5,10", "official"); empty -> the supported "official" subset.
// Throws splade::Error(kInvalidArgument) naming the bad argument.
std::vector<MeasureSpec> parse_measures(const std::vector<std::string>& arguments);

}  // namespace splade::eval
