// build_impact_layout / impact_layout_of (index/impact_layout.h).
#include "index/impact_layout.h"

#include <algorithm>
#include <bit>

#include "index/index_impl.h"

namespace splade {

std::uint64_t ImpactLayout::bytes() const {
  return 8 * (term_first.size() + term_segments.size() + doc_first.size() + forward64.size()) +
         4 * (docs.size() + segment_impact.size() + segment_end.size() + forward32.size());
}

ImpactLayout build_impact_layout(const Index& index) {
  const std::uint64_t num_terms = index.num_terms(), num_docs = index.num_docs();
  ImpactLayout out;
  out.term_first.assign(num_terms + 1, 0);
  out.term_segments.assign(num_terms + 1, 0);
  out.docs.resize(index.num_postings());
  out.doc_first.assign(num_docs + 1, 0);

  std::uint32_t max_impact = 0;
  for (std::uint32_t t = 0; t < num_terms; ++t) max_impact = std::max(max_impact, index.term_info(t).max_impact);
  out.impact_bits = static_cast<std::uint32_t>(std::bit_width(max_impact));
  const auto term_bits = static_cast<std::uint32_t>(std::bit_width(num_terms));
  out.narrow = out.impact_bits + term_bits <= 32;

  // Each term's postings (doc ascending) sorted by falling impact; a stable sort keeps doc
  // ids ascending within a segment. Impacts are small integers (a few hundred for SPLADE),
  // so a counting sort over the term's own impact range is linear; a wide range sorts.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> postings;
  std::vector<std::uint32_t> count;
  std::uint64_t at = 0;
  for (std::uint32_t t = 0; t < num_terms; ++t) {
    postings = index.postings(t);
    const std::uint32_t top = index.term_info(t).max_impact;
    std::uint32_t* docs = out.docs.data() + at;
    const auto n = static_cast<std::uint32_t>(postings.size());
    for (const auto& p : postings) ++out.doc_first[p.first + 1];
    if (top <= 4 * n + 1024) {
      count.assign(top + 1, 0);
      for (const auto& p : postings) ++count[p.second];
      // count[v] -> where impact v starts (falling impacts first); segments in that order.
      std::uint32_t start = 0;
      for (std::uint32_t v = top + 1; v-- > 1;) {
        if (!count[v]) continue;
        const std::uint32_t c = count[v];
        count[v] = start;
        start += c;
        out.segment_impact.push_back(v);
        out.segment_end.push_back(start);
      }
      for (const auto& p : postings) docs[count[p.second]++] = p.first;
    } else {
      std::stable_sort(postings.begin(), postings.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      for (std::uint32_t i = 0; i < n; ++i) {
        docs[i] = postings[i].first;
        if (i + 1 == n || postings[i + 1].second != postings[i].second) {
          out.segment_impact.push_back(postings[i].second);
          out.segment_end.push_back(i + 1);
        }
      }
    }
    at += n;
    out.term_first[t + 1] = at;
    out.term_segments[t + 1] = out.segment_impact.size();
  }

  // Forward index: terms visited in ascending order, so each document's entries ascend.
  for (std::uint64_t d = 0; d < num_docs; ++d) out.doc_first[d + 1] += out.doc_first[d];
  std::vector<std::uint64_t> fill(out.doc_first.begin(), out.doc_first.end() - 1);
  if (out.narrow) out.forward32.resize(at);
  else out.forward64.resize(at);
  for (std::uint32_t t = 0; t < num_terms; ++t) {
    std::uint64_t p = out.term_first[t];
    for (std::uint64_t s = out.term_segments[t]; s < out.term_segments[t + 1]; ++s) {
      const std::uint64_t entry = (std::uint64_t{t} << out.impact_bits) | out.segment_impact[s];
      for (const std::uint64_t end = out.term_first[t] + out.segment_end[s]; p < end; ++p) {
        const std::uint64_t slot = fill[out.docs[p]]++;
        if (out.narrow) out.forward32[slot] = static_cast<std::uint32_t>(entry);
        else out.forward64[slot] = entry;
      }
    }
  }
  return out;
}

const ImpactLayout& impact_layout_of(const Index& index) {
  const Index::Impl& m = index.impl();
  std::call_once(m.impact_layout_once,
                 [&] {
                   m.impact_layout = std::make_unique<const ImpactLayout>(build_impact_layout(index));
                   m.impact_layout_ready.store(m.impact_layout.get(), std::memory_order_release);
                 });
  return *m.impact_layout;
}

const ImpactLayout* built_impact_layout(const Index& index) {
  return index.impl().impact_layout_ready.load(std::memory_order_acquire);
}

}  // namespace splade
