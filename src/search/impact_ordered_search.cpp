// ImpactOrderedSearch (search/impact_ordered_search.h).
#include "search/impact_ordered_search.h"

#include <algorithm>
#include <cmath>

#include "index/index_impl.h"
#include "search/accumulator_top_k.h"

namespace splade {

namespace {

// One query term's view of its impact-ordered postings.
struct TermSegments {
  std::uint64_t weight;
  const std::uint32_t* docs;    // the term's postings, impacts falling
  const std::uint32_t* impact;  // [n] falling
  const std::uint32_t* end;     // [n] offsets into docs, rising
  std::size_t n;

  // Postings whose contribution weight x impact is at least theta (a prefix).
  std::uint64_t postings_reaching(std::uint64_t theta) const {
    const std::uint64_t min_impact = (theta + weight - 1) / weight;
    const auto segments =
        std::partition_point(impact, impact + n, [&](std::uint32_t v) { return v >= min_impact; }) - impact;
    return segments ? end[segments - 1] : 0;
  }
};

// The largest threshold at which at least `target` postings contribute that much or more.
std::uint64_t threshold_for(const std::vector<TermSegments>& terms, std::uint64_t target) {
  auto reaching = [&](std::uint64_t theta) {
    std::uint64_t n = 0;
    for (const auto& t : terms) n += t.postings_reaching(theta);
    return n;
  };
  std::uint64_t lo = 1, hi = 1;
  for (const auto& t : terms) hi = std::max(hi, t.weight * t.impact[0]);
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo + 1) / 2;
    if (reaching(mid) >= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// The exact score of document d: its forward entries against the query's weights.
template <typename Entry>
std::uint64_t exact_score(const ImpactLayout& layout, const std::vector<Entry>& forward,
                          const std::vector<std::uint32_t>& term_weight, std::uint32_t d) {
  const std::uint64_t mask = (std::uint64_t{1} << layout.impact_bits) - 1;
  std::uint64_t score = 0;
  for (std::uint64_t e = layout.doc_first[d]; e < layout.doc_first[d + 1]; ++e) {
    const std::uint64_t entry = forward[e];
    score += std::uint64_t{term_weight[entry >> layout.impact_bits]} * (entry & mask);
  }
  return score;
}

}  // namespace

std::vector<Hit> ImpactOrderedSearch::search(const ResolvedQuery& query, std::size_t k, double rho,
                                             std::size_t candidates) {
  const ImpactLayout& layout = impact_layout_of(index_);
  return query.score_bound <= 0xFFFFFFFFull ? run(layout, query, k, rho, candidates, acc32_)
                                            : run(layout, query, k, rho, candidates, acc64_);
}

template <typename Acc>
std::vector<Hit> ImpactOrderedSearch::run(const ImpactLayout& layout, const ResolvedQuery& query, std::size_t k,
                                          double rho, std::size_t candidates, std::vector<Acc>& acc) {
  const auto& idx = index_.impl();
  const auto num_docs = static_cast<std::uint32_t>(idx.num_docs);
  if (acc.size() != num_docs) acc.assign(num_docs, 0);

  std::vector<TermSegments> terms;
  terms.reserve(query.terms.size());
  std::uint64_t total = 0;
  for (const auto& qt : query.terms) {
    const std::uint64_t s = layout.term_segments[qt.term], n = layout.term_segments[qt.term + 1] - s;
    if (n == 0) continue;
    terms.push_back({qt.weight, layout.docs.data() + layout.term_first[qt.term], layout.segment_impact.data() + s,
                     layout.segment_end.data() + s, n});
    total += idx.terms[qt.term].df;
  }
  if (terms.empty()) return {};

  // 1. Every posting contributing at least theta, into the lower bounds.
  const bool every_posting = rho >= 1.0;
  const std::uint64_t theta =
      every_posting ? 0 : threshold_for(terms, static_cast<std::uint64_t>(std::ceil(rho * static_cast<double>(total))));
  for (const auto& t : terms) {
    std::uint32_t begin = 0;
    for (std::size_t s = 0; s < t.n; ++s) {
      const std::uint64_t contribution = t.weight * t.impact[s];
      if (contribution < theta) break;
      const auto c = static_cast<Acc>(contribution);
      for (const std::uint32_t* d = t.docs + begin; d != t.docs + t.end[s]; ++d) acc[*d] += c;
      begin = t.end[s];
    }
  }

  // The best lower bounds (all zeroed for the next query).
  std::vector<Hit> pool = take_top_k(acc, every_posting ? k : std::max(k, candidates), idx.id_rank);
  if (every_posting) return pool;  // the lower bounds are the scores

  // 2. The candidates' exact scores.
  if (term_weight_.size() != idx.num_terms) term_weight_.assign(idx.num_terms, 0);
  for (const auto& qt : query.terms) term_weight_[qt.term] = static_cast<std::uint32_t>(qt.weight);
  TopK top(k, idx.id_rank);
  // In doc id order, so that the forward rows are read in address order, and each row
  // prefetched a few candidates ahead (the rows are where this phase's time goes).
  std::sort(pool.begin(), pool.end(), [](const Hit& a, const Hit& b) { return a.doc < b.doc; });
  constexpr std::size_t kAhead = 4;
  const std::size_t entry_bytes = layout.narrow ? 4 : 8;
  const auto* forward = layout.narrow ? static_cast<const void*>(layout.forward32.data())
                                      : static_cast<const void*>(layout.forward64.data());
  auto prefetch_row = [&](std::uint32_t doc) {
    const char* row = static_cast<const char*>(forward) + layout.doc_first[doc] * entry_bytes;
    const std::size_t bytes = (layout.doc_first[doc + 1] - layout.doc_first[doc]) * entry_bytes;
    for (std::size_t at = 0; at < bytes && at < 1024; at += 64) __builtin_prefetch(row + at);
  };
  for (std::size_t i = 0; i < std::min(kAhead, pool.size()); ++i) prefetch_row(pool[i].doc);
  for (std::size_t i = 0; i < pool.size(); ++i) {
    if (i + kAhead < pool.size()) prefetch_row(pool[i + kAhead].doc);
    const std::uint32_t doc = pool[i].doc;
    const std::uint64_t score = layout.narrow ? exact_score(layout, layout.forward32, term_weight_, doc)
                                              : exact_score(layout, layout.forward64, term_weight_, doc);
    top.push(score, doc);
  }
  for (const auto& qt : query.terms) term_weight_[qt.term] = 0;
  return top.take_sorted();
}

}  // namespace splade
