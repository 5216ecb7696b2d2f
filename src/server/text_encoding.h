// Texts to SPLADE vectors for the routes: tokenization with TEI's length rule (a text longer
// than max_input_length tokens is truncated when `truncate`, else refused with 422), then
// the dynamic batcher.
#pragma once

#include <functional>
#include <vector>

#include "server/request_json.h"
#include "server/server_context.h"

namespace splade::server {

// Throws ApiError (Validation, 422) for a text too long and not to be truncated.
Encoding tokenize_for_model(const ServerContext& context, const TextInput& input, bool truncate);

// Queues `encodings` on the batcher; `done` runs on a worker thread with one result per
// encoding, in order, once all have run.
void encode_through_batcher(ServerContext& context, std::vector<Encoding> encodings,
                            std::function<void(std::vector<BatchResult>)> done);

}  // namespace splade::server
