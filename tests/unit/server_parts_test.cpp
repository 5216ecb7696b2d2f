// The parts of `splade serve` that need no model: URL decoding, JSON request reading, the
// permit bound, the router and the Prometheus text. The whole server is tested over HTTP in
// tests/oracle/test_server.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "server/api_error.h"
#include "server/http_message.h"
#include "server/length_groups.h"
#include "server/metrics.h"
#include "server/permits.h"
#include "server/request_json.h"
#include "server/router.h"
#include "splade/error.h"

namespace splade::server {
namespace {

// Independent encoder for the round trip: every byte not unreserved is escaped.
std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

TEST(ServerHttp, PercentDecodingInvertsEncodingOfAnyBytes) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    std::string raw(rng() % 40, '\0');
    for (char& c : raw) c = static_cast<char>(rng() % 256);
    std::string decoded;
    ASSERT_TRUE(percent_decode(percent_encode(raw), true, decoded));
    EXPECT_EQ(decoded, raw);
  }
  std::string out;
  EXPECT_FALSE(percent_decode("%", false, out));
  EXPECT_FALSE(percent_decode("ab%4", false, out));
  EXPECT_FALSE(percent_decode("%zz", false, out));
  ASSERT_TRUE(percent_decode("a+b", true, out));
  EXPECT_EQ(out, "a b");
  ASSERT_TRUE(percent_decode("a+b", false, out));
  EXPECT_EQ(out, "a+b");  // '+' is a space only in query strings
}

TEST(ServerHttp, TargetSplitsPathAndParameters) {
  HttpRequest r;
  ASSERT_TRUE(parse_target("/v1/my%20index/search?query=what+is%3F&hits=5&&flag&hits=7", r));
  EXPECT_EQ(r.path, "/v1/my index/search");
  EXPECT_EQ(r.query.at("query"), "what is?");
  EXPECT_EQ(r.query.at("hits"), "7");  // the last of a repeated name
  EXPECT_EQ(r.query.at("flag"), "");
  EXPECT_EQ(r.segments, (std::vector<std::string>{"v1", "my index", "search"}));
  ASSERT_TRUE(parse_target("/v1/idx/doc/a%2Fb", r));  // an escaped '/' stays inside its segment
  EXPECT_EQ(r.segments, (std::vector<std::string>{"v1", "idx", "doc", "a/b"}));
  EXPECT_FALSE(parse_target("/x?query=%G1", r));
}

TEST(ServerRequests, InputsTakeTeisShapes) {
  using nlohmann::json;
  const auto one = read_inputs(json::parse(R"({"inputs": "a text"})"), 32, 100);
  ASSERT_EQ(one.items.size(), 1u);
  EXPECT_FALSE(one.batch);
  EXPECT_EQ(one.items[0].text, "a text");
  const auto ids = read_inputs(json::parse(R"({"inputs": [1, 2, 99]})"), 32, 100);
  ASSERT_EQ(ids.items.size(), 1u);
  EXPECT_TRUE(ids.items[0].is_ids);
  EXPECT_EQ(ids.items[0].ids, (std::vector<std::int64_t>{1, 2, 99}));
  const auto batch = read_inputs(json::parse(R"({"inputs": ["x", [3], "y"]})"), 32, 100);
  ASSERT_EQ(batch.items.size(), 3u);
  EXPECT_TRUE(batch.batch);
  EXPECT_TRUE(batch.items[1].is_ids);

  const auto status_of = [](const char* body, std::size_t max_batch) {
    try {
      read_inputs(json::parse(body), max_batch, 100);
    } catch (const ApiError& e) {
      return std::make_pair(e.status(), std::string(to_string(e.type())));
    }
    return std::make_pair(200, std::string());
  };
  EXPECT_EQ(status_of(R"({"inputs": []})", 32), std::make_pair(400, std::string("Empty")));
  EXPECT_EQ(status_of(R"({"inputs": ""})", 32), std::make_pair(400, std::string("Empty")));
  EXPECT_EQ(status_of(R"({"inputs": ["a", "b", "c"]})", 2), std::make_pair(413, std::string("Validation")));
  EXPECT_EQ(status_of(R"({"inputs": [100]})", 32), std::make_pair(422, std::string("Validation")));
  EXPECT_EQ(status_of(R"({"inputs": [-1]})", 32), std::make_pair(422, std::string("Validation")));
  EXPECT_EQ(status_of(R"({"inputs": {"a": 1}})", 32), std::make_pair(422, std::string("Validation")));
  EXPECT_EQ(status_of(R"({"input": "x"})", 32), std::make_pair(422, std::string("Validation")));
}

TEST(ServerRequests, BodiesThatAreNotJsonObjectsAreRefused) {
  HttpRequest r;
  r.body = "{\"inputs\": \"caf\xC3\"}";  // a truncated UTF-8 sequence inside a string
  EXPECT_THROW(parse_json_object(r), ApiError);
  r.body = "[1, 2]";
  try {
    parse_json_object(r);
    FAIL() << "a list is not an object";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 422);
  }
  r.body = R"({"inputs": "ok"})";
  EXPECT_EQ(parse_json_object(r)["inputs"], "ok");
}

