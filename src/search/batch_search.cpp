// search_topics: queries spread over threads (one Searcher each), timed one by one.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "splade/error.h"
#include "splade/searcher.h"

namespace splade {

namespace {
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
}  // namespace

BatchSearchResult search_topics(const Index& index, const std::vector<Topic>& topics,
                                const BatchSearchOptions& options) {
  using Clock = std::chrono::steady_clock;
  BatchSearchResult result;
  result.topics.resize(topics.size());
  for (const auto& t : topics)
    if (!t.has_vector && options.encoder == nullptr)
      throw Error(ErrorCode::kInvalidArgument, "topic '" + t.id + "' is text: a query encoder (--model) is needed");
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    Searcher searcher(index);
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= topics.size()) return;
      try {
        auto& out = result.topics[i];
        out.topic_id = topics[i].id;
        QueryVector encoded;
        const QueryVector* query = &topics[i].vector;
        if (!topics[i].has_vector) {
          const auto t0 = Clock::now();
          encoded = options.encoder->encode(topics[i].text);
          out.encode_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          query = &encoded;
        }
        const auto t0 = Clock::now();
        const double c0 = thread_cpu_ms();
        out.hits = searcher.search(*query, options.search);
        out.search_cpu_ms = thread_cpu_ms() - c0;
        out.search_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = topics.size();
        return;
      }
    }
  };
  Searcher::prepare(index, options.search.algorithm);  // before the clock: no query pays for it
  const auto start = Clock::now();
  const int threads = std::max(1, std::min<int>(options.threads, static_cast<int>(std::max<std::size_t>(1, topics.size()))));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failure) std::rethrow_exception(failure);
  return result;
}

namespace {
LatencySummary summarize(const BatchSearchResult& r, double TopicResult::*field) {
  LatencySummary s;
  std::vector<double> ms;
  for (const auto& t : r.topics) ms.push_back(t.*field);
  s.queries = ms.size();
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  s.mean_ms = sum / ms.size();
  // Nearest-rank percentiles.
  auto pct = [&](double p) {
    std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * ms.size()));
    return ms[std::clamp<std::size_t>(rank, 1, ms.size()) - 1];
  };
  s.p50_ms = pct(50);
  s.p99_ms = pct(99);
  s.max_ms = ms.back();
  s.qps = r.wall_seconds > 0 ? ms.size() / r.wall_seconds : 0;
  return s;
}
}  // namespace

LatencySummary summarize_search_latency(const BatchSearchResult& result) {
  LatencySummary s = summarize(result, &TopicResult::search_ms);
  const LatencySummary cpu = summarize(result, &TopicResult::search_cpu_ms);
  s.cpu_mean_ms = cpu.mean_ms;
  s.cpu_p50_ms = cpu.p50_ms;
  s.cpu_p99_ms = cpu.p99_ms;
  return s;
}
LatencySummary summarize_encode_latency(const BatchSearchResult& result) {
  return summarize(result, &TopicResult::encode_ms);
}

}  // namespace splade
