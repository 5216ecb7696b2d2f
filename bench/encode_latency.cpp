// Query-encoding latency of splade.cpp at batch 1, text to vector, and the share of it
// spent outside ONNX Runtime's Run call (tokenization, input building, pooling, output),
// read from Encoder::stats() over the same calls. Prints one JSON object. Used by
// bench/encode.sh, which runs the Python peers beside it. With the fused head (the default),
// the time outside Run includes the head; `unfused` runs the model's graph as written.
//   encode_latency MODEL_DIR TOPICS.tsv N_QUERIES THREADS [unfused]
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "splade/encoder.h"

namespace {

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && !(argc == 6 && std::string(argv[5]) == "unfused")) {
    std::cerr << "usage: encode_latency MODEL_DIR TOPICS.tsv N_QUERIES THREADS [unfused]\n";
    return 2;
  }
  const int n = std::stoi(argv[3]);
  splade::EncoderOptions options;
  options.threads = std::stoi(argv[4]);
  options.fused_head = argc == 5;
  auto encoder = splade::Encoder::open(argv[1], options);

  std::vector<std::string> queries;
  std::ifstream topics(argv[2]);
  for (std::string line; std::getline(topics, line) && static_cast<int>(queries.size()) < n;)
    queries.push_back(line.substr(line.find('\t') + 1));

  for (int i = 0; i < 10; ++i) encoder.encode(queries[static_cast<std::size_t>(i) % queries.size()]);  // warm-up
  const auto before = encoder.stats();
  std::vector<double> total_ms;
  for (const auto& q : queries) {
    auto t0 = std::chrono::steady_clock::now();
    auto v = encoder.encode(q);
    auto t1 = std::chrono::steady_clock::now();
    total_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  const auto after = encoder.stats();
  double sum_total_ms = 0;
  for (double t : total_ms) sum_total_ms += t;
  const double run_ms = (after.model_seconds - before.model_seconds) * 1e3;
  std::cout << "{\"impl\": \"splade.cpp\", \"queries\": " << queries.size() << ", \"threads\": " << options.threads
            << ", \"p50_ms\": " << percentile(total_ms, 0.5) << ", \"p99_ms\": " << percentile(total_ms, 0.99)
            << ", \"mean_ms\": " << sum_total_ms / static_cast<double>(total_ms.size())
            << ", \"run_only_mean_ms\": " << run_ms / static_cast<double>(total_ms.size())
            << ", \"overhead_pct\": " << 100.0 * (sum_total_ms - run_ms) / sum_total_ms << "}\n";
  return 0;
}
