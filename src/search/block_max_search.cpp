#include "search/block_max_search.h"

#include <algorithm>
#include <cmath>

#include "index/format.h"
#include "search/top_k.h"
#include "splade/error.h"

namespace splade {

namespace {

// The seed slot for k: the smallest stored rank >= k (a k'-th largest impact, k' >= k, is
// at most the k-th largest), or -1 past the largest.
int seed_slot(std::size_t k) {
  for (int i = 0; i < 3; ++i)
    if (k <= index_format::kSeedRanks[i]) return i;
  return -1;
}

// One step of a binary search over a range's term ordinals, in postings' worth of work
// (an exhaustive pass costs about one unit per posting it decodes and adds). An estimate:
// on SciFact a visited range cost about 5 us, mostly these searches.
constexpr double kLookupCost = 1.5;

struct Candidate {
  std::uint64_t bound;
  std::uint32_t range;
  // Heap order: larger bound first, then the smaller range (its docs win ties on score).
  friend bool operator<(const Candidate& a, const Candidate& b) {
    return a.bound < b.bound || (a.bound == b.bound && a.range > b.range);
  }
};

}  // namespace

std::optional<std::vector<Hit>> BlockMaxSearch::search(const ResolvedQuery& query, std::size_t k, double alpha,
                                                       double max_cost) {
  if (!index_.has_block_max)
    throw Error(ErrorCode::kInvalidArgument, index_.dir.string() +
                                                 ": no block-max data in this index (build it with splade index --block-max)");
  const bool narrow = query.score_bound <= 0xFFFFFFFFull;
  const double c = max_cost;
  switch (index_.block_max.impact_bytes) {
    case 1:
      return narrow ? run<std::uint8_t>(query, k, alpha, c, bounds32_) : run<std::uint8_t>(query, k, alpha, c, bounds64_);
    case 2:
      return narrow ? run<std::uint16_t>(query, k, alpha, c, bounds32_) : run<std::uint16_t>(query, k, alpha, c, bounds64_);
    default:
      return narrow ? run<std::uint32_t>(query, k, alpha, c, bounds32_) : run<std::uint32_t>(query, k, alpha, c, bounds64_);
  }
}

template <typename Impact, typename Score>
std::optional<std::vector<Hit>> BlockMaxSearch::run(const ResolvedQuery& query, std::size_t k, double alpha,
                                                    double max_cost, std::vector<Score>& bounds) {
  const BlockMaxView& v = index_.block_max;
  const auto* range_max = static_cast<const Impact*>(v.term_range_max);
  const auto* impacts = static_cast<const Impact*>(v.posting_impacts);
  const std::uint32_t range_size = v.range_size;

  // Bounds per range: sum over the query's terms of weight * the term's maximum there.
  bounds.assign(v.num_ranges, 0);
  const int slot = seed_slot(k);
  Score seed = 0;
  for (const auto& qt : query.terms) {
    const auto w = static_cast<Score>(qt.weight);
    for (std::uint32_t e = v.term_first_entry[qt.term]; e < v.term_first_entry[qt.term + 1]; ++e)
      bounds[v.term_ranges[e]] += w * range_max[e];
    if (slot >= 0) seed = std::max<Score>(seed, w * v.term_kth_impact[qt.term * 3 + slot]);
  }
  // A document scoring below the seed cannot be among the k best, nor can any range whose
  // bound is below it.
  const Score floor = std::max<Score>(seed, 1);
  std::vector<Candidate> heap;
  for (std::uint32_t r = 0; r < v.num_ranges; ++r)
    if (bounds[r] >= floor) heap.push_back({bounds[r], r});
  if (max_cost > 0) {
    // Scoring a range costs about a binary search per query term among its terms (plus its
    // postings of the query's terms, which exhaustive evaluation decodes as well).
    const double entries_per_range = static_cast<double>(v.num_entries) / static_cast<double>(v.num_ranges);
    const double lookup = static_cast<double>(query.terms.size()) * kLookupCost * std::log2(entries_per_range + 2);
    if (static_cast<double>(heap.size()) * lookup > max_cost) return std::nullopt;
  }
  std::make_heap(heap.begin(), heap.end());

  TopK top(k, index_.id_rank);
  Score acc[256] = {};
  while (!heap.empty()) {
    const Candidate c = heap.front();
    std::pop_heap(heap.begin(), heap.end());
    heap.pop_back();
    if (top.full()) {
      // Candidates come in falling bound order, so the first that cannot beat the k-th hit
      // ends the search: a bound below its score, or equal to it with every doc id of the
      // range after the k-th hit's (it wins the tie; later equal bounds have later ranges;
      // in a reordered index ties go by external id, so an equal bound is still visited).
      const auto& kth = top.worst();
      const std::uint64_t bound = alpha < 1.0 ? static_cast<std::uint64_t>(static_cast<double>(c.bound) * alpha) : c.bound;
      if (bound < kth.score) break;
      if (bound == kth.score && top.ties_by_internal_id() && std::uint64_t{c.range} * range_size > kth.doc) break;
    }
    // Score every document of the range: for each query term (ascending ordinals), find
    // its entry among the range's terms (also ascending) and add its postings.
    const std::uint32_t* terms = v.entry_terms;
    std::uint32_t lo = v.range_first_entry[c.range];
    const std::uint32_t hi = v.range_first_entry[c.range + 1];
    for (const auto& qt : query.terms) {
      lo = static_cast<std::uint32_t>(std::lower_bound(terms + lo, terms + hi, qt.term) - terms);
      if (lo == hi) break;
      if (terms[lo] != qt.term) continue;
      const auto w = static_cast<Score>(qt.weight);
      for (std::uint32_t p = v.entry_first_posting[lo]; p < v.entry_first_posting[lo + 1]; ++p)
        acc[v.posting_docs[p]] += w * impacts[p];
      ++lo;
    }
    const std::uint32_t base = c.range * range_size;
    for (std::uint32_t d = 0; d < range_size; ++d) {
      if (const Score s = acc[d]) {
        acc[d] = 0;
        if (s >= seed) top.push(s, base + d);
      }
    }
  }
  return top.take_sorted();
}

}  // namespace splade
