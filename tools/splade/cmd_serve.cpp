// splade serve --model DIR [--index NAME=DIR ...] [--host 127.0.0.1] [--port 8080] [--threads N]
//              [--max-batch-tokens N] [--max-concurrent N] ...
// TEI's embedding routes and Anserini's REST search in one process (include/splade/server.h).
#include <fmt/format.h>

#include <iostream>

#include "command.h"
#include "splade/error.h"
#include "splade/server.h"

namespace splade::cli {

void add_serve_command(CLI::App& app, CommandTable& table) {
  auto options = std::make_shared<ServerOptions>();
  auto indexes = std::make_shared<std::vector<std::string>>();
  auto no_fused_head = std::make_shared<bool>(false);
  CLI::App* sub = app.add_subcommand(
      "serve", "HTTP server: TEI's /embed_sparse, /tokenize, /info, /health, /metrics and Anserini's /v1/{index}/search");
  sub->add_option("--model", options->model_dir, "Model directory (as `splade convert` writes it)")->required();
  sub->add_option("--index", *indexes, "An index to search at /v1/NAME/search, as NAME=DIR (repeatable)");
  sub->add_option("--host", options->host, "Address to listen on (127.0.0.1: this machine only)");
  sub->add_option("--port", options->port, "Port (0: any free port, printed at start)")->check(CLI::Range(0, 65535));
  sub->add_option("--threads", options->threads, "ONNX Runtime threads of the model (0: one per core)");
  sub->add_option("--workers", options->workers, "Threads that tokenize, search and write JSON (0: one per core)");
  sub->add_option("--max-batch-tokens", options->max_batch_tokens,
                  "Padded tokens (texts x longest) per model batch, as TEI's --max-batch-tokens");
  sub->add_option("--max-batch-requests", options->max_batch_requests, "Texts per model batch (0: no bound but tokens)");
  sub->add_option("--max-padding", options->max_padding,
                  "A batch runs as groups of similar lengths padded to at most (1 + this) x their tokens");
  sub->add_option("--max-concurrent", options->max_concurrent,
                  "Texts and searches in flight; beyond, requests get 429 at once (TEI's --max-concurrent-requests)");
  sub->add_option("--max-client-batch-size", options->max_client_batch_size, "Texts per request; beyond: 413");
  sub->add_option("--payload-limit", options->payload_limit, "Request body bytes; beyond: 413");
  sub->add_option("--max-input-length", options->max_input_length,
                  "Tokens per text (0: the tokenizer's model_max_length); longer texts need \"truncate\": true");
  sub->add_option("--max-hits", options->max_hits, "The largest `hits` a search may ask for");
  sub->add_flag("--auto-truncate", options->auto_truncate, "Truncate texts when a request does not say (TEI's flag)");
  sub->add_option("--served-model-name", options->served_model_name, "/info's model_id (default: the model directory's name)");
  sub->add_flag("--no-fused-head", *no_fused_head, "Run the SPLADE head in ONNX Runtime as written");
  sub->add_flag("--no-mmap", [options](std::int64_t) { options->map_model_file = false; }, kNoMmapHelp);
  table.add(sub, [options, indexes, no_fused_head]() {
    for (const std::string& spec : *indexes) {
      const auto eq = spec.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw Error(ErrorCode::kInvalidArgument, fmt::format("--index {}: expected NAME=DIR", spec));
      options->indexes.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
    }
    options->fused_head = !*no_fused_head;
    Server server(*options);
    std::string served;
    for (const auto& [name, dir] : options->indexes) served += fmt::format(", index {} ({})", name, dir);
    // One line, flushed: scripts and tests read the port from it.
    std::cerr << fmt::format("splade serve: listening on http://{}:{} (model {}{})", options->host, server.port(),
                             options->model_dir, served)
              << std::endl;
    server.run();
    std::cerr << "splade serve: stopped" << std::endl;
    return kExitOk;
  });
}

}  // namespace splade::cli
