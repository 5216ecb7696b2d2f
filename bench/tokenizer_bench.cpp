// Times splade::Tokenizer over a corpus (one text per line): single-threaded encode() of each
// text, then encode_batch() on N threads. Prints one JSON object. Driven by
// bench/tokenizer_bench.py, which times HF tokenizers on the same corpus in the same run.
// Usage: tokenizer_bench VOCAB_OR_MODEL_DIR CORPUS.txt THREADS REPEATS
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "splade/tokenizer.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s VOCAB_OR_MODEL_DIR CORPUS.txt THREADS REPEATS\n", argv[0]);
    return 2;
  }
  const std::string source = argv[1];
  const auto tok = std::filesystem::is_directory(source) ? splade::Tokenizer::from_directory(source)
                                                         : splade::Tokenizer::from_vocab_file(source);
  std::vector<std::string> texts;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) texts.push_back(line);
  const int threads = std::stoi(argv[3]), repeats = std::stoi(argv[4]);
  using clock = std::chrono::steady_clock;
  std::size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();

  double best_single = 1e30, best_batch = 1e30;
  std::size_t tokens = 0;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = clock::now();
    std::size_t n = 0;
    for (const auto& t : texts) n += tok.encode(t).ids.size();
    best_single = std::min(best_single, std::chrono::duration<double>(clock::now() - t0).count());
    tokens = n;
    t0 = clock::now();
    const auto batch = tok.encode_batch(texts, {}, threads);
    best_batch = std::min(best_batch, std::chrono::duration<double>(clock::now() - t0).count());
    std::size_t m = 0;
    for (const auto& e : batch) m += e.ids.size();
    if (m != n) return 1;
  }
  std::printf("{\"texts\": %zu, \"bytes\": %zu, \"tokens\": %zu, \"single_s\": %.6f, \"batch_s\": %.6f, \"threads\": %d}\n",
              texts.size(), bytes, tokens, best_single, best_batch, threads);
  return 0;
}
