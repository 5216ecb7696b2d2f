#include "collections/source_text.h"

#include <cstdint>
#include <cctype>
#include <cstdlib>

namespace splade::collections {
namespace {
bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}
}  // namespace

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (is_ws(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string html_to_text(std::string_view html) {
  std::string text;
  text.reserve(html.size());
  for (size_t i = 0; i < html.size();) {
    const char c = html[i];
    // As HTML parsers do, '<' opens a tag only before a letter, '/', '!' or '?': CACM's
    // "1 <= m <= n" is text.
    const char next = i + 1 < html.size() ? html[i + 1] : '\0';
    const bool opens_tag = std::isalpha(static_cast<unsigned char>(next)) || next == '/' || next == '!' || next == '?';
    if (c == '<' && opens_tag) {
      const size_t close = html.find('>', i);
      if (close == std::string_view::npos) break;  // an unterminated tag ends the text
      text += ' ';
      i = close + 1;
    } else if (c == '&') {
      const size_t semi = html.find(';', i);
      const std::string_view name = semi == std::string_view::npos || semi - i > 10 ? std::string_view{}
                                                                                   : html.substr(i + 1, semi - i - 1);
      std::string decoded;
      if (name == "amp") decoded = "&";
      else if (name == "lt") decoded = "<";
      else if (name == "gt") decoded = ">";
      else if (name == "quot") decoded = "\"";
      else if (name == "apos") decoded = "'";
      else if (name == "nbsp") decoded = " ";
      else if (name.size() > 1 && name[0] == '#') {
        const bool hex = name[1] == 'x' || name[1] == 'X';
        const std::string digits(name.substr(hex ? 2 : 1));
        char* end = nullptr;
        const unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
        if (!digits.empty() && *end == '\0') append_utf8(decoded, static_cast<std::uint32_t>(cp));
      }
      if (decoded.empty()) {  // not an entity we know: keep the '&' as text
        text += c;
        ++i;
      } else {
        text += decoded;
        i = semi + 1;
      }
    } else {
      text += c;
      ++i;
    }
  }
  return collapse_whitespace(text);
}

}  // namespace splade::collections
