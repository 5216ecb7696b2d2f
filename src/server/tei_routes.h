// TEI's routes (text-embeddings-inference, router/src/http/server.rs), same shapes and codes:
//   POST /embed_sparse  {"inputs": str | [str], "truncate": bool, "truncation_direction": "right"}
//                       -> [[{"index": vocab id, "value": weight}, ...], ...] (non-zero weights, by id)
//   POST /tokenize      {"inputs": str | [str], "add_special_tokens": bool}
//                       -> [[{"id", "text", "special", "start", "stop"}, ...], ...] (byte offsets)
//   GET /health         200 with an empty body; 503 once shutting down
//   GET /info           the served model and the router's limits
//   GET /metrics        Prometheus text
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace splade::server {

void add_tei_routes(Router& router, ServerContext& context);

}  // namespace splade::server
