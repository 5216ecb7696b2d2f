// splade::Server: the HTTP server of `splade serve`. One process serves a SPLADE model and
// impact indexes to existing clients:
//   - Hugging Face text-embeddings-inference (TEI) routes, with TEI's request and response
//     shapes and status codes: POST /embed_sparse, POST /tokenize, GET /health, GET /info,
//     GET /metrics (Prometheus text);
//   - Anserini's REST search: GET /v1/{index}/search?query=...&hits=10 (also at Anserini's
//     /api/v1.0/indexes/{index}/search), POST /v1/{index}/search with a query vector.
// Concurrent encode requests are gathered into model batches bounded by padded tokens (as
// TEI's dynamic batching); at most max_concurrent inputs are in flight, beyond which requests
// are refused at once with 429. Routes, errors and limits: ARCHITECTURE.md, "splade serve".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace splade {

struct ServerOptions {
  std::string model_dir;                                      // as `splade convert` writes it
  std::vector<std::pair<std::string, std::string>> indexes;   // (name, index directory)
  std::string host = "127.0.0.1";
  int port = 8080;                        // 0: a free port, chosen by the system (see Server::port)
  int threads = 0;                        // ONNX Runtime intra-op threads of the model (0: one per core)
  int workers = 0;                        // threads that tokenize, search and write JSON (0: one per core)
  std::size_t max_batch_tokens = 16384;   // padded tokens (texts x longest) per model batch; TEI's default
  std::size_t max_batch_requests = 0;     // texts per model batch (0: only max_batch_tokens bounds it)
  // A batch runs as groups of similar lengths padded to at most (1 + max_padding) x their real
  // tokens: padding costs a CPU's body compute, each extra call the head's pass over the decoder.
  double max_padding = 0.25;
  std::size_t max_concurrent = 512;       // texts (and searches) in flight; beyond: 429 at once. TEI's default
  std::size_t max_client_batch_size = 32; // texts per request; beyond: 413. TEI's default
  std::size_t payload_limit = 2000000;    // request body bytes; beyond: 413. TEI's default
  std::size_t max_hits = 10000;           // the largest `hits` a search may ask for
  int max_input_length = 0;               // tokens per text (0: the tokenizer's model_max_length)
  bool auto_truncate = false;             // TEI's: what `truncate` is when a request leaves it out
  bool fused_head = true;                 // EncoderOptions::fused_head
  bool map_model_file = true;             // EncoderOptions::map_model_file (false: --no-mmap)
  std::string served_model_name;          // /info's model_id (default: the model directory's name)
};

class Server {
 public:
  // Opens the model and the indexes and binds the address; throws splade::Error naming what
  // could not be opened or bound.
  explicit Server(const ServerOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;  // the bound port (the system's choice when ServerOptions::port is 0)

  // Serves until stop() or SIGTERM / SIGINT: then stops accepting, finishes every request
  // already accepted (answering it), closes idle connections and returns.
  void run();
  // Thread-safe; what SIGTERM does.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace splade
