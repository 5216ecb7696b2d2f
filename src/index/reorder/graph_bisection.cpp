#include "index/reorder/graph_bisection.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>

namespace splade::reorder {

namespace {

// Per-thread work arrays, indexed by term id; only the entries of a partition's terms are
// touched, and they are cleared again after use.
struct Scratch {
  std::vector<std::uint32_t> left, right;  // documents with the term in each half
  std::vector<float> gain_to_right, gain_to_left;
  std::vector<std::uint32_t> touched;
  std::vector<std::pair<float, std::uint32_t>> left_gains, right_gains;
  explicit Scratch(std::uint32_t num_terms)
      : left(num_terms, 0), right(num_terms, 0), gain_to_right(num_terms, 0), gain_to_left(num_terms, 0) {}
};

// The log-gap cost estimate of one term with `a` documents among `na` and `b` among `nb`.
float cost(double a, double na, double b, double nb) {
  return static_cast<float>(a * std::log2(na / (a + 1)) + b * std::log2(nb / (b + 1)));
}

class Bisector {
 public:
  Bisector(const ForwardIndex& f, const BisectionOptions& o) : f_(f), o_(o) {}

  void run(std::uint32_t* docs, std::size_t n, int depth, Scratch& s) {
    if (n <= o_.leaf_size) return;
    const std::size_t half = n / 2;
    split(docs, half, n, s);
    // Near the top, the right half goes to a thread of its own (with its own scratch).
    if (depth < 8 && (1 << (depth + 1)) <= o_.threads) {
      std::thread right([&, docs, half, n, depth] {
        Scratch own(f_.num_terms);
        run(docs + half, n - half, depth + 1, own);
      });
      run(docs, half, depth + 1, s);
      right.join();
    } else {
      run(docs, half, depth + 1, s);
      run(docs + half, n - half, depth + 1, s);
    }
  }

 private:
  auto terms_of(std::uint32_t d) const {
    return std::pair{f_.terms.data() + f_.offsets[d], f_.terms.data() + f_.offsets[d + 1]};
  }

  // Documents [0, half) are the left partition, [half, n) the right one.
  void split(std::uint32_t* docs, std::size_t half, std::size_t n, Scratch& s) {
    s.touched.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const auto [b, e] = terms_of(docs[i]);
      for (const std::uint32_t* t = b; t != e; ++t) {
        if (s.left[*t] == 0 && s.right[*t] == 0) s.touched.push_back(*t);
        (i < half ? s.left : s.right)[*t]++;
      }
    }
    const double nl = static_cast<double>(half), nr = static_cast<double>(n - half);
    for (int iteration = 0; iteration < o_.iterations; ++iteration) {
      for (const std::uint32_t t : s.touched) {
        const double a = s.left[t], b = s.right[t];
        const float now = cost(a, nl, b, nr);
        s.gain_to_right[t] = a > 0 ? now - cost(a - 1, nl, b + 1, nr) : 0.0f;
        s.gain_to_left[t] = b > 0 ? now - cost(a + 1, nl, b - 1, nr) : 0.0f;
      }
      auto gains = [&](std::size_t from, std::size_t to, const std::vector<float>& g, auto& out) {
        out.clear();
        for (std::size_t i = from; i < to; ++i) {
          const auto [b, e] = terms_of(docs[i]);
          float sum = 0;
          for (const std::uint32_t* t = b; t != e; ++t) sum += g[*t];
          out.emplace_back(sum, static_cast<std::uint32_t>(i));
        }
        // Largest gain first; ties by position, so the result does not depend on the sort.
        std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
          return x.first > y.first || (x.first == y.first && x.second < y.second);
        });
      };
      gains(0, half, s.gain_to_right, s.left_gains);
      gains(half, n, s.gain_to_left, s.right_gains);
      std::size_t swaps = 0;
      for (std::size_t i = 0; i < s.left_gains.size() && i < s.right_gains.size(); ++i) {
        if (s.left_gains[i].first + s.right_gains[i].first <= 0) break;
        std::uint32_t& l = docs[s.left_gains[i].second];
        std::uint32_t& r = docs[s.right_gains[i].second];
        for (auto [b, e] = terms_of(l); b != e; ++b) --s.left[*b], ++s.right[*b];
        for (auto [b, e] = terms_of(r); b != e; ++b) ++s.left[*b], --s.right[*b];
        std::swap(l, r);
        ++swaps;
      }
      if (swaps == 0) break;
    }
    for (const std::uint32_t t : s.touched) s.left[t] = s.right[t] = 0;
  }

  const ForwardIndex& f_;
  const BisectionOptions& o_;
};

}  // namespace

std::vector<std::uint32_t> recursive_graph_bisection(const ForwardIndex& docs, const BisectionOptions& options) {
  std::vector<std::uint32_t> order(docs.num_docs());
  std::iota(order.begin(), order.end(), 0u);
  Scratch scratch(docs.num_terms);
  Bisector(docs, options).run(order.data(), order.size(), 0, scratch);
  return order;
}

}  // namespace splade::reorder
