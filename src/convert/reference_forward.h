// An independent forward pass of the encoder straight from the checkpoint tensors: plain
// loops, double accumulation, exact softmax over the unmasked keys only. It shares no
// code with the ONNX graph builder beyond the tensor names of ModelSpec, so it checks
// the written graph, not the other way round.
#pragma once

#include "splade/converter.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "convert/model_spec.h"
#include "hf/tensor_store.h"

namespace splade::convert {

// Row-major [batch, seq] int64 inputs.
struct TokenBatch {
  std::int64_t batch = 0, seq = 0;
  std::vector<std::int64_t> input_ids, attention_mask, token_type_ids;
};

class ReferenceModel {
 public:
  // Copies every weight the model uses to fp32 (once per tensor; the tied decoder shares
  // the word embeddings). `threads` <= 0: one per core.
  ReferenceModel(const ModelSpec& spec, const hf::TensorStore& store, int threads);

  // Last hidden state [batch, seq, hidden]. Token types are taken from the batch when
  // `use_token_types`, else zeros (what transformers does when none are passed).
  std::vector<double> hidden(const TokenBatch& in, bool use_token_types) const;
  // The masked-LM head: [rows, hidden] -> logits [rows, vocab].
  std::vector<double> logits(const std::vector<double>& hidden, std::int64_t rows) const;
  // SPLADE pooling of the logits: max over tokens of log1p(relu(logit)) * mask -> [batch, vocab].
  // The seed's formulation, literally: f(logits * mask) per token (f = log1p(relu), or log1p
  // twice), then the max (or the sum) over the tokens; [batch, vocab].
  std::vector<double> splade_pooled(const std::vector<double>& logits, const TokenBatch& in,
                                    const SpladePooling& pooling) const;

 private:
  struct Linear {
    const std::vector<float>* w = nullptr;  // [out, in]
    const std::vector<float>* b = nullptr;  // [out]
    std::int64_t out = 0, in = 0;
  };
  struct Norm {
    const std::vector<float>* g = nullptr;
    const std::vector<float>* b = nullptr;
  };
  struct Layer {
    Linear q, k, v, o, inter, out;
    Norm attn_norm, out_norm;
  };

  const std::vector<float>* load(const std::string& name);
  Linear linear(const LinearNames& n);
  Norm norm(const NormNames& n);
  std::vector<double> apply(const Linear& l, const std::vector<double>& x, std::int64_t rows) const;
  void layer_norm(std::vector<double>& x, std::int64_t rows, const Norm& n, double eps) const;
  void activate(std::vector<double>& x) const;

  const ModelSpec& spec_;
  const hf::TensorStore& store_;
  int threads_;
  std::map<std::string, std::vector<float>> weights_;
  const std::vector<float>* word_ = nullptr;
  const std::vector<float>* position_ = nullptr;
  const std::vector<float>* token_type_ = nullptr;
  Norm emb_norm_;
  std::vector<Layer> layers_;
  Linear transform_, decoder_;
  Norm head_norm_;
};

}  // namespace splade::convert
