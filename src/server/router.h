// Routes of `splade serve`: (method, path pattern) -> handler, with {name} segments bound
// to path parameters ("/v1/{index}/search"). Unknown paths get 404, a known path with another
// method 405, both as JSON errors; an ApiError (or any exception) a handler throws becomes its
// error response. Every answer is counted in splade_http_requests_total{route, code}.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "server/http_message.h"
#include "server/metrics.h"

namespace splade::server {

class ApiError;

// The error's response, counted in te_request_failure{err} with TEI's labels (validation,
// batch_size, overloaded, tokenizer, backend, ...).
HttpResponse failure_response(Metrics& metrics, const ApiError& error);

using PathParams = std::map<std::string, std::string>;
using RouteHandler = std::function<void(HttpRequest&, const PathParams&, Reply)>;

class Router {
 public:
  explicit Router(Metrics& metrics) : metrics_(metrics) {}
  void add(std::string method, std::string pattern, RouteHandler handler);
  // Calls the matching handler on this thread; `reply` is called exactly once. A handler throws
  // only before it hands `reply` on (to a worker or the batcher).
  void dispatch(HttpRequest& request, Reply reply) const;

 private:
  struct Route {
    std::string method, pattern;
    std::vector<std::string> segments;  // "{name}" binds a parameter
    RouteHandler handler;
  };
  static bool match(const Route& route, const std::vector<std::string>& path, PathParams& params);
  Reply counted(const std::string& route, Reply reply) const;

  Metrics& metrics_;
  std::vector<Route> routes_;
};

}  // namespace splade::server
