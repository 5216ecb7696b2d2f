// Query-encoding latency of splade.cpp at batch 1, text to vector, with the time outside
// ONNX Runtime's Run call (tokenization, input building, pooling) measured separately.
// Prints one JSON object. Used by bench/encode.sh, which runs the Python peers beside it.
//   encode_latency MODEL_DIR TOPICS.tsv N_QUERIES THREADS
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ort/inference_session.h"
#include "splade/encoder.h"

namespace {

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: encode_latency MODEL_DIR TOPICS.tsv N_QUERIES THREADS\n";
    return 2;
  }
  const std::string model_dir = argv[1];
  const int n = std::stoi(argv[3]);
  splade::EncoderOptions options;
  options.threads = std::stoi(argv[4]);
  auto encoder = splade::Encoder::open(model_dir, options);
  // The same model in a bare session: the Run-only time for the same inputs.
  splade::ort::SessionOptions so;
  so.intra_op_threads = options.threads;
  splade::ort::InferenceSession bare(model_dir + "/model.onnx", so);
  std::vector<std::string> names;
  for (const auto& in : bare.inputs()) names.push_back(in.name);
  std::vector<std::string> outputs;
  for (const auto& out : bare.outputs()) outputs.push_back(out.name);

  std::vector<std::string> queries;
  std::ifstream topics(argv[2]);
  for (std::string line; std::getline(topics, line) && static_cast<int>(queries.size()) < n;)
    queries.push_back(line.substr(line.find('\t') + 1));

  for (int i = 0; i < 10; ++i) encoder.encode(queries[static_cast<std::size_t>(i) % queries.size()]);  // warm-up
  std::vector<double> total_ms, run_ms;
  for (const auto& q : queries) {
    auto t0 = std::chrono::steady_clock::now();
    auto v = encoder.encode(q);
    auto t1 = std::chrono::steady_clock::now();
    total_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    // Run alone on the same ids.
    auto enc = encoder.tokenizer().encode(q, splade::EncodeOptions{});
    std::vector<std::int64_t> mask(enc.ids.size(), 1), types(enc.ids.size(), 0);
    std::vector<splade::ort::Int64Input> in;
    const std::vector<std::int64_t> dims = {1, static_cast<std::int64_t>(enc.ids.size())};
    for (const auto& name : names)
      in.push_back({name, name == "input_ids" ? enc.ids.data() : name == "attention_mask" ? mask.data() : types.data(), dims});
    auto t2 = std::chrono::steady_clock::now();
    auto out = bare.run(in, outputs);
    auto t3 = std::chrono::steady_clock::now();
    run_ms.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
  }
  double sum_total = 0, sum_run = 0;
  for (double t : total_ms) sum_total += t;
  for (double t : run_ms) sum_run += t;
  std::cout << "{\"impl\": \"splade.cpp\", \"queries\": " << queries.size() << ", \"threads\": " << options.threads
            << ", \"p50_ms\": " << percentile(total_ms, 0.5) << ", \"p99_ms\": " << percentile(total_ms, 0.99)
            << ", \"mean_ms\": " << sum_total / total_ms.size() << ", \"run_only_mean_ms\": " << sum_run / run_ms.size()
            << ", \"overhead_pct\": " << 100.0 * (sum_total - sum_run) / sum_total << "}\n";
  return 0;
}
