#include "server/dynamic_batcher.h"

#include <algorithm>

#include "server/length_groups.h"

namespace splade::server {

namespace {
double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
}  // namespace

DynamicBatcher::DynamicBatcher(const Encoder& encoder, std::size_t max_batch_tokens, std::size_t max_batch_requests,
                               double max_padding, Metrics& metrics)
    : encoder_(encoder),
      max_batch_tokens_(max_batch_tokens),
      max_batch_requests_(max_batch_requests),
      max_padding_(max_padding),
      metrics_(metrics),
      worker_([this] { loop(); }) {}

DynamicBatcher::~DynamicBatcher() { stop(); }

void DynamicBatcher::submit(std::vector<BatchItem> items) {
  const auto now = std::chrono::steady_clock::now();
  std::size_t depth = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto& item : items) {
      item.enqueued = now;
      queue_.push_back(std::move(item));
    }
    depth = queue_.size();
  }
  metrics_.set("te_queue_size", static_cast<double>(depth));
  ready_.notify_one();
}

void DynamicBatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::vector<BatchItem> DynamicBatcher::next_batch() {
  std::vector<BatchItem> batch;
  std::size_t longest = 0;
  while (!queue_.empty()) {
    const std::size_t length = std::max<std::size_t>(queue_.front().encoding.ids.size(), 1);
    const std::size_t padded = std::max(longest, length) * (batch.size() + 1);
    const bool fits = padded <= max_batch_tokens_ && (max_batch_requests_ == 0 || batch.size() < max_batch_requests_);
    if (!batch.empty() && !fits) break;  // a text longer than the budget still runs, alone
    longest = std::max(longest, length);
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void DynamicBatcher::loop() {
  for (;;) {
    std::vector<BatchItem> batch;
    std::size_t depth = 0;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      batch = next_batch();
      depth = queue_.size();
    }
    metrics_.set("te_queue_size", static_cast<double>(depth));
    std::vector<std::size_t> lengths;
    for (const auto& item : batch) lengths.push_back(std::max<std::size_t>(item.encoding.ids.size(), 1));
    // One model call per group of similar lengths, shortest first; each group is answered as
    // soon as it has run.
    for (const auto& group : length_groups(lengths, max_padding_)) run_group(batch, group);
  }
}

void DynamicBatcher::run_group(std::vector<BatchItem>& batch, const std::vector<std::size_t>& group) {
  std::vector<Encoding> encodings;
  encodings.reserve(group.size());
  std::size_t longest = 0;
  for (const std::size_t i : group) {
    longest = std::max(longest, batch[i].encoding.ids.size());
    encodings.push_back(std::move(batch[i].encoding));
  }
  metrics_.observe("te_batch_next_size", static_cast<double>(group.size()));
  metrics_.observe("te_batch_next_tokens", static_cast<double>(longest * group.size()));
  const auto start = std::chrono::steady_clock::now();
  std::vector<SparseVector> vectors;
  std::string error;
  try {
    vectors = encoder_.encode_tokenized(encodings);
  } catch (const std::exception& e) {
    error = e.what();
  }
  const auto end = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < group.size(); ++k) {
    BatchItem& item = batch[group[k]];
    BatchResult r;
    if (error.empty()) r.vector = std::move(vectors[k]);
    r.error = error;
    r.queue_seconds = seconds_between(item.enqueued, start);
    r.inference_seconds = seconds_between(start, end);
    item.done(std::move(r));
  }
}

}  // namespace splade::server
