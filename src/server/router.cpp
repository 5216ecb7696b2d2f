#include "server/router.h"

#include <fmt/format.h>

#include "server/api_error.h"

namespace splade::server {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const std::size_t end = std::min(path.find('/', i), path.size());
    out.emplace_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

}  // namespace

HttpResponse failure_response(Metrics& metrics, const ApiError& error) {
  const char* err = error.status() == 413                        ? "batch_size"
                    : error.type() == ErrorType::kOverloaded     ? "overloaded"
                    : error.type() == ErrorType::kTokenizer      ? "tokenizer"
                    : error.type() == ErrorType::kBackend        ? "backend"
                    : error.type() == ErrorType::kNotFound       ? "not_found"
                    : error.type() == ErrorType::kUnhealthy      ? "unhealthy"
                                                                 : "validation";
  metrics.add("te_request_failure", fmt::format("err=\"{}\"", err));
  return error_response(error);
}

void Router::add(std::string method, std::string pattern, RouteHandler handler) {
  Route r;
  r.method = std::move(method);
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

bool Router::match(const Route& route, const std::vector<std::string>& path, PathParams& params) {
  if (route.segments.size() != path.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& s = route.segments[i];
    if (s.size() > 2 && s.front() == '{' && s.back() == '}') {
      if (path[i].empty()) return false;
      params[s.substr(1, s.size() - 2)] = path[i];
    } else if (s != path[i]) {
      return false;
    }
  }
  return true;
}

Reply Router::counted(const std::string& route, Reply reply) const {
  return [this, route, reply = std::move(reply)](HttpResponse response) {
    metrics_.add("splade_http_requests_total", fmt::format("route=\"{}\",code=\"{}\"", route, response.status));
    reply(std::move(response));
  };
}

void Router::dispatch(HttpRequest& request, Reply reply) const {
  const auto path = request.segments.empty() ? split_path(request.path) : request.segments;
  PathParams params;
  bool path_known = false;
  for (const Route& route : routes_) {
    if (!match(route, path, params)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    Reply answer = counted(route.pattern, std::move(reply));
    try {
      route.handler(request, params, answer);
    } catch (const ApiError& e) {
      answer(failure_response(metrics_, e));
    } catch (const std::exception& e) {
      answer(error_response(ErrorType::kBackend, e.what()));
    }
    return;
  }
  Reply answer = counted(path_known ? "method_not_allowed" : "not_found", std::move(reply));
  if (path_known) {
    answer(error_response(ErrorType::kBadRequest, fmt::format("{} is not allowed on {}", request.method, request.path), 405));
  } else {
    answer(error_response(ErrorType::kNotFound, fmt::format("no route {} {}", request.method, request.path)));
  }
}

}  // namespace splade::server
