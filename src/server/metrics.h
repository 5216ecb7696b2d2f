// The counters, gauges and histograms of `splade serve`, written as Prometheus text
// (exposition format 0.0.4) by GET /metrics. Names follow TEI's where TEI has the metric
// (te_request_count, te_request_duration, te_queue_size, te_batch_next_size, ...) so its
// dashboards work; splade_* are ours. Thread-safe: one mutex, held for a map update.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace splade::server {

class Metrics {
 public:
  Metrics();
  // `labels` is Prometheus' label text without braces (method="single"), or "".
  void add(std::string_view name, std::string_view labels = {}, double value = 1);  // counter
  void set(std::string_view name, double value);                                     // gauge
  void observe(std::string_view name, double value, std::string_view labels = {});   // histogram
  std::string render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Series {
    double value = 0;                 // counter, gauge; a histogram's sum
    std::vector<std::uint64_t> counts;  // histogram: per bucket (not cumulative), +Inf last
    std::uint64_t count = 0;
  };
  struct Family {
    Kind kind = Kind::kCounter;
    std::string help;
    std::vector<double> bounds;  // histogram bucket upper bounds, ascending
    std::map<std::string, Series, std::less<>> series;
  };
  void define(const std::string& name, Kind kind, std::string help, std::vector<double> bounds = {});
  Family& family(std::string_view name);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace splade::server
