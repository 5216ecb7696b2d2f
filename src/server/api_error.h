// Errors of `splade serve` as TEI answers them: a status code and a JSON body
// {"error": message, "error_type": type}, the type spelled as TEI's ErrorType serializes
// ("Validation", "Overloaded", ...). TEI's mapping (router/src/http/server.rs): Unhealthy 503,
// Backend 424, Overloaded 429, Tokenizer 422, Validation 422, Empty 400; batch size and body
// limits are 413 (TEI's OpenAPI "Batch size error"). NotFound (404) and BadRequest (400) are
// ours: a route, index or document that does not exist; a request that is not JSON or HTTP.
#pragma once

#include <stdexcept>
#include <string>

#include "server/http_message.h"

namespace splade::server {

enum class ErrorType { kUnhealthy, kBackend, kOverloaded, kValidation, kTokenizer, kEmpty, kNotFound, kBadRequest };

const char* to_string(ErrorType type);   // TEI's spelling
int default_status(ErrorType type);

// Thrown by route code, answered by the router with error_response().
class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorType type, const std::string& message, int status = 0)
      : std::runtime_error(message), type_(type), status_(status ? status : default_status(type)) {}
  ErrorType type() const { return type_; }
  int status() const { return status_; }

 private:
  ErrorType type_;
  int status_;
};

HttpResponse error_response(ErrorType type, const std::string& message, int status = 0);
HttpResponse error_response(const ApiError& error);

}  // namespace splade::server
