#include "server/http_message.h"

#include <algorithm>

namespace splade::server {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;  // "%" or "%x" at the end
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool parse_target(std::string_view target, HttpRequest& request) {
  const std::size_t question = target.find('?');
  const std::string_view raw_path = target.substr(0, question);
  if (!percent_decode(raw_path, false, request.path)) return false;
  request.segments.clear();
  for (std::size_t i = 0; i < raw_path.size();) {
    const std::size_t end = std::min(raw_path.find('/', i), raw_path.size());
    if (end > i) {
      std::string segment;
      if (!percent_decode(raw_path.substr(i, end - i), false, segment)) return false;
      request.segments.push_back(std::move(segment));
    }
    i = end + 1;
  }
  request.query.clear();
  if (question == std::string_view::npos) return true;
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string name, value;
    if (!percent_decode(pair.substr(0, eq), true, name)) return false;
    if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), true, value)) return false;
    request.query[std::move(name)] = std::move(value);
  }
  return true;
}

}  // namespace splade::server
