// A SAX parse of one JsonVectorCollection line (nlohmann-json): no DOM, so a 200-term
// vector costs 200 small strings and nothing else.
#include "index/json_vector.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>

namespace splade {

namespace {

// Java's (int) cast of a double: truncation toward zero, saturating, NaN -> 0.
std::int64_t java_int_of(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 2147483647.0) return 2147483647;
  if (v <= -2147483648.0) return -2147483648LL;
  return static_cast<std::int64_t>(v);
}

class Handler : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit Handler(ParsedVector& out) : out_(out) {}
  std::string error;
  bool saw_id = false, saw_vector = false;

  bool null() override { return value(0, false); }
  bool boolean(bool v) override { return value(v ? 1 : 0, false); }
  bool number_integer(number_integer_t v) override {
    if (depth_ == 1 && key_ == Key::kId) return set_id(std::to_string(v));
    return value(v, true);
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (depth_ == 1 && key_ == Key::kId) return set_id(std::to_string(v));
    return value(v > 0x7FFFFFFFFFFFFFFFull ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(v), true);
  }
  bool number_float(number_float_t v, const string_t&) override {
    if (depth_ == 1 && key_ == Key::kId) return fail("\"id\" must be a string or an integer");
    return value(java_int_of(v), true);
  }
  bool string(string_t& v) override {
    if (depth_ == 1 && key_ == Key::kId) return set_id(v);
    if (depth_ == 1 && key_ == Key::kContents) {
      out_.contents = std::move(v);
      return true;
    }
    if (in_vector()) {
      // Jackson's TextNode.asInt(): a number in text, else 0.
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      return value(end != v.c_str() ? java_int_of(d) : 0, false);
    }
    return true;
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      ++depth_;
      return true;
    }
    if (depth_ == 1 && key_ == Key::kVector) {
      if (saw_vector) return fail("\"vector\" given twice");
      saw_vector = true;
      vector_depth_ = depth_ + 1;
    }
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    if (vector_depth_ && depth_ < vector_depth_) vector_depth_ = 0;
    key_ = Key::kOther;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return fail("a line must be a JSON object");
    if (in_vector()) return fail("\"vector\" values must be numbers");
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      key_ = k == "id" ? Key::kId : k == "vector" ? Key::kVector : k == "contents" ? Key::kContents : Key::kOther;
    } else if (in_vector()) {
      term_ = k;
    }
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    error = std::string("invalid JSON at byte ") + std::to_string(position) + ": " + ex.what();
    return false;
  }

 private:
  enum class Key { kOther, kId, kVector, kContents };
  bool in_vector() const { return vector_depth_ != 0 && depth_ == vector_depth_; }
  bool fail(std::string why) {
    error = std::move(why);
    return false;
  }
  bool set_id(std::string id) {
    if (saw_id) return fail("\"id\" given twice");
    saw_id = true;
    out_.id = std::move(id);
    return true;
  }
  bool value(std::int64_t v, bool) {
    if (depth_ == 0) return fail("a line must be a JSON object");
    if (in_vector()) out_.terms.emplace_back(std::move(term_), v);
    else if (depth_ == 1 && key_ == Key::kVector) return fail("\"vector\" must be an object");
    return true;
  }

  ParsedVector& out_;
  int depth_ = 0;
  int vector_depth_ = 0;
  Key key_ = Key::kOther;
  std::string term_;
};

}  // namespace

bool parse_json_vector_line(std::string_view line, ParsedVector& out, std::string& error) {
  out.id.clear();
  out.terms.clear();
  out.contents.clear();
  Handler handler(out);
  const bool ok = nlohmann::json::sax_parse(line.begin(), line.end(), &handler);
  if (!ok) {
    error = handler.error.empty() ? "invalid JSON" : handler.error;
    return false;
  }
  if (!handler.saw_id) {
    error = "no \"id\" field";
    return false;
  }
  if (!handler.saw_vector) {
    error = "no \"vector\" object";
    return false;
  }
  // A term given twice keeps its last weight, as Jackson's ObjectNode does.
  if (out.terms.size() > 1) {
    std::vector<std::uint32_t> idx(out.terms.size());
    std::iota(idx.begin(), idx.end(), 0u);
    std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) { return out.terms[a].first < out.terms[b].first; });
    bool dup = false;
    for (std::size_t i = 1; i < idx.size() && !dup; ++i) dup = out.terms[idx[i]].first == out.terms[idx[i - 1]].first;
    if (dup) {
      std::vector<bool> keep(out.terms.size(), true);
      for (std::size_t i = 1; i < idx.size(); ++i)
        if (out.terms[idx[i]].first == out.terms[idx[i - 1]].first) keep[idx[i - 1]] = false;
      std::size_t w = 0;
      for (std::size_t i = 0; i < out.terms.size(); ++i)
        if (keep[i]) out.terms[w++] = std::move(out.terms[i]);
      out.terms.resize(w);
    }
  }
  return true;
}

}  // namespace splade
