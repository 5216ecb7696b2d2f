#include "splade/server.h"

#include <boost/asio.hpp>
#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "server/http_transport.h"
#include "server/router.h"
#include "server/search_routes.h"
#include "server/server_context.h"
#include "server/tei_routes.h"
#include "splade/error.h"

namespace splade {

namespace asio = boost::asio;
using server::ServerContext;

namespace {

int hardware_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

void check_options(const ServerOptions& o) {
  const auto bad = [](const std::string& what) { throw Error(ErrorCode::kInvalidArgument, what); };
  if (o.model_dir.empty()) bad("--model: a model directory is required");
  if (o.max_concurrent == 0) bad("--max-concurrent: expected at least 1");
  if (o.max_client_batch_size == 0) bad("--max-client-batch-size: expected at least 1");
  if (o.max_batch_tokens == 0) bad("--max-batch-tokens: expected at least 1");
  if (o.payload_limit == 0) bad("--payload-limit: expected at least 1 byte");
  if (o.max_hits == 0) bad("--max-hits: expected at least 1");
  if (!(o.max_padding >= 0)) bad("--max-padding: expected 0 or more");
  if (o.threads < 0 || o.workers < 0) bad("--threads / --workers: expected 0 (one per core) or more");
}

}  // namespace

struct Server::Impl {
  explicit Impl(const ServerOptions& options) : io(1), signals(io, SIGTERM, SIGINT) {
    check_options(options);
    context.options = options;
    if (context.options.workers == 0) context.options.workers = hardware_threads();
    context.metrics = std::make_unique<server::Metrics>();
    context.permits = std::make_unique<server::Permits>(options.max_concurrent);
    EncoderOptions eo;
    eo.threads = options.threads;
    eo.fused_head = options.fused_head;
    eo.map_model_file = options.map_model_file;
    context.encoder = std::make_unique<Encoder>(Encoder::open(options.model_dir, eo));
    const int model_max = context.encoder->tokenizer().model_max_length();
    context.max_input_length = options.max_input_length > 0 ? std::min(options.max_input_length, model_max) : model_max;
    if (options.max_batch_tokens < static_cast<std::size_t>(context.max_input_length))
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("--max-batch-tokens {} must be at least the max input length {} (as TEI requires)",
                              options.max_batch_tokens, context.max_input_length));
    context.model_id = options.served_model_name.empty()
                           ? std::filesystem::path(options.model_dir).lexically_normal().filename().string()
                           : options.served_model_name;
    if (context.model_id.empty()) context.model_id = std::filesystem::path(options.model_dir).parent_path().filename().string();
    for (const auto& [name, dir] : options.indexes) {
      if (name.empty() || name.find('/') != std::string::npos)
        throw Error(ErrorCode::kInvalidArgument, fmt::format("--index {}={}: the name must be non-empty, without '/'", name, dir));
      if (context.indexes.count(name))
        throw Error(ErrorCode::kInvalidArgument, fmt::format("--index {}: the name is given twice", name));
      server::ServedIndex served;
      served.name = name;
      served.index = std::make_unique<Index>(Index::open(dir));
      served.searchers = std::make_unique<server::SearcherPool>(*served.index);
      context.indexes.emplace(name, std::move(served));
    }
    workers = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(context.options.workers));
    context.post_to_worker = [this](std::function<void()> task) { asio::post(*workers, std::move(task)); };
    context.batcher = std::make_unique<server::DynamicBatcher>(*context.encoder, options.max_batch_tokens,
                                                                options.max_batch_requests, options.max_padding,
                                                                *context.metrics);
    router = std::make_unique<server::Router>(*context.metrics);
    server::add_tei_routes(*router, context);
    server::add_search_routes(*router, context);
    transport = std::make_unique<server::HttpTransport>(io, options.host, options.port, options.payload_limit, *router);
  }

  void stop_on_io() {
    if (stopped) return;
    stopped = true;
    context.stopping = true;
    boost::system::error_code ec;
    signals.cancel(ec);
    transport->stop();
  }

  ServerContext context;
  asio::io_context io;
  asio::signal_set signals;
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<server::Router> router;
  std::unique_ptr<server::HttpTransport> transport;
  bool stopped = false;  // touched on the io thread only
};

Server::Server(const ServerOptions& options) : impl_(std::make_unique<Impl>(options)) {}

Server::~Server() {
  if (!impl_) return;
  // Whatever run() left: the batcher drains, workers finish, then the context goes.
  impl_->context.batcher->stop();
  impl_->workers->join();
}

int Server::port() const { return impl_->transport->port(); }

void Server::run() {
  Impl& s = *impl_;
  s.signals.async_wait([&s](const boost::system::error_code& ec, int) {
    if (!ec) s.stop_on_io();
  });
  s.transport->start();
  s.io.run();  // returns once stopped and every accepted request is answered
  s.context.batcher->stop();
  s.workers->join();
}

void Server::stop() {
  asio::post(impl_->io, [this] { impl_->stop_on_io(); });
}

}  // namespace splade
