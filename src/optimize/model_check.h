// Runs two models on the same inputs with ONNX Runtime and measures how far apart their
// outputs are. Used by `splade optimize` (outputs must agree within 1e-4) and by the
// quantization report.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ort/runner.h"

namespace splade::optimize {

// A model's I/O as seen by ORT, classified for generating inputs and comparing outputs.
struct ModelIo {
  std::vector<ort::IoInfo> inputs, outputs;
  // The Anserini SPLADE export: rank-1 int64 term ids + rank-1 float weights of one query.
  bool sparse_splade = false;
  int sparse_idx_output = -1, sparse_weight_output = -1;
};
ModelIo describe_io(ort::Runner& runner);

// Inputs for one text of `ids` (word-piece ids incl. [CLS]/[SEP]) padded to `seq`:
// input_ids, attention_mask (1 for real tokens), token_type_ids (0), position_ids, matched
// by the usual HF/Anserini names; other inputs get small deterministic values (fixed dims
// as declared, symbolic ones 1, dim 0 the batch).
std::vector<ort::HostTensor> make_inputs(const ModelIo& io, const std::vector<std::vector<std::int64_t>>& ids);

// The built-in check inputs: deterministic pseudo-random ids in [1000, 2000) (valid in any
// BERT vocabulary), several lengths, a padded batch of 2 unless the model's output is the
// sparse (batch-1) SPLADE form.
std::vector<std::vector<std::vector<std::int64_t>>> builtin_batches(const ModelIo& io);

// A dense view of one output for comparison: the sparse SPLADE pair is scattered into a
// map term -> weight; other float outputs are taken as they are.
struct OutputDiff {
  std::string name;
  double max_abs = 0, mean_abs = 0;
  bool shape_mismatch = false;
};
std::vector<OutputDiff> compare_outputs(const ModelIo& io, const std::vector<ort::HostTensor>& a,
                                        const std::vector<ort::HostTensor>& b);

}  // namespace splade::optimize
