// Reading TEI-shaped JSON request bodies, with TEI's errors: a body that is not JSON (or not
// UTF-8) is 400; a field of the wrong type 422 (Validation); no inputs 400 (Empty); more
// inputs than --max-client-batch-size 413.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/http_message.h"

namespace splade::server {

// One input of TEI's `inputs`: a string, or token ids (TEI's InputType::Ids).
struct TextInput {
  std::string text;
  std::vector<std::int64_t> ids;
  bool is_ids = false;
};

struct Inputs {
  std::vector<TextInput> items;
  bool batch = false;  // given as a list (TEI's Input::Batch), answered as one list either way
};

// The body as a JSON object (400 / 422 otherwise).
nlohmann::json parse_json_object(const HttpRequest& request);

// `inputs`: str | [str] | [id, ...] | [[id, ...], ...]; ids must be below vocab_size.
Inputs read_inputs(const nlohmann::json& body, std::size_t max_client_batch_size, std::size_t vocab_size);

// An optional field: absent or null gives nullopt; another type than asked is 422.
std::optional<bool> optional_bool(const nlohmann::json& body, const char* field);
std::optional<std::string> optional_string(const nlohmann::json& body, const char* field);
std::optional<std::int64_t> optional_integer(const nlohmann::json& body, const char* field);

// Whether `s` is well-formed UTF-8 (query strings arrive as bytes; JSON bodies are checked by the parser).
bool is_valid_utf8(std::string_view s);

}  // namespace splade::server
