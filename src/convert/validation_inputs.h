// The token id batches a converted model is validated on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "convert/reference_forward.h"
#include "hf/config.h"

namespace splade::convert {

// Token ids for the validation text: the project's WordPiece tokenizer (splade::Tokenizer,
// HF-exact) loaded from the model directory. Should the directory's tokenizer not load,
// a plain fallback keeps validation going: [CLS] + the id of each lower-cased
// whitespace/punctuation-separated word found whole in the vocab ([UNK] otherwise) +
// [SEP]. The numbers validation checks do not depend on which ids it gets.
std::vector<std::int64_t> validation_token_ids(const std::string& text, const std::filesystem::path& model_dir,
                                               const std::vector<std::string>& vocab);

struct ValidationInput {
  std::string label;
  TokenBatch batch;
};

// "text": the text alone [1, n]; "padded batch": 3 rows of different lengths padded with
// [PAD] (attention_mask 0), one with a second segment (token_type_ids 1) where the model
// has token types; "512 tokens": [CLS] + deterministic pseudo-random ids + [SEP], as long
// as max_position_embeddings allows (512 for BERT).
std::vector<ValidationInput> validation_inputs(const std::string& text, const std::filesystem::path& model_dir,
                                               const std::vector<std::string>& vocab, const hf::ModelConfig& config);

}  // namespace splade::convert
