#include "server/server_context.h"

#include "server/api_error.h"

namespace splade::server {

std::vector<Hit> SearcherPool::search(const QueryVector& query, const SearchOptions& options) {
  std::unique_ptr<Searcher> searcher;
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      searcher = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!searcher) searcher = std::make_unique<Searcher>(index_);
  // Back on the free list whether the search returns or throws.
  struct Return {
    SearcherPool& pool;
    std::unique_ptr<Searcher>& searcher;
    ~Return() {
      std::lock_guard lock(pool.mutex_);
      pool.free_.push_back(std::move(searcher));
    }
  } back{*this, searcher};
  return searcher->search(query, options);
}

std::shared_ptr<PermitLease> acquire_permits(ServerContext& context, std::size_t n) {
  if (!context.permits->try_acquire(n)) {
    throw ApiError(ErrorType::kOverloaded, "Model is overloaded");
  }
  context.metrics->set("splade_in_flight", static_cast<double>(context.permits->in_use()));
  return std::make_shared<PermitLease>(*context.permits, n, *context.metrics);
}

}  // namespace splade::server
