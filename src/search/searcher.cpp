// Searcher: the query's terms -> cursors, then exhaustive (term-at-a-time) or MaxScore with
// block-max bounds (windowed); block-max (search/block_max_search.h), impact-ordered
// (search/impact_ordered_search.h) and auto's choice among them. Exhaustive and MaxScore
// return the same top k: candidates are pushed in doc id
// order, and a document is only skipped when a bound on its score is <= the k-th score,
// where a tie already loses to the earlier (smaller-id, i.e. smaller external id) document.
#include <algorithm>
#include <unordered_map>

#include "search/accumulator_top_k.h"
#include "search/block_max_search.h"
#include "search/impact_ordered_search.h"
#include "search/posting_cursor.h"
#include "search/query_pruning.h"
#include "search/resolved_query.h"
#include "search/top_k.h"
#include "splade/error.h"
#include "splade/searcher.h"

namespace splade {

namespace {
// Auto's estimate of impact-ordered search at rho = 1, as a share of exhaustive evaluation's
// work on the same query (measured: see the kAuto case).
constexpr double kImpactOrderedShare = 0.65;
}  // namespace

struct Searcher::Impl {
  const Index& index;
  // One accumulator per document; 32-bit when the query's score bound fits (nearly always:
  // half the memory traffic), 64-bit otherwise.
  std::vector<std::uint32_t> accumulators32;
  std::vector<std::uint64_t> accumulators64;

  BlockMaxSearch block_max;
  ImpactOrderedSearch impact_ordered;

  explicit Impl(const Index& i) : index(i), block_max(i.impl()), impact_ordered(i) {}

  std::vector<Hit> exhaustive(const ResolvedQuery& query, std::size_t k) {
    return query.score_bound <= 0xFFFFFFFFull ? exhaustive_with(accumulators32, query.terms, k)
                                              : exhaustive_with(accumulators64, query.terms, k);
  }

  // Term at a time, a decoded block at a time, into the accumulators; then one pass over
  // them for the top k (resetting what it reads, so they are all zero between queries).
  template <typename Acc>
  std::vector<Hit> exhaustive_with(std::vector<Acc>& acc, const std::vector<QueryTerm>& terms, std::size_t k) {
    const auto& idx = index.impl();
    if (acc.size() != idx.num_docs) acc.assign(idx.num_docs, 0);
    for (const auto& qt : terms) {
      PostingCursor c(idx, qt.term, qt.weight);
      c.for_each_below(PostingCursor::kEnd,
                       [&acc](std::uint32_t doc, std::uint64_t score) { acc[doc] += static_cast<Acc>(score); });
    }
    return take_top_k(acc, k, idx.id_rank);
  }

  // MaxScore over windows of doc ids (as Lucene's MaxScoreBulkScorer): the essential lists
  // are accumulated term-at-a-time into a small window buffer; each window doc whose score
  // plus the non-essential lists' bound could still enter the top k is completed from the
  // non-essential lists (largest bound first, stopping as soon as it cannot enter), and
  // pushed in doc id order. The essential/non-essential split is revised between windows.
  static constexpr std::uint32_t kWindow = 4096;
  std::uint64_t window[kWindow];
  std::uint64_t touched[kWindow / 64];

