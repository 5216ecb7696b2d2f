#include "server/search_routes.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "server/api_error.h"
#include "server/request_json.h"
#include "server/text_encoding.h"
#include "splade/query_encoder.h"

namespace splade::server {

using nlohmann::json;

namespace {

struct SearchRequest {
  ServedIndex* index = nullptr;
  std::string qid;
  std::optional<std::string> text;  // encoded by the model
  QueryVector vector;               // or given
  std::size_t hits = 10;
};

ServedIndex& find_index(ServerContext& context, const PathParams& params) {
  const std::string& name = params.at("index");
  const auto it = context.indexes.find(name);
  if (it == context.indexes.end()) throw ApiError(ErrorType::kNotFound, fmt::format("no index named '{}'", name));
  return it->second;
}

std::size_t check_hits(const ServerContext& context, std::int64_t hits) {
  if (hits < 1 || static_cast<std::size_t>(hits) > context.options.max_hits)
    throw ApiError(ErrorType::kValidation, fmt::format("`hits`: expected an integer in [1, {}], got {}",
                                                       context.options.max_hits, hits));
  return static_cast<std::size_t>(hits);
}

std::size_t parse_hits(const ServerContext& context, const std::string& text) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw ApiError(ErrorType::kValidation, fmt::format("`hits`: expected an integer, got '{}'", text));
  return check_hits(context, v);
}

QueryVector read_vector(const json& v) {
  if (!v.is_object())
    throw ApiError(ErrorType::kValidation, fmt::format("`vector`: expected an object of token: weight, got {}", v.type_name()));
  QueryVector q;
  for (const auto& [token, weight] : v.items()) {
    if (!weight.is_number())
      throw ApiError(ErrorType::kValidation,
                     fmt::format("`vector`.{}: expected a number, got {}", json(token).dump(), weight.type_name()));
    // Jackson's asInt(): toward zero; weights <= 0 are ignored by the searcher.
    const double w = weight.get<double>();
    if (!std::isfinite(w) || std::abs(w) > 2147483647.0)
      throw ApiError(ErrorType::kValidation, fmt::format("`vector`.{}: weight out of range", json(token).dump()));
    q.emplace_back(token, static_cast<std::int64_t>(std::trunc(w)));
  }
  return q;
}

std::string candidates_json(const SearchRequest& request, const std::vector<Hit>& hits) {
  json candidates = json::array();
  for (std::size_t r = 0; r < hits.size(); ++r)
    candidates.push_back({{"docid", std::string(request.index->index->doc_id(hits[r].doc))},
                          {"score", hits[r].score},
                          {"rank", r + 1}});
  json query = {{"qid", request.qid}, {"text", request.text ? json(*request.text) : json(nullptr)}};
  json out = {{"api", "v1"}, {"index", request.index->name}, {"query", std::move(query)}, {"candidates", std::move(candidates)}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

// On a worker: search, answer.
void search_and_reply(ServerContext& context, const SearchRequest& request, const Reply& reply) {
  SearchOptions options;
  options.k = request.hits;
  // Exact, and the fastest exact algorithm that needs no memory beyond the mapped index
  // (BENCHMARKS.md: 1.7x MaxScore on the 198k-passage corpus).
  options.algorithm = SearchAlgorithm::kExhaustive;
  const auto start = std::chrono::steady_clock::now();
  std::vector<Hit> hits;
  try {
    hits = request.index->searchers->search(request.vector, options);
  } catch (const std::exception& e) {
    return reply(failure_response(*context.metrics, ApiError(ErrorType::kBackend, std::string("search failed: ") + e.what())));
  }
  context.metrics->observe("splade_search_duration",
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  HttpResponse response;
  response.body = candidates_json(request, hits);
  reply(std::move(response));
}

void run_search(ServerContext& context, SearchRequest request, Reply reply) {
  auto lease = acquire_permits(context, 1);
  context.post_to_worker([&context, request = std::move(request), lease, reply]() mutable {
    if (!request.text) return search_and_reply(context, request, reply);
    // The query's tokenization is the encoder's own (`splade search --model`), not TEI's rule.
    const Encoder& encoder = *context.encoder;
    EncodeOptions options;
    options.max_length = encoder.options().max_length;
    options.truncation = encoder.options().truncation;
    std::vector<Encoding> encodings{encoder.tokenizer().encode(*request.text, options)};
    encode_through_batcher(context, std::move(encodings), [&context, request = std::move(request), lease,
                                                           reply](std::vector<BatchResult> results) mutable {
      if (!results[0].error.empty())
        return reply(failure_response(*context.metrics, ApiError(ErrorType::kBackend, "model failed: " + results[0].error)));
      request.vector = to_query_vector(results[0].vector, context.encoder->tokenizer());
      search_and_reply(context, request, reply);
    });
  });
}

void search_get(ServerContext& context, HttpRequest& http, const PathParams& params, Reply reply) {
  SearchRequest request;
  request.index = &find_index(context, params);
  const auto query = http.query.find("query");
  if (query == http.query.end() || query->second.empty())
    throw ApiError(ErrorType::kValidation, "missing query parameter `query`");
  if (!is_valid_utf8(query->second)) throw ApiError(ErrorType::kBadRequest, "query parameter `query` is not valid UTF-8");
  request.text = query->second;
  if (const auto hits = http.query.find("hits"); hits != http.query.end()) request.hits = parse_hits(context, hits->second);
  if (const auto qid = http.query.find("qid"); qid != http.query.end()) {
    if (!is_valid_utf8(qid->second)) throw ApiError(ErrorType::kBadRequest, "query parameter `qid` is not valid UTF-8");
    request.qid = qid->second;
  }
  run_search(context, std::move(request), std::move(reply));
}

void search_post(ServerContext& context, HttpRequest& http, const PathParams& params, Reply reply) {
  SearchRequest request;
  request.index = &find_index(context, params);
  const json body = parse_json_object(http);
  const auto vector = body.find("vector");
  request.text = optional_string(body, "query");
  const bool has_vector = vector != body.end() && !vector->is_null();
  if (has_vector == request.text.has_value())
    throw ApiError(ErrorType::kValidation, "expected exactly one of `vector` (token: weight) and `query` (text)");
  if (request.text && request.text->empty()) throw ApiError(ErrorType::kEmpty, "`query` cannot be empty");
  if (has_vector) request.vector = read_vector(*vector);
  if (const auto hits = optional_integer(body, "hits")) request.hits = check_hits(context, *hits);
  request.qid = optional_string(body, "qid").value_or("");
  run_search(context, std::move(request), std::move(reply));
}

// GET /v1/{index}/doc/{docid}: a document's stored text (no model, no permit: a map read).
void get_document(ServerContext& context, const PathParams& params, Reply reply) {
  ServedIndex& served = find_index(context, params);
  const std::string& docid = params.at("docid");
  if (!served.index->has_contents())
    throw ApiError(ErrorType::kNotFound, fmt::format("index '{}' keeps no contents (build it with splade index "
                                                     "--store-contents)", served.name));
  const auto doc = served.index->find_doc(docid);
  if (!doc) throw ApiError(ErrorType::kNotFound, fmt::format("index '{}' has no document '{}'", served.name, docid));
  HttpResponse response;
  response.body = json{{"api", "v1"}, {"index", served.name}, {"docid", docid},
                       {"contents", std::string(*served.index->contents(*doc))}}
                      .dump(-1, ' ', false, json::error_handler_t::replace);
  reply(std::move(response));
}

}  // namespace

void add_search_routes(Router& router, ServerContext& context) {
  for (const char* pattern : {"/v1/{index}/doc/{docid}", "/api/v1.0/indexes/{index}/documents/{docid}"}) {
    router.add("GET", pattern, [&context](HttpRequest&, const PathParams& p, Reply reply) {
      get_document(context, p, std::move(reply));
    });
  }
  for (const char* pattern : {"/v1/{index}/search", "/api/v1.0/indexes/{index}/search"}) {
    router.add("GET", pattern, [&context](HttpRequest& r, const PathParams& p, Reply reply) {
      search_get(context, r, p, std::move(reply));
    });
    router.add("POST", pattern, [&context](HttpRequest& r, const PathParams& p, Reply reply) {
      search_post(context, r, p, std::move(reply));
    });
  }
}

}  // namespace splade::server
