#include "server/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "splade/error.h"

namespace splade::server {

namespace {

// TEI's buckets (router/src/prometheus.rs): durations 1.5e-5 s x 1.5^k (35 buckets), batch
// sizes 2^0..2^12, batch tokens 2^0..2^20, input lengths 2^0..2^19.
std::vector<double> geometric(double first, double factor, int n) {
  std::vector<double> b;
  for (int i = 0; i < n; ++i) b.push_back(first * std::pow(factor, i));
  return b;
}

std::string format_value(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

Metrics::Metrics() {
  const auto durations = geometric(0.00001 * 1.5, 1.5, 35);
  define("te_request_count", Kind::kCounter, "Requests received, by method (single or batch input)");
  define("te_request_success", Kind::kCounter, "Requests answered with 200, by method");
  define("te_request_failure", Kind::kCounter, "Requests refused or failed, by err (validation, batch_size, overloaded, ...)");
  define("te_request_duration", Kind::kHistogram, "Seconds from a request's arrival to its answer", durations);
  define("te_request_tokenization_duration", Kind::kHistogram, "Seconds spent tokenizing a request", durations);
  define("te_request_queue_duration", Kind::kHistogram, "Seconds a text waited for its model batch", durations);
  define("te_request_inference_duration", Kind::kHistogram, "Seconds of the model batch a text ran in", durations);
  define("te_request_input_length", Kind::kHistogram, "Tokens per text", geometric(1, 2, 20));
  define("te_queue_size", Kind::kGauge, "Texts waiting for a model batch");
  define("te_batch_next_size", Kind::kHistogram, "Texts per model batch", geometric(1, 2, 13));
  define("te_batch_next_tokens", Kind::kHistogram, "Padded tokens per model batch", geometric(1, 2, 21));
  define("splade_in_flight", Kind::kGauge, "Texts and searches accepted and not yet answered (bounded by --max-concurrent)");
  define("splade_http_requests_total", Kind::kCounter, "HTTP requests answered, by route and status code");
  define("splade_search_duration", Kind::kHistogram, "Seconds of searching an index (query encoding excluded)", durations);
  families_.find("te_queue_size")->second.series[""].value = 0;
  families_.find("splade_in_flight")->second.series[""].value = 0;
}

void Metrics::define(const std::string& name, Kind kind, std::string help, std::vector<double> bounds) {
  Family f;
  f.kind = kind;
  f.help = std::move(help);
  f.bounds = std::move(bounds);
  families_.emplace(name, std::move(f));
}

Metrics::Family& Metrics::family(std::string_view name) {
  const auto it = families_.find(name);
  if (it == families_.end()) throw Error(ErrorCode::kInvalidArgument, fmt::format("metrics: no metric named {}", name));
  return it->second;
}

void Metrics::add(std::string_view name, std::string_view labels, double value) {
  std::lock_guard lock(mutex_);
  Family& f = family(name);
  auto it = f.series.find(labels);
  if (it == f.series.end()) it = f.series.emplace(std::string(labels), Series{}).first;
  it->second.value += value;
}

void Metrics::set(std::string_view name, double value) {
  std::lock_guard lock(mutex_);
  family(name).series[""].value = value;
}

void Metrics::observe(std::string_view name, double value, std::string_view labels) {
  std::lock_guard lock(mutex_);
  Family& f = family(name);
  auto it = f.series.find(labels);
  if (it == f.series.end()) it = f.series.emplace(std::string(labels), Series{}).first;
  Series& s = it->second;
  if (s.counts.empty()) s.counts.assign(f.bounds.size() + 1, 0);
  const auto bucket = std::lower_bound(f.bounds.begin(), f.bounds.end(), value) - f.bounds.begin();
  ++s.counts[static_cast<std::size_t>(bucket)];
  ++s.count;
  s.value += value;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.kind == Kind::kCounter ? "counter" : f.kind == Kind::kGauge ? "gauge" : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, type);
    for (const auto& [labels, s] : f.series) {
      if (f.kind != Kind::kHistogram) {
        out += labels.empty() ? fmt::format("{} {}\n", name, format_value(s.value))
                              : fmt::format("{}{{{}}} {}\n", name, labels, format_value(s.value));
        continue;
      }
      const std::string sep = labels.empty() ? "" : ",";
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b <= f.bounds.size(); ++b) {
        cumulative += s.counts[b];
        const std::string le = b < f.bounds.size() ? format_value(f.bounds[b]) : "+Inf";
        out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, le, cumulative);
      }
      const std::string braces = labels.empty() ? "" : "{" + labels + "}";
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, format_value(s.value), name, braces, s.count);
    }
  }
  return out;
}

}  // namespace splade::server
