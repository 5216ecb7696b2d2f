// The k best documents of a score-per-document accumulator array, zeroing the array as it
// reads it (so it is all zero for the next query). Shared by exhaustive and impact-ordered
// search, whose last step this is: one pass over every document of the index.
// Most documents cannot enter once the top k fills, so a block of 16 is tested at once
// against the least score that could enter (a compare the compiler vectorizes, no branch a
// document) and only a block holding such a score goes through TopK one by one; an
// all-zero block is not written.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "search/top_k.h"

namespace splade {

template <typename Acc>
std::vector<Hit> take_top_k(std::vector<Acc>& acc, std::size_t k, const std::uint32_t* id_rank) {
  TopK top(k, id_rank);
  constexpr std::size_t kStride = 16;
  Acc* a = acc.data();
  const std::size_t n = acc.size();
  std::size_t d = 0;
  for (; d + kStride <= n; d += kStride) {
    const std::uint64_t floor = top.least_entering_score();
    const Acc cut = floor > std::numeric_limits<Acc>::max() ? std::numeric_limits<Acc>::max() : static_cast<Acc>(floor);
    const bool none_can = floor > std::numeric_limits<Acc>::max();
    Acc nonzero = 0;
    unsigned can = 0;
    for (std::size_t i = 0; i < kStride; ++i) {
      nonzero |= a[d + i];
      can |= a[d + i] >= cut;
    }
    if (!nonzero) continue;
    if (can && !none_can)
      for (std::size_t i = d; i < d + kStride; ++i)
        if (top.would_enter(a[i])) top.push(a[i], static_cast<std::uint32_t>(i));
    for (std::size_t i = d; i < d + kStride; ++i) a[i] = 0;
  }
  for (; d < n; ++d)
    if (const Acc s = a[d]) {
      if (top.would_enter(s)) top.push(s, static_cast<std::uint32_t>(d));
      a[d] = 0;
    }
  return top.take_sorted();
}

}  // namespace splade
