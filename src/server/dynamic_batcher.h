// Dynamic batching, as TEI's queue does it: texts from concurrent requests wait in one FIFO;
// whenever the model is free, the batcher takes from its front as many as fit in
// max_batch_tokens padded tokens (texts x the longest of them; at most max_batch_requests
// texts when that is set) and encodes them in one call. It never waits for a batch to fill:
// under load the queue fills while the model runs, so throughput is a batch's, and a lone
// request runs at once. The queue itself is bounded upstream (Permits). Before it runs, a
// batch is cut into groups of similar lengths (server/length_groups.h).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/metrics.h"
#include "splade/encoder.h"

namespace splade::server {

struct BatchResult {
  SparseVector vector;
  std::string error;               // non-empty when the model failed on this batch
  double queue_seconds = 0;        // submit -> its batch starts
  double inference_seconds = 0;    // its batch's model time
};

struct BatchItem {
  Encoding encoding;                               // unpadded, already truncated
  std::function<void(BatchResult)> done;           // called once, on the batcher's thread
  std::chrono::steady_clock::time_point enqueued{};
};

class DynamicBatcher {
 public:
  DynamicBatcher(const Encoder& encoder, std::size_t max_batch_tokens, std::size_t max_batch_requests,
                 double max_padding, Metrics& metrics);
  ~DynamicBatcher();
  DynamicBatcher(const DynamicBatcher&) = delete;
  DynamicBatcher& operator=(const DynamicBatcher&) = delete;

  // Queues a request's texts, in order, behind everything already queued.
  void submit(std::vector<BatchItem> items);
  // Encodes what is queued, then stops the batcher's thread. Idempotent.
  void stop();

 private:
  void loop();
  std::vector<BatchItem> next_batch();  // called with mutex_ held; empty when stopping and drained
  // Encodes batch[group...] in one call and answers those items.
  void run_group(std::vector<BatchItem>& batch, const std::vector<std::size_t>& group);

  const Encoder& encoder_;
  const std::size_t max_batch_tokens_;
  const std::size_t max_batch_requests_;
  const double max_padding_;  // groups padded to at most (1 + max_padding_) x their tokens
  Metrics& metrics_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<BatchItem> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace splade::server
