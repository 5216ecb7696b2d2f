// Searcher: the query's terms -> cursors, then exhaustive (term-at-a-time) or MaxScore with
// block-max bounds (document-at-a-time). Both return the same top k: documents are
// visited in doc id order, and a document only fails to enter when its score bound is
// <= the k-th score, where a tie already loses to the earlier (smaller-id) document.
#include <algorithm>
#include <unordered_map>

#include "search/posting_cursor.h"
#include "search/top_k.h"
#include "splade/error.h"
#include "splade/searcher.h"

namespace splade {

namespace {

struct QueryTerm {
  std::uint32_t term;
  std::uint64_t weight;
};

// Sums repeated tokens, drops weights <= 0 and tokens the index lacks.
std::vector<QueryTerm> resolve(const Index::Impl& index, const QueryVector& query) {
  std::unordered_map<std::uint32_t, std::int64_t> weights;
  for (const auto& [token, w] : query) {
    if (w == 0) continue;
    if (w < 0 || w > 0xFFFFFFFFll)
      throw Error(ErrorCode::kInvalidArgument, "query weight of '" + token + "' is " + std::to_string(w) +
                                                   ", expected 0 .. 2^32-1");
    if (auto t = index.find(token)) weights[*t] += w;
  }
  std::vector<QueryTerm> terms;
  unsigned __int128 bound = 0;
  for (const auto& [t, w] : weights) {
    terms.push_back({t, static_cast<std::uint64_t>(w)});
    bound += static_cast<unsigned __int128>(w) * index.terms[t].max_impact;
  }
  if (bound >> 63) throw Error(ErrorCode::kUnsupported, "query score bound exceeds 2^63");
  std::sort(terms.begin(), terms.end(), [](const QueryTerm& a, const QueryTerm& b) { return a.term < b.term; });
  return terms;
}

}  // namespace

struct Searcher::Impl {
  const Index& index;
  std::vector<std::uint64_t> accumulators;

  explicit Impl(const Index& i) : index(i) {}

  std::vector<Hit> exhaustive(const std::vector<QueryTerm>& terms, std::size_t k) {
    const auto& idx = index.impl();
    if (accumulators.size() != idx.num_docs) accumulators.assign(idx.num_docs, 0);
    for (const auto& qt : terms) {
      PostingCursor c(idx, qt.term, qt.weight);
      for (; c.doc() != PostingCursor::kEnd; c.next()) accumulators[c.doc()] += c.score();
    }
    TopK top(k);
    for (std::uint32_t d = 0; d < idx.num_docs; ++d) {
      if (accumulators[d]) {
        top.push(accumulators[d], d);
        accumulators[d] = 0;
      }
    }
    return top.take_sorted();
  }

  std::vector<Hit> maxscore(const std::vector<QueryTerm>& terms, std::size_t k) {
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

    TopK top(k);
    std::size_t essential = 0;  // lists [essential, n) are essential; [0, essential) are not
    std::uint32_t doc = PostingCursor::kEnd;
    for (const auto& c : cursors) doc = std::min(doc, c.doc());

    while (essential < n && doc != PostingCursor::kEnd) {
      std::uint64_t score = 0;
      std::uint32_t next_doc = PostingCursor::kEnd;
      for (std::size_t i = essential; i < n; ++i) {
        auto& c = cursors[i];
        if (c.doc() == doc) {
          score += c.score();
          c.next();
        }
        next_doc = std::min(next_doc, c.doc());
      }
      if (essential > 0) {
        // Block-max bound of the non-essential lists first (no decoding), then the lists
        // themselves, largest first, stopping once even their maxima cannot lift the doc in.
        std::uint64_t block_bound = score;
        for (std::size_t i = 0; i < essential; ++i) block_bound += cursors[i].block_max_score(doc);
        if (top.would_enter(block_bound)) {
          for (std::size_t i = essential; i-- > 0;) {
            if (!top.would_enter(score + bound[i])) break;
            auto& c = cursors[i];
            c.next_geq(doc);
            if (c.doc() == doc) score += c.score();
          }
          if (top.push(score, doc)) {
            while (essential < n && !top.would_enter(bound[essential])) ++essential;
          }
        }
      } else if (top.push(score, doc)) {
        while (essential < n && !top.would_enter(bound[essential])) ++essential;
      }
      doc = next_doc;
    }
    return top.take_sorted();
  }
};

Searcher::Searcher(const Index& index) : impl_(std::make_unique<Impl>(index)) {}
Searcher::~Searcher() = default;
Searcher::Searcher(Searcher&&) noexcept = default;

std::vector<Hit> Searcher::search(const QueryVector& query, const SearchOptions& options) {
  const auto terms = resolve(impl_->index.impl(), query);
  if (terms.empty() || options.k == 0) return {};
  switch (options.algorithm) {
    case SearchAlgorithm::kExhaustive: return impl_->exhaustive(terms, options.k);
    case SearchAlgorithm::kMaxScore: return impl_->maxscore(terms, options.k);
  }
  return {};
}

}  // namespace splade
