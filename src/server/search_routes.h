// Anserini's REST search (io.anserini.server), one index per --index NAME=DIR:
//   GET  /v1/{index}/search?query=TEXT&hits=10[&qid=Q]   (also /api/v1.0/indexes/{index}/search)
//        the text encoded by the served model on the fly (through the batcher), as
//        `splade search --model` does
//   POST /v1/{index}/search {"vector": {"token": weight, ...}, "hits": 10, "qid": "..."}
//        a query vector already encoded (weights truncated to integers, as Anserini's
//        JsonVectorCollection reads them), or {"query": TEXT, ...}
// -> {"api": "v1", "index": NAME, "query": {"qid", "text"}, "candidates": [{"docid", "score", "rank"}]}
// with the integer scores and the ranking of `splade search --score-format integer`.
//   GET  /v1/{index}/doc/{docid}  (also /api/v1.0/indexes/{index}/documents/{docid})
//        -> {"api": "v1", "index", "docid", "contents"}, from an index built with
//        `splade index --store-contents`; 404 for an unknown document or an index without contents
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace splade::server {

void add_search_routes(Router& router, ServerContext& context);

}  // namespace splade::server
