#include "server/tei_routes.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "server/api_error.h"
#include "server/request_json.h"
#include "server/text_encoding.h"
#include "splade/version.h"

namespace splade::server {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
long long ms(double seconds) { return static_cast<long long>(seconds * 1000.0); }

bool read_truncate(const json& body, const ServerContext& context) {
  const auto direction = optional_string(body, "truncation_direction");
  if (direction && *direction != "right" && *direction != "Right") {
    if (*direction == "left" || *direction == "Left")
      throw ApiError(ErrorType::kValidation, "`truncation_direction`: Left is not supported; texts are truncated on the right");
    throw ApiError(ErrorType::kValidation, fmt::format("`truncation_direction`: expected Right or Left, got {}", *direction));
  }
  return optional_bool(body, "truncate").value_or(context.options.auto_truncate);
}

// [[{"index":i,"value":w},...],...]: weights printed as the shortest decimal that reads back
// as the same float (what serde_json writes for TEI's f32).
std::string sparse_json(const std::vector<BatchResult>& results) {
  fmt::memory_buffer out;
  out.push_back('[');
  for (std::size_t r = 0; r < results.size(); ++r) {
    if (r) out.push_back(',');
    out.push_back('[');
    const SparseVector& v = results[r].vector;
    for (std::size_t i = 0; i < v.ids.size(); ++i)
      fmt::format_to(std::back_inserter(out), "{}{{\"index\":{},\"value\":{}}}", i ? "," : "", v.ids[i], v.weights[i]);
    out.push_back(']');
  }
  out.push_back(']');
  return fmt::to_string(out);
}

// TEI's count for x-compute-characters: the text's Unicode characters (its count_chars), or
// the number of ids given in place of text. The text is valid UTF-8 (read_inputs checks), so
// a character is a byte that is not a continuation byte (10xxxxxx).
std::size_t characters_of(const TextInput& in) {
  if (in.is_ids) return in.ids.size();
  std::size_t n = 0;
  for (const unsigned char c : in.text) n += (c & 0xC0) != 0x80;
  return n;
}

void embed_sparse(ServerContext& context, HttpRequest& request, Reply reply) {
  const auto start = Clock::now();
  const json body = parse_json_object(request);
  Inputs inputs = read_inputs(body, context.options.max_client_batch_size, context.encoder->tokenizer().vocab_size());
  const bool truncate = read_truncate(body, context);
  const std::string method = inputs.batch ? "method=\"batch\"" : "method=\"single\"";
  context.metrics->add("te_request_count", method);
  auto lease = acquire_permits(context, inputs.items.size());
  context.post_to_worker([&context, inputs = std::move(inputs), truncate, lease, reply, start, method] {
    std::vector<Encoding> encodings;
    std::size_t tokens = 0, characters = 0;
    try {
      for (const TextInput& in : inputs.items) {
        encodings.push_back(tokenize_for_model(context, in, truncate));
        tokens += encodings.back().ids.size();
        characters += characters_of(in);
        context.metrics->observe("te_request_input_length", static_cast<double>(encodings.back().ids.size()));
      }
    } catch (const ApiError& e) {
      return reply(failure_response(*context.metrics, e));
    }
    const double tokenization = seconds_since(start);
    encode_through_batcher(context, std::move(encodings), [&context, lease, reply, start, method, tokens, characters,
                                                           tokenization](std::vector<BatchResult> results) {
      for (const BatchResult& r : results)
        if (!r.error.empty())
          return reply(failure_response(*context.metrics, ApiError(ErrorType::kBackend, "model failed: " + r.error)));
      HttpResponse response;
      response.body = sparse_json(results);
      double queue = 0, inference = 0;
      for (const BatchResult& r : results) queue += r.queue_seconds, inference += r.inference_seconds;
      queue /= static_cast<double>(results.size());
      inference /= static_cast<double>(results.size());
      const double total = seconds_since(start);
      // TEI's response headers (ResponseMetadata): milliseconds, characters and tokens.
      response.headers = {{"x-compute-type", "cpu"},
                          {"x-compute-time", std::to_string(ms(total))},
                          {"x-compute-characters", std::to_string(characters)},
                          {"x-compute-tokens", std::to_string(tokens)},
                          {"x-total-time", std::to_string(ms(total))},
                          {"x-tokenization-time", std::to_string(ms(tokenization))},
                          {"x-queue-time", std::to_string(ms(queue))},
                          {"x-inference-time", std::to_string(ms(inference))}};
      Metrics& m = *context.metrics;
      m.add("te_request_success", method);
      m.observe("te_request_duration", total);
      m.observe("te_request_tokenization_duration", tokenization);
      m.observe("te_request_queue_duration", queue);
      m.observe("te_request_inference_duration", inference);
      reply(std::move(response));
    });
  });
}

json token_list(const Tokenizer& tokenizer, const std::string& text, const Encoding& e) {
  json tokens = json::array();
  for (std::size_t i = 0; i < e.ids.size(); ++i) {
    const auto [begin, end] = e.offsets[i];
    // Special tokens (the template's [CLS]/[SEP]) are the ones without a span in the text.
    const bool special = begin == end;
    json t = {{"id", e.ids[i]}, {"special", special}};
    if (special) {
      t["text"] = tokenizer.id_to_token(e.ids[i]);
      t["start"] = nullptr;
      t["stop"] = nullptr;
    } else {
      t["text"] = text.substr(begin, end - begin);
      t["start"] = begin;
      t["stop"] = end;
    }
    tokens.push_back(std::move(t));
  }
  return tokens;
}

void tokenize(ServerContext& context, HttpRequest& request, Reply reply) {
  const json body = parse_json_object(request);
  Inputs inputs = read_inputs(body, context.options.max_client_batch_size, context.encoder->tokenizer().vocab_size());
  for (const TextInput& in : inputs.items)
    if (in.is_ids) throw ApiError(ErrorType::kValidation, "`inputs`: /tokenize takes text, not token ids");
  const bool add_special_tokens = optional_bool(body, "add_special_tokens").value_or(true);
  auto lease = acquire_permits(context, inputs.items.size());
  context.post_to_worker([&context, inputs = std::move(inputs), add_special_tokens, lease, reply] {
    const Tokenizer& tokenizer = context.encoder->tokenizer();
    EncodeOptions options;
    options.truncation = Truncation::kNone;  // TEI's /tokenize does not truncate
    options.add_special_tokens = add_special_tokens;
    json out = json::array();
    for (const TextInput& in : inputs.items) out.push_back(token_list(tokenizer, in.text, tokenizer.encode(in.text, options)));
    HttpResponse response;
    // `replace`: a token's text cut from invalid UTF-8 is written with U+FFFD, as TEI's from_utf8_lossy.
    response.body = out.dump(-1, ' ', false, json::error_handler_t::replace);
    reply(std::move(response));
  });
}

}  // namespace

