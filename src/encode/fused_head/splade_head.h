// The fused SPLADE head: out[b, v] = f(max over the unmasked tokens t of hidden[b, t] . W[:, v]
// + bias[v]), f = log1p(relu(.)) (once or twice), computed a block of tokens times a block of
// vocabulary columns at a time (OpenBLAS sgemm), each block reduced to its running max while
// it is in cache. Padding rows are never multiplied.
#pragma once

#include <cstdint>
#include <vector>

namespace splade::encode {

class SpladeHead {
 public:
  // weight [hidden, vocab] row-major, bias [vocab]; threads: 0 = one per core.
  SpladeHead(std::vector<float> weight, std::vector<float> bias, std::int64_t hidden, int log1p_count, int threads);

  std::int64_t vocab() const { return vocab_; }
  // hidden: [batch, seq, hidden] float; lengths[b]: how many leading tokens of row b are
  // unmasked (the rest is padding). out: [batch, vocab]; a row with length 0 is all zeros.
  void pool(const float* hidden, std::int64_t batch, std::int64_t seq, const std::vector<std::int64_t>& lengths,
            float* out) const;

 private:
  std::vector<float> weight_, bias_;
  std::int64_t hidden_ = 0, vocab_ = 0;
  int log1p_count_ = 1;
  int threads_ = 1;
};

}  // namespace splade::encode
