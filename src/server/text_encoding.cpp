#include "server/text_encoding.h"

#include <fmt/format.h>

#include "server/api_error.h"

namespace splade::server {

Encoding tokenize_for_model(const ServerContext& context, const TextInput& input, bool truncate) {
  const auto limit = static_cast<std::size_t>(context.max_input_length);
  Encoding e;
  if (input.is_ids) {  // TEI passes ids through as given: no special tokens added
    e.ids = input.ids;
    if (e.ids.size() > limit && truncate) e.ids.resize(limit);
    e.type_ids.assign(e.ids.size(), 0);
    e.attention_mask.assign(e.ids.size(), 1);
    e.offsets.assign(e.ids.size(), {0, 0});
  } else {
    EncodeOptions options;
    options.max_length = context.max_input_length;
    options.truncation = truncate ? Truncation::kHuggingFace : Truncation::kNone;
    e = context.encoder->tokenizer().encode(input.text, options);
  }
  if (e.ids.size() > limit)
    throw ApiError(ErrorType::kValidation,
                   fmt::format("`inputs` must have less than {} tokens. Given: {}", limit, e.ids.size()));
  return e;
}

void encode_through_batcher(ServerContext& context, std::vector<Encoding> encodings,
                            std::function<void(std::vector<BatchResult>)> done) {
  struct Gather {
    std::vector<BatchResult> results;
    std::atomic<std::size_t> left;
    std::function<void(std::vector<BatchResult>)> done;
  };
  auto gather = std::make_shared<Gather>();
  gather->results.resize(encodings.size());
  gather->left = encodings.size();
  gather->done = std::move(done);
  std::vector<BatchItem> items(encodings.size());
  for (std::size_t i = 0; i < encodings.size(); ++i) {
    items[i].encoding = std::move(encodings[i]);
    items[i].done = [&context, gather, i](BatchResult r) {
      gather->results[i] = std::move(r);
      if (gather->left.fetch_sub(1, std::memory_order_acq_rel) == 1)  // the last: answer off the model's thread
        context.post_to_worker([gather] { gather->done(std::move(gather->results)); });
    };
  }
  context.batcher->submit(std::move(items));
}

}  // namespace splade::server
