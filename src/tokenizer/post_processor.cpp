#include "tokenizer/post_processor.h"

#include <string>

#include "splade/error.h"

namespace splade::tokenizer {

std::size_t PostProcessor::added_tokens() const {
  std::size_t n = 0;
  for (const auto& part : template_)
    if (!part.is_sequence) n += part.ids.size();
  return n;
}

std::size_t PostProcessor::kept_pieces(std::size_t pieces, const EncodeOptions& options, int model_max_length) const {
  if (options.truncation == Truncation::kNone) return pieces;
  const long max_length = options.max_length > 0 ? options.max_length : model_max_length;
  long limit;
  if (options.truncation == Truncation::kHuggingFace) {
    // tokenizers: max_length - added tokens, when the template is applied.
    limit = max_length - (options.add_special_tokens ? static_cast<long>(added_tokens()) : 0L);
  } else {
    // Anserini (SpladeEncoder.java): [CLS] + pieces cut to MAX_SEQ_LEN - 2 tokens, then [SEP].
    limit = max_length - 3;
  }
  if (limit < 0)
    throw Error(ErrorCode::kInvalidArgument, "tokenizer: max_length " + std::to_string(max_length) +
                                                 " leaves no room for the special tokens");
  return std::min(pieces, static_cast<std::size_t>(limit));
}

void PostProcessor::apply(const std::vector<std::int64_t>& ids,
                          const std::vector<std::pair<std::size_t, std::size_t>>& offsets, std::size_t count,
                          bool add_special_tokens, Encoding& out) const {
  const std::size_t total = count + (add_special_tokens ? added_tokens() : 0);
  out.ids.clear(), out.type_ids.clear(), out.offsets.clear();
  out.ids.reserve(total), out.type_ids.reserve(total), out.offsets.reserve(total);
  if (!add_special_tokens || template_.empty()) {
    out.ids.assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(count));
    out.type_ids.assign(count, 0);
    out.offsets.assign(offsets.begin(), offsets.begin() + static_cast<std::ptrdiff_t>(count));
  } else {
    for (const auto& part : template_) {
      if (part.is_sequence) {
        out.ids.insert(out.ids.end(), ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(count));
        out.type_ids.insert(out.type_ids.end(), count, part.type_id);
        out.offsets.insert(out.offsets.end(), offsets.begin(), offsets.begin() + static_cast<std::ptrdiff_t>(count));
      } else {
        for (std::int64_t id : part.ids) {
          out.ids.push_back(id);
          out.type_ids.push_back(part.type_id);
          out.offsets.emplace_back(0, 0);
        }
      }
    }
  }
  out.attention_mask.assign(out.ids.size(), 1);
}

void PostProcessor::pad(Encoding& e, std::size_t length) const {
  if (e.ids.size() >= length) return;
  const std::size_t extra = length - e.ids.size();
  e.ids.insert(e.ids.end(), extra, pad_id_);
  e.type_ids.insert(e.type_ids.end(), extra, pad_type_id_);
  e.attention_mask.insert(e.attention_mask.end(), extra, 0);
  e.offsets.insert(e.offsets.end(), extra, {0, 0});
}

}  // namespace splade::tokenizer
