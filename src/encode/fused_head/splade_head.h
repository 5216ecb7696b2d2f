// The fused SPLADE head: out[b, v] = f(max over the unmasked tokens t of hidden[b, t] . W[:, v]
// + bias[v]), f = log1p(relu(.)) (once or twice), computed a block of tokens times a block of
// vocabulary columns at a time (OpenBLAS sgemm), each block reduced to its running max while
// it is in cache. Padding rows are never multiplied.
//
// An int8 decoder runs the same way on integers held in float: hidden = x_q - x_zp and
// W = W_q - W_zp, so each product sum is the int32 that MatMulInteger computes. A float sum
// of integers is exact while every partial sum stays within 2^24, so the hidden dimension is
// cut into chunks short enough for that, and the chunks' sums are added in int32. The max is
// then scaled per column (x_scale * W_scale[v], as dynamic quantization's Mul does; a positive
// scale commutes with the max).
#pragma once

#include <cstdint>
#include <vector>

namespace splade::encode {

class SpladeHead {
 public:
  // weight [hidden, vocab] row-major, bias [vocab]; threads: 0 = one per core.
  // integer_max_product > 0: the operands are integers and |hidden * weight| never exceeds it.
  SpladeHead(std::vector<float> weight, std::vector<float> bias, std::int64_t hidden, int log1p_count, int threads,
             std::int64_t integer_max_product = 0);

  std::int64_t vocab() const { return vocab_; }
  std::int64_t hidden() const { return hidden_; }
  // How many rows of W one exact float sgemm sums (hidden for an fp32 head).
  std::int64_t exact_chunk() const { return chunk_; }
  // hidden: [batch, seq, hidden] float; lengths[b]: how many leading tokens of row b are
  // unmasked (the rest is padding); column_scale: [vocab] or nullptr (1). out: [batch, vocab];
  // a row with length 0 is all zeros.
  void pool(const float* hidden, std::int64_t batch, std::int64_t seq, const std::vector<std::int64_t>& lengths,
            const float* column_scale, float* out) const;

 private:
  std::vector<float> weight_, bias_;
  std::int64_t hidden_ = 0, vocab_ = 0;
  int log1p_count_ = 1;
  int threads_ = 1;
  bool integer_ = false;
  std::int64_t chunk_ = 0;
};

}  // namespace splade::encode
