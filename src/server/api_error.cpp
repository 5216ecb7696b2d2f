#include "server/api_error.h"

#include <nlohmann/json.hpp>

namespace splade::server {

const char* to_string(ErrorType type) {
  switch (type) {
    case ErrorType::kUnhealthy: return "Unhealthy";
    case ErrorType::kBackend: return "Backend";
    case ErrorType::kOverloaded: return "Overloaded";
    case ErrorType::kValidation: return "Validation";
    case ErrorType::kTokenizer: return "Tokenizer";
    case ErrorType::kEmpty: return "Empty";
    case ErrorType::kNotFound: return "NotFound";
    case ErrorType::kBadRequest: return "BadRequest";
  }
  return "Backend";
}

int default_status(ErrorType type) {
  switch (type) {
    case ErrorType::kUnhealthy: return 503;
    case ErrorType::kBackend: return 424;
    case ErrorType::kOverloaded: return 429;
    case ErrorType::kValidation: return 422;
    case ErrorType::kTokenizer: return 422;
    case ErrorType::kEmpty: return 400;
    case ErrorType::kNotFound: return 404;
    case ErrorType::kBadRequest: return 400;
  }
  return 500;
}

HttpResponse error_response(ErrorType type, const std::string& message, int status) {
  HttpResponse response;
  response.status = status ? status : default_status(type);
  // `replace`: a message quoting the client's bytes must not make the body invalid JSON.
  response.body = nlohmann::json{{"error", message}, {"error_type", to_string(type)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse error_response(const ApiError& error) { return error_response(error.type(), error.what(), error.status()); }

}  // namespace splade::server
