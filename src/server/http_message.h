// What the routes of `splade serve` see of HTTP, whatever library carries it: a parsed
// request in, a response out through a callback (routes answer asynchronously: an encode
// request is answered when its model batch has run).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace splade::server {

struct HttpRequest {
  std::string method;                         // "GET", "POST", ...
  std::string path;                           // percent-decoded, without the query string
  // The path's non-empty segments, each decoded after splitting, so "%2F" stays inside a
  // segment (a docid "a/b" is /v1/idx/doc/a%2Fb). Empty: the router splits `path`.
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;   // percent-decoded query parameters (the last of a repeated name)
  std::string content_type;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Called exactly once per request, from any thread.
using Reply = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&, Reply)>;

// Percent-decoding of a URL component ('+' is a space in query strings). Returns false on a
// malformed escape.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);

// Splits "path?a=1&b=2" into the decoded path and parameters; false when malformed.
bool parse_target(std::string_view target, HttpRequest& request);

}  // namespace splade::server
