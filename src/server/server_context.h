// What the routes of `splade serve` share: the options, the model and its batcher, the
// indexes, the bound on work in flight, the metrics, and the worker threads that tokenize,
// search and write JSON (so the HTTP threads only read and write sockets).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/dynamic_batcher.h"
#include "server/metrics.h"
#include "server/permits.h"
#include "splade/encoder.h"
#include "splade/index.h"
#include "splade/searcher.h"
#include "splade/server.h"

namespace splade::server {

// Searchers own scratch buffers, so each is used by one thread at a time: a free list.
class SearcherPool {
 public:
  explicit SearcherPool(const Index& index) : index_(index) {}
  std::vector<Hit> search(const QueryVector& query, const SearchOptions& options);

 private:
  const Index& index_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Searcher>> free_;
};

struct ServedIndex {
  std::string name;
  std::unique_ptr<Index> index;
  std::unique_ptr<SearcherPool> searchers;
};

struct ServerContext {
  ServerOptions options;
  std::string model_id;         // /info's model_id
  int max_input_length = 512;   // tokens per text
  std::unique_ptr<Encoder> encoder;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<Permits> permits;
  std::unique_ptr<DynamicBatcher> batcher;
  std::map<std::string, ServedIndex, std::less<>> indexes;
  std::function<void(std::function<void()>)> post_to_worker;  // runs a task on a worker thread
  std::atomic<bool> stopping{false};                             // SIGTERM seen: /health answers 503
};

// Releases permits when the last copy goes (a request's permits stay taken until it is answered).
struct PermitLease {
  PermitLease(Permits& p, std::size_t n, Metrics& m) : permits(p), count(n), metrics(m) {}
  ~PermitLease() {
    permits.release(count);
    metrics.set("splade_in_flight", static_cast<double>(permits.in_use()));
  }
  Permits& permits;
  std::size_t count;
  Metrics& metrics;
};

// Takes n permits or throws ApiError (Overloaded, 429: "Model is overloaded", TEI's words).
std::shared_ptr<PermitLease> acquire_permits(ServerContext& context, std::size_t n);

}  // namespace splade::server
