#include "server/request_json.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include "server/api_error.h"

namespace splade::server {

using nlohmann::json;

namespace {

const char* type_name(const json& j) { return j.type_name(); }

std::vector<std::int64_t> read_ids(const json& array, std::size_t vocab_size, std::size_t index) {
  std::vector<std::int64_t> ids;
  ids.reserve(array.size());
  for (const json& v : array) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || static_cast<std::size_t>(v.get<std::int64_t>()) >= vocab_size)
      throw ApiError(ErrorType::kValidation,
                     fmt::format("`inputs`[{}]: token ids must be integers in [0, {}), got {}", index, vocab_size, v.dump()));
    ids.push_back(v.get<std::int64_t>());
  }
  return ids;
}

TextInput read_one(const json& v, std::size_t vocab_size, std::size_t index) {
  TextInput in;
  if (v.is_string()) {
    in.text = v.get<std::string>();
  } else if (v.is_array()) {
    in.ids = read_ids(v, vocab_size, index);
    in.is_ids = true;
  } else {
    throw ApiError(ErrorType::kValidation,
                   fmt::format("`inputs`[{}]: expected a string or a list of token ids, got {}", index, type_name(v)));
  }
  return in;
}

}  // namespace

json parse_json_object(const HttpRequest& request) {
  json body;
  try {
    body = json::parse(request.body);
  } catch (const json::parse_error& e) {
    throw ApiError(ErrorType::kBadRequest, fmt::format("request body is not valid JSON: {}", e.what()));
  }
  if (!body.is_object())
    throw ApiError(ErrorType::kValidation, fmt::format("request body: expected a JSON object, got {}", type_name(body)));
  return body;
}

Inputs read_inputs(const json& body, std::size_t max_client_batch_size, std::size_t vocab_size) {
  const auto it = body.find("inputs");
  if (it == body.end() || it->is_null()) throw ApiError(ErrorType::kValidation, "missing field `inputs`");
  const json& v = *it;
  Inputs inputs;
  if (v.is_string()) {
    inputs.items.push_back(read_one(v, vocab_size, 0));
  } else if (v.is_array()) {
    // [id, ...] is one input of ids (TEI tries Input::Single first); otherwise a batch.
    const bool single_ids = !v.empty() && v.front().is_number();
    if (single_ids) {
      inputs.items.push_back(read_one(v, vocab_size, 0));
    } else {
      inputs.batch = true;
      if (v.empty()) throw ApiError(ErrorType::kEmpty, "`inputs` cannot be empty");
      if (v.size() > max_client_batch_size)
        throw ApiError(ErrorType::kValidation,
                       fmt::format("batch size {} > maximum allowed batch size {}", v.size(), max_client_batch_size), 413);
      for (std::size_t i = 0; i < v.size(); ++i) inputs.items.push_back(read_one(v[i], vocab_size, i));
    }
  } else {
    throw ApiError(ErrorType::kValidation,
                   fmt::format("`inputs`: expected a string or a list of strings, got {}", type_name(v)));
  }
  for (const TextInput& in : inputs.items)
    if (in.is_ids ? in.ids.empty() : in.text.empty()) throw ApiError(ErrorType::kEmpty, "`inputs` cannot be empty");
  return inputs;
}

namespace {

// An optional field of type T: absent or null gives nullopt; a value `is_type` refuses is 422.
template <typename T>
std::optional<T> optional_field(const json& body, const char* field, bool (json::*is_type)() const noexcept,
                                const char* expected) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!((*it).*is_type)())
    throw ApiError(ErrorType::kValidation, fmt::format("`{}`: expected {}, got {}", field, expected, type_name(*it)));
  return it->get<T>();
}

}  // namespace

std::optional<bool> optional_bool(const json& body, const char* field) {
  return optional_field<bool>(body, field, &json::is_boolean, "a boolean");
}

std::optional<std::string> optional_string(const json& body, const char* field) {
  return optional_field<std::string>(body, field, &json::is_string, "a string");
}

std::optional<std::int64_t> optional_integer(const json& body, const char* field) {
  return optional_field<std::int64_t>(body, field, &json::is_number_integer, "an integer");
}

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t code_point = 0;
    const utf8proc_ssize_t n = utf8proc_iterate(p, left, &code_point);
    if (n <= 0) return false;  // ill-formed, overlong, a surrogate or beyond U+10FFFF
    p += n;
    left -= n;
  }
  return true;
}

}  // namespace splade::server