void add_tei_routes(Router& router, ServerContext& context) {
  router.add("POST", "/embed_sparse",
             [&context](HttpRequest& r, const PathParams&, Reply reply) { embed_sparse(context, r, std::move(reply)); });
  // TEI serves a SPLADE model's /embed_sparse at / and /invocations too (SageMaker's route).
  router.add("POST", "/",
             [&context](HttpRequest& r, const PathParams&, Reply reply) { embed_sparse(context, r, std::move(reply)); });
  router.add("POST", "/invocations",
             [&context](HttpRequest& r, const PathParams&, Reply reply) { embed_sparse(context, r, std::move(reply)); });
  router.add("POST", "/tokenize",
             [&context](HttpRequest& r, const PathParams&, Reply reply) { tokenize(context, r, std::move(reply)); });

  const auto health = [&context](HttpRequest&, const PathParams&, Reply reply) {
    if (context.stopping.load()) throw ApiError(ErrorType::kUnhealthy, "unhealthy: shutting down");
    HttpResponse response;
    response.content_type = "text/plain";
    reply(std::move(response));
  };
  router.add("GET", "/health", health);
  router.add("GET", "/", health);
  router.add("GET", "/ping", health);

  const ServerOptions& o = context.options;
  json info = {{"model_id", context.model_id},
               {"model_sha", nullptr},
               {"model_dtype", context.encoder->int8() ? "int8" : "float32"},
               {"model_type", {{"embedding", {{"pooling", "splade"}}}}},
               {"max_concurrent_requests", o.max_concurrent},
               {"max_input_length", context.max_input_length},
               {"max_batch_tokens", o.max_batch_tokens},
               {"max_batch_requests", o.max_batch_requests ? json(o.max_batch_requests) : json(nullptr)},
               {"max_client_batch_size", o.max_client_batch_size},
               {"auto_truncate", o.auto_truncate},
               {"tokenization_workers", o.workers},
               {"version", version()},
               {"sha", nullptr},
               {"docker_label", nullptr}};
  json indexes = json::array();
  for (const auto& [name, served] : context.indexes) indexes.push_back(name);
  info["indexes"] = indexes;  // ours: the names /v1/{index}/search serves
  info["fused_head_kernel"] = context.encoder->fused_head_kernel();
  router.add("GET", "/info", [body = info.dump()](HttpRequest&, const PathParams&, Reply reply) {
    HttpResponse response;
    response.body = body;
    reply(std::move(response));
  });
  router.add("GET", "/metrics", [&context](HttpRequest&, const PathParams&, Reply reply) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = context.metrics->render();
    reply(std::move(response));
  });
}

}  // namespace splade::server