TEST(ServerRequests, Utf8CheckFollowsTheStandard) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE6\x9D\xB1 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(ServerPermits, NeverMoreThanTheLimitUnderContention) {
  Permits permits(10);
  std::atomic<std::size_t> peak{0};
  std::atomic<std::size_t> granted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 20000; ++i) {
        const std::size_t n = 1 + rng() % 4;
        if (!permits.try_acquire(n)) {
          ++refused;
          continue;
        }
        ++granted;
        std::size_t seen = permits.in_use(), old = peak.load();
        while (seen > old && !peak.compare_exchange_weak(old, seen)) {
        }
        permits.release(n);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 10u);
  EXPECT_EQ(permits.in_use(), 0u);
  EXPECT_EQ(granted + refused, 8u * 20000u);
  EXPECT_FALSE(permits.try_acquire(11));  // more than the limit is never granted
}

TEST(ServerRouter, MatchesPatternsAndAnswersUnknownRoutesWithJson) {
  Metrics metrics;
  Router router(metrics);
  std::string seen;
  router.add("GET", "/v1/{index}/search", [&](HttpRequest&, const PathParams& p, Reply reply) {
    seen = p.at("index");
    reply(HttpResponse{});
  });
  router.add("POST", "/fail", [](HttpRequest&, const PathParams&, Reply) {
    throw ApiError(ErrorType::kValidation, "bad field");
  });
  const auto call = [&](const char* method, const char* path) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    HttpResponse got;
    int calls = 0;
    router.dispatch(r, [&](HttpResponse response) {
      got = std::move(response);
      ++calls;
    });
    EXPECT_EQ(calls, 1);
    return got;
  };
  EXPECT_EQ(call("GET", "/v1/msmarco/search").status, 200);
  EXPECT_EQ(seen, "msmarco");
  EXPECT_EQ(call("GET", "/v1//search").status, 404);
  EXPECT_EQ(call("POST", "/v1/msmarco/search").status, 405);
  const HttpResponse missing = call("GET", "/elsewhere");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["error_type"], "NotFound");
  const HttpResponse failed = call("POST", "/fail");
  EXPECT_EQ(failed.status, 422);
  EXPECT_EQ(nlohmann::json::parse(failed.body),
            nlohmann::json({{"error", "bad field"}, {"error_type", "Validation"}}));
  const std::string text = metrics.render();
  EXPECT_NE(text.find("splade_http_requests_total{route=\"/fail\",code=\"422\"} 1"), std::string::npos);
  EXPECT_NE(text.find("te_request_failure{err=\"validation\"} 1"), std::string::npos);
}

TEST(ServerMetrics, HistogramsAreCumulativeAndCountEveryObservation) {
  Metrics metrics;
  std::mt19937 rng(3);
  std::vector<double> values;
  for (int i = 0; i < 1000; ++i) values.push_back(std::ldexp(1.0, static_cast<int>(rng() % 16)) * (0.5 + (rng() % 100) / 100.0));
  for (double v : values) metrics.observe("te_batch_next_size", v);
  const std::string text = metrics.render();
  const std::regex bucket(R"re(te_batch_next_size_bucket\{le="([^"]+)"\} (\d+))re");
  std::uint64_t previous = 0;
  int buckets = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), bucket); it != std::sregex_iterator(); ++it) {
    const std::string le = (*it)[1];
    const std::uint64_t count = std::stoull((*it)[2]);
    EXPECT_GE(count, previous);
    const double bound = le == "+Inf" ? INFINITY : std::stod(le);
    const auto expected = std::count_if(values.begin(), values.end(), [&](double v) { return v <= bound; });
    EXPECT_EQ(count, static_cast<std::uint64_t>(expected)) << "le=" << le;
    previous = count;
    ++buckets;
  }
  EXPECT_EQ(buckets, 14);  // 2^0 .. 2^12 and +Inf, TEI's batch size buckets
  EXPECT_NE(text.find("te_batch_next_size_count 1000\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE te_batch_next_size histogram\n"), std::string::npos);
  EXPECT_THROW(metrics.add("no_such_metric"), splade::Error);
}

}  // namespace
}  // namespace splade::server

namespace splade::server {
namespace {

TEST(ServerBatching, LengthGroupsCoverEveryTextOnceWithinThePaddingBound) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<std::size_t> lengths(1 + rng() % 64);
    for (auto& l : lengths) l = 1 + rng() % 512;
    const double max_padding = (rng() % 5) * 0.25;
    const auto groups = length_groups(lengths, max_padding);
    std::vector<int> seen(lengths.size(), 0);
    std::size_t previous_longest = 0;
    for (const auto& g : groups) {
      ASSERT_FALSE(g.empty());
      std::size_t real = 0, longest = 0;
      for (std::size_t k = 0; k < g.size(); ++k) {
        ++seen[g[k]];
        real += lengths[g[k]];
        longest = std::max(longest, lengths[g[k]]);
        if (k) EXPECT_LE(lengths[g[k - 1]], lengths[g[k]]);
      }
      EXPECT_GE(lengths[g.front()], previous_longest);  // groups in ascending length
      previous_longest = longest;
      if (g.size() > 1) EXPECT_LE(static_cast<double>(longest * g.size()), (1 + max_padding) * static_cast<double>(real) + 1e-9);
    }
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
  }
  // Equal lengths never split, whatever the bound.
  EXPECT_EQ(length_groups(std::vector<std::size_t>(40, 12), 0.0).size(), 1u);
}

}  // namespace
}  // namespace splade::server
