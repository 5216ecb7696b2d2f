// What tokenizers' Tokenizer::post_process does after the model: truncate the pieces, wrap
// them in the template ([CLS] $A [SEP]), pad.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "splade/tokenizer.h"
#include "tokenizer/tokenizer_spec.h"

namespace splade::tokenizer {

class PostProcessor {
 public:
  PostProcessor(std::vector<TemplatePart> single, std::int64_t pad_id, std::int64_t pad_type_id)
      : template_(std::move(single)), pad_id_(pad_id), pad_type_id_(pad_type_id) {}

  // The ids the template adds around a sequence (2 for [CLS] $A [SEP]).
  std::size_t added_tokens() const;

  // How many pieces survive truncation. Throws splade::Error (kInvalidArgument) when
  // max_length leaves no room for the special tokens.
  std::size_t kept_pieces(std::size_t pieces, const EncodeOptions& options, int model_max_length) const;

  // Fills out.ids/type_ids/attention_mask/offsets from the (already truncated) pieces.
  void apply(const std::vector<std::int64_t>& ids, const std::vector<std::pair<std::size_t, std::size_t>>& offsets,
             std::size_t count, bool add_special_tokens, Encoding& out) const;

  // Right padding to `length` (no-op when already as long).
  void pad(Encoding& e, std::size_t length) const;

 private:
  std::vector<TemplatePart> template_;
  std::int64_t pad_id_;
  std::int64_t pad_type_id_;
};

}  // namespace splade::tokenizer
