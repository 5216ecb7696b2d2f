// ImpactOrderedSearch (search/impact_ordered_search.h).
#include "search/impact_ordered_search.h"

#include <algorithm>
#include <cmath>

#include "index/index_impl.h"
#include "search/top_k.h"

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
                          const std::vector<std::uint64_t>& term_weight, std::uint32_t d) {
  const std::uint64_t mask = (std::uint64_t{1} << layout.impact_bits) - 1;
  std::uint64_t score = 0;
  for (std::uint64_t e = layout.doc_first[d]; e < layout.doc_first[d + 1]; ++e) {
    const std::uint64_t entry = forward[e];
    score += term_weight[entry >> layout.impact_bits] * (entry & mask);
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

  // The best lower bounds, in one pass that also zeroes what it read; 16 documents at a time
  // are skipped when none was touched.
  TopK best(every_posting ? k : std::max(k, candidates), idx.id_rank);
  constexpr std::uint32_t kStride = 16;
  std::uint32_t d = 0;
  for (; d + kStride <= num_docs; d += kStride) {
    Acc any = 0;
    for (std::uint32_t i = 0; i < kStride; ++i) any |= acc[d + i];
    if (!any) continue;
    for (std::uint32_t i = d; i < d + kStride; ++i)
      if (const Acc a = acc[i]) {
        if (best.would_enter(a)) best.push(a, i);
        acc[i] = 0;
      }
  }
  for (; d < num_docs; ++d)
    if (const Acc a = acc[d]) {
      if (best.would_enter(a)) best.push(a, d);
      acc[d] = 0;
    }
  if (every_posting) return best.take_sorted();  // the lower bounds are the scores

  // 2. The candidates' exact scores.
  if (term_weight_.size() != idx.num_terms) term_weight_.assign(idx.num_terms, 0);
  for (const auto& qt : query.terms) term_weight_[qt.term] = qt.weight;
  TopK top(k, idx.id_rank);
  for (const Hit& h : best.take_sorted()) {
    const std::uint64_t score = layout.narrow ? exact_score(layout, layout.forward32, term_weight_, h.doc)
                                              : exact_score(layout, layout.forward64, term_weight_, h.doc);
    top.push(score, h.doc);
  }
  for (const auto& qt : query.terms) term_weight_[qt.term] = 0;
  return top.take_sorted();
}

}  // namespace splade
