// The k best (score, doc) pairs: score descending, then external id ascending in byte order.
// Internal doc ids follow that order unless the index was reordered; then `id_rank` (the
// byte-order rank of each doc's external id, Index::Impl::id_rank) breaks the ties.
// The heap keeps the worst of the k on top.
#pragma once

#include <algorithm>
#include <vector>

#include "splade/searcher.h"

namespace splade {

class TopK {
 public:
  explicit TopK(std::size_t k, const std::uint32_t* id_rank = nullptr) : k_(k), rank_(id_rank) { heap_.reserve(k); }

  bool better(const Hit& a, const Hit& b) const {
    if (a.score != b.score) return a.score > b.score;
    return rank_ ? rank_[a.doc] < rank_[b.doc] : a.doc < b.doc;
  }

  // Whether a document with this score could enter, pushed after every doc id seen so far
  // (in internal order it loses ties to them, unless the index was reordered).
  bool would_enter(std::uint64_t score) const {
    if (heap_.size() < k_) return score > 0;
    return rank_ ? score >= heap_.front().score : score > heap_.front().score;
  }
  // The least score that would_enter() accepts now (>= 1; scores are below 2^63, so the
  // + 1 does not wrap).
  std::uint64_t least_entering_score() const {
    if (k_ == 0) return ~std::uint64_t{0};
    if (heap_.size() < k_) return 1;
    return rank_ ? heap_.front().score : heap_.front().score + 1;
  }
  bool full() const { return heap_.size() >= k_; }
  // The k-th best hit so far (only when full()).
  const Hit& worst() const { return heap_.front(); }
  bool ties_by_internal_id() const { return rank_ == nullptr; }

  // Returns true when the hit entered the top k (in any push order).
  bool push(std::uint64_t score, std::uint32_t doc) {
    const Hit h{doc, score};
    auto cmp = [this](const Hit& a, const Hit& b) { return better(a, b); };
    if (heap_.size() < k_) {
      heap_.push_back(h);
      std::push_heap(heap_.begin(), heap_.end(), cmp);
      return true;
    }
    if (k_ == 0 || !better(h, heap_.front())) return false;
    std::pop_heap(heap_.begin(), heap_.end(), cmp);
    heap_.back() = h;
    std::push_heap(heap_.begin(), heap_.end(), cmp);
    return true;
  }
  std::vector<Hit> take_sorted() {
    std::sort(heap_.begin(), heap_.end(), [this](const Hit& a, const Hit& b) { return better(a, b); });
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  const std::uint32_t* rank_;
  std::vector<Hit> heap_;  // std heap ordered by `better`: front() is the worst hit
};

}  // namespace splade
