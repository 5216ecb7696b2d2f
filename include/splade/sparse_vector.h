// A SPLADE vector: vocabulary ids with weights, and the conversions Anserini applies.
#pragma once

#include <cstdint>
#include <vector>

namespace splade {

struct SparseVector {
  std::vector<std::int64_t> ids;   // vocabulary ids, ascending
  std::vector<float> weights;      // same length as ids
};

// Anserini's integer impact: Java's Math.round(w / 5 * 256), i.e. floor(x + 0.5) (half up).
std::int32_t anserini_impact(float weight);

// Keeps weights >= threshold (threshold > 0), then the top_k largest (top_k > 0; ties by
// smaller id). The result stays sorted by id.
void prune(SparseVector& vector, float threshold, int top_k);

}  // namespace splade
