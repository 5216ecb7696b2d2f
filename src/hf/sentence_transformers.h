// A sentence-transformers model directory (modules.json), as `SparseEncoder.save` writes it:
//   modules.json                  [{"idx", "name", "path", "type"}, ...]
//   (path "") MLMTransformer      the Hugging Face checkpoint at the root: config.json, weights,
//                                 tokenizer files, sentence_bert_config.json (max_seq_length)
//   1_SpladePooling/config.json   {"pooling_strategy": max|sum,
//                                  "activation_function": relu|log1p_relu, ...}
// Only MLMTransformer followed by SpladePooling is a SPLADE model splade's heads express;
// anything else is refused by name.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "splade/converter.h"

namespace splade::hf {

struct SparseEncoderLayout {
  std::filesystem::path transformer_dir;  // the MLMTransformer module's folder (the root, as saved)
  SpladePooling pooling;
  std::string pooling_source;  // e.g. "1_SpladePooling/config.json"
};

// nullopt when `dir` has no modules.json (a plain Hugging Face directory). Throws
// splade::Error: kCorrupt (malformed JSON or fields, naming file and field), kUnsupported (a
// module or a pooling the SPLADE heads cannot express, naming it and what is supported).
std::optional<SparseEncoderLayout> read_sparse_encoder_layout(const std::filesystem::path& dir);

}  // namespace splade::hf