  std::vector<Hit> maxscore(const ResolvedQuery& query, std::size_t k) {
    const auto& terms = query.terms;
    const auto& idx = index.impl();
    std::vector<PostingCursor> cursors;
    cursors.reserve(terms.size());
    for (const auto& qt : terms) cursors.emplace_back(idx, qt.term, qt.weight);
    // Lists by ascending maximum score; bound[i] = the most lists 0..i can add together.
    std::sort(cursors.begin(), cursors.end(),
              [](const PostingCursor& a, const PostingCursor& b) { return a.max_score() < b.max_score(); });
    const std::size_t n = cursors.size();
    std::vector<std::uint64_t> bound(n);
    for (std::size_t i = 0; i < n; ++i) bound[i] = cursors[i].max_score() + (i ? bound[i - 1] : 0);

    TopK top(k, idx.id_rank);
    std::fill(std::begin(window), std::end(window), 0);
    std::fill(std::begin(touched), std::end(touched), 0);
    std::size_t essential = 0;  // lists [essential, n) are essential; [0, essential) are not
    double last_passed = 0;
    std::uint32_t window_number = 0;
    for (;;) {
      while (essential < n && !top.would_enter(bound[essential])) ++essential;
      if (essential == n) break;
      std::uint32_t start = PostingCursor::kEnd;
      for (std::size_t i = essential; i < n; ++i) start = std::min(start, cursors[i].doc());
      if (start == PostingCursor::kEnd) break;
      const std::uint32_t end = start > PostingCursor::kEnd - kWindow ? PostingCursor::kEnd : start + kWindow;
      // Where the bound lets many documents through, completing them one by one from the
      // non-essential lists (a skip per list and document) costs more than adding those
      // lists into the window as well ("full" windows score every document exactly).
      // Decided from the previous window's pass count against the expected number of
      // non-essential postings in a window; retried every 16 windows as the threshold rises.
      double window_postings = 0;
      for (std::size_t i = 0; i < essential; ++i) window_postings += cursors[i].df();
      window_postings *= static_cast<double>(kWindow) / static_cast<double>(idx.num_docs);
      const bool full = essential > 0 && last_passed * essential * 4.0 > window_postings &&
                        (++window_number % 16 != 0);
      if (full) {
        // Every list into the window, which is then dense enough to scan whole.
        auto add_dense = [&](std::uint32_t doc, std::uint64_t score) { window[doc - start] += score; };
        for (std::size_t i = 0; i < n; ++i) {
          if (i < essential) cursors[i].next_geq(start);
          cursors[i].for_each_below(end, add_dense);
        }
        for (std::uint32_t at = 0; at < kWindow; ++at) {
          if (const std::uint64_t score = window[at]) {
            window[at] = 0;
            if (top.would_enter(score)) top.push(score, start + at);
          }
        }
        continue;
      }
      auto add = [&](std::uint32_t doc, std::uint64_t score) {
        const std::uint32_t at = doc - start;
        window[at] += score;
        touched[at >> 6] |= std::uint64_t{1} << (at & 63);
      };
      for (std::size_t i = essential; i < n; ++i) cursors[i].for_each_below(end, add);
      const std::uint64_t rest = essential ? bound[essential - 1] : 0;
      std::uint32_t passed = 0;
      for (std::uint32_t w = 0; w < kWindow / 64; ++w) {
        while (touched[w]) {
          const std::uint32_t at = w * 64 + static_cast<std::uint32_t>(__builtin_ctzll(touched[w]));
          touched[w] &= touched[w] - 1;
          std::uint64_t score = window[at];
          window[at] = 0;
          const std::uint32_t doc = start + at;
          if (essential > 0) {
            if (!top.would_enter(score + rest)) continue;
            ++passed;
            // Block-max bound of the non-essential lists (no decoding) before the lists themselves.
            std::uint64_t block_bound = score;
            for (std::size_t i = 0; i < essential; ++i) block_bound += cursors[i].block_max_score(doc);
            if (!top.would_enter(block_bound)) continue;
            bool out = false;
            for (std::size_t i = essential; i-- > 0;) {
              if (!top.would_enter(score + bound[i])) {
                out = true;
                break;
              }
              auto& c = cursors[i];
              c.next_geq(doc);
              if (c.doc() == doc) score += c.score();
            }
            if (out) continue;
          }
          top.push(score, doc);
        }
      }
      last_passed = passed;
    }
    return top.take_sorted();
  }
};

bool Searcher::needs_preparation(SearchAlgorithm algorithm) {
  return algorithm == SearchAlgorithm::kImpactOrdered || algorithm == SearchAlgorithm::kAuto;
}

void Searcher::prepare(const Index& index, SearchAlgorithm algorithm) {
  if (needs_preparation(algorithm)) impact_layout_of(index);
}

Searcher::Searcher(const Index& index) : impl_(std::make_unique<Impl>(index)) {}
Searcher::~Searcher() = default;
Searcher::Searcher(Searcher&&) noexcept = default;

std::vector<Hit> Searcher::search(const QueryVector& query, const SearchOptions& options) {
  auto resolved = resolve(impl_->index.impl(), query);
  keep_heaviest_terms(resolved, options.beta);
  if (!(options.alpha > 0.0 && options.alpha <= 1.0))
    throw Error(ErrorCode::kInvalidArgument, "search alpha " + std::to_string(options.alpha) + ", expected 0 < alpha <= 1");
  if (options.alpha < 1.0 && options.algorithm != SearchAlgorithm::kBlockMax)
    throw Error(ErrorCode::kInvalidArgument, "search alpha < 1 (approximate) applies to the block-max algorithm only");
  if (!(options.rho > 0.0 && options.rho <= 1.0))
    throw Error(ErrorCode::kInvalidArgument, "search rho " + std::to_string(options.rho) + ", expected 0 < rho <= 1");
  if (options.rho < 1.0 && options.algorithm != SearchAlgorithm::kImpactOrdered)
    throw Error(ErrorCode::kInvalidArgument, "search rho < 1 (approximate) applies to the impact-ordered algorithm only");
  if (options.candidates == 0)
    throw Error(ErrorCode::kInvalidArgument, "search candidates 0, expected at least 1");
  if (resolved.terms.empty() || options.k == 0) return {};
  switch (options.algorithm) {
    case SearchAlgorithm::kExhaustive: return impl_->exhaustive(resolved, options.k);
    case SearchAlgorithm::kMaxScore: return impl_->maxscore(resolved, options.k);
    case SearchAlgorithm::kBlockMax: return *impl_->block_max.search(resolved, options.k, options.alpha);
    case SearchAlgorithm::kImpactOrdered:
      return impl_->impact_ordered.search(resolved, options.k, options.rho, options.candidates);
    case SearchAlgorithm::kAuto: {
      // Exhaustive evaluation decodes every posting of the query's terms and scans the
      // accumulators once. With the impact order in memory (Searcher::prepare(index, kAuto)
      // builds it), impact-ordered search at rho = 1 adds the same postings with nothing to
      // decode: about two thirds of that work (0.48 against 0.72 ms on the real-text corpus,
      // BENCHMARKS.md, "Impact-ordered search beside PISA, BMP and Seismic"). Block-max is
      // chosen when its bound pass leaves few enough ranges to score that they cost less.
      const auto& idx = impl_->index.impl();
      const bool impact_order = built_impact_layout(impl_->index) != nullptr;
      double full_pass_cost = static_cast<double>(idx.num_docs) / 8.0;
      for (const auto& qt : resolved.terms) full_pass_cost += idx.terms[qt.term].df;
      if (impact_order) full_pass_cost *= kImpactOrderedShare;
      // Block-max first pays a pass over the query terms' range maxima; where that pass alone
      // is an eighth of the full pass's work, it is not tried.
      double bound_pass = 0;
      if (idx.has_block_max)
        for (const auto& qt : resolved.terms)
          bound_pass += idx.block_max.term_first_entry[qt.term + 1] - idx.block_max.term_first_entry[qt.term];
      if (idx.has_block_max && bound_pass * 8 < full_pass_cost)
        if (auto hits = impl_->block_max.search(resolved, options.k, 1.0, full_pass_cost)) return std::move(*hits);
      if (impact_order) return impl_->impact_ordered.search(resolved, options.k, 1.0, options.candidates);
      return impl_->exhaustive(resolved, options.k);
    }
  }
  return {};
}

}  // namespace splade
