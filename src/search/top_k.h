// The k best (score, doc) pairs: score descending, then internal doc id ascending (which is
// external id ascending, see index_builder.cpp). The heap keeps the worst of the k on top.
#pragma once

#include <algorithm>
#include <vector>

#include "splade/searcher.h"

namespace splade {

class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(k); }

  static bool better(const Hit& a, const Hit& b) { return a.score > b.score || (a.score == b.score && a.doc < b.doc); }

  // Whether a document with this score (and a doc id above every one seen) could enter.
  bool would_enter(std::uint64_t score) const {
    return heap_.size() < k_ ? score > 0 : score > heap_.front().score;
  }
  bool full() const { return heap_.size() >= k_; }
  // The k-th best hit so far (only when full()).
  const Hit& worst() const { return heap_.front(); }
  // Returns true when the hit entered the top k (in any push order).
  bool push(std::uint64_t score, std::uint32_t doc) {
    const Hit h{doc, score};
    if (heap_.size() < k_) {
      heap_.push_back(h);
      std::push_heap(heap_.begin(), heap_.end(), better);
      return true;
    }
    if (k_ == 0 || !better(h, heap_.front())) return false;
    std::pop_heap(heap_.begin(), heap_.end(), better);
    heap_.back() = h;
    std::push_heap(heap_.begin(), heap_.end(), better);
    return true;
  }
  std::vector<Hit> take_sorted() {
    std::sort(heap_.begin(), heap_.end(), better);
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<Hit> heap_;  // std heap ordered by `better`: front() is the worst hit
};

}  // namespace splade
