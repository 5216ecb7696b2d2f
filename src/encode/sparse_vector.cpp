#include "splade/sparse_vector.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace splade {

std::int32_t anserini_impact(float weight) {
  // Anserini (SparseEncoder.quantizeFloatWeights): Math.round(weight / 5 * 256) with a
  // float weight, so the arithmetic is float; Java's Math.round(float) rounds half up
  // exactly (computed here without the x + 0.5f rounding error).
  const float x = weight / 5.0f * 256.0f;
  const float floor_x = std::floor(x);
  return static_cast<std::int32_t>(x - floor_x >= 0.5f ? floor_x + 1.0f : floor_x);
}

void prune(SparseVector& v, float threshold, int top_k) {
  if (threshold > 0.0f) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < v.ids.size(); ++i) {
      if (v.weights[i] >= threshold) {
        v.ids[out] = v.ids[i];
        v.weights[out] = v.weights[i];
        ++out;
      }
    }
    v.ids.resize(out);
    v.weights.resize(out);
  }
  if (top_k > 0 && v.ids.size() > static_cast<std::size_t>(top_k)) {
    std::vector<std::size_t> order(v.ids.size());
    std::iota(order.begin(), order.end(), 0);
    std::nth_element(order.begin(), order.begin() + top_k, order.end(), [&](std::size_t a, std::size_t b) {
      return v.weights[a] != v.weights[b] ? v.weights[a] > v.weights[b] : v.ids[a] < v.ids[b];
    });
    order.resize(static_cast<std::size_t>(top_k));
    std::sort(order.begin(), order.end());  // back to id order (ids were ascending)
    SparseVector kept;
    for (auto i : order) {
      kept.ids.push_back(v.ids[i]);
      kept.weights.push_back(v.weights[i]);
    }
    v = std::move(kept);
  }
}

}  // namespace splade
