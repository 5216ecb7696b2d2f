// Microbenchmark of the fused head's kernels (src/encode/fused_head/): the register-tile
// kernels (auto: AVX-512 and VNNI where the CPU has them; avx2) against OpenBLAS sgemm over
// 128-token blocks, on one text of `tokens` tokens times the whole 30,522-column vocabulary,
// fp32, int8 as integer operands (pool) and int8 as DynamicQuantizeLinear's x_q with a QInt8
// decoder (pool_quantized, the encoder's call), for SPLADE-tiny's hidden size (128) and
// BERT-base's (768). Reports GFLOP/s (2 x tokens x hidden x vocab a
// text) so the figures read against the CPU's FMA peak.
//   build-bench/bench/head_kernels --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "encode/fused_head/splade_head.h"

namespace {

using splade::encode::HeadKernel;
using splade::encode::SpladeHead;

constexpr std::int64_t kVocab = 30522;

void run_head(benchmark::State& state, HeadKernel kernel, bool integer) {
  const std::int64_t hidden = state.range(0), tokens = state.range(1), threads = state.range(2);
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> u(-255, 255);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> w(static_cast<std::size_t>(hidden * kVocab)), x(static_cast<std::size_t>(tokens * hidden)),
      bias(kVocab, -1.0f), scale(kVocab, 1e-6f);
  for (auto& v : w) v = integer ? static_cast<float>(u(rng)) : normal(rng);
  for (auto& v : x) v = integer ? static_cast<float>(u(rng)) : normal(rng);
  const SpladeHead head(w, bias, hidden, 1, static_cast<int>(threads), integer ? 255 * 255 : 0, kernel);
  std::vector<float> out(kVocab);
  const std::vector<std::int64_t> lengths{tokens};
  for (auto _ : state) {
    head.pool(x.data(), 1, tokens, lengths, integer ? scale.data() : nullptr, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(tokens * hidden * kVocab),
                                                 benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.SetLabel(head.kernel_name());
}

// The encoder's int8 call: x_q uint8 with a zero point, W_q - W_zp in [-127, 127] (QInt8).
void run_quantized(benchmark::State& state, HeadKernel kernel) {
  const std::int64_t hidden = state.range(0), tokens = state.range(1), threads = state.range(2);
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> wq(-127, 127), q(0, 255);
  std::vector<float> w(static_cast<std::size_t>(hidden * kVocab)), bias(kVocab, -1.0f), w_scale(kVocab, 1e-4f);
  std::vector<std::uint8_t> x_q(static_cast<std::size_t>(tokens * hidden));
  for (auto& v : w) v = static_cast<float>(wq(rng));
  for (auto& v : x_q) v = static_cast<std::uint8_t>(q(rng));
  const SpladeHead head(w, bias, hidden, 1, static_cast<int>(threads), 255 * 127, kernel);
  std::vector<float> out(kVocab);
  const std::vector<std::int64_t> lengths{tokens};
  for (auto _ : state) {
    head.pool_quantized(x_q.data(), 120, 0.01f, w_scale.data(), 1, tokens, lengths, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(tokens * hidden * kVocab),
                                                 benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.SetLabel(head.kernel_name());
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"hidden", "tokens", "threads"});
  for (const int hidden : {128, 768})
    for (const int threads : {1, 2})
      for (const int tokens : {10, 256}) b->Args({hidden, tokens, threads});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}

void BM_fp32_openblas(benchmark::State& s) { run_head(s, HeadKernel::kBlas, false); }
void BM_fp32_auto(benchmark::State& s) { run_head(s, HeadKernel::kAuto, false); }
void BM_fp32_avx2(benchmark::State& s) { run_head(s, HeadKernel::kAvx2, false); }
void BM_int8_openblas(benchmark::State& s) { run_head(s, HeadKernel::kBlas, true); }
void BM_int8_auto(benchmark::State& s) { run_head(s, HeadKernel::kAuto, true); }
void BM_int8q_auto(benchmark::State& s) { run_quantized(s, HeadKernel::kAuto); }
void BM_int8q_avx2(benchmark::State& s) { run_quantized(s, HeadKernel::kAvx2); }
BENCHMARK(BM_fp32_openblas)->Apply(shapes);
BENCHMARK(BM_fp32_auto)->Apply(shapes);
BENCHMARK(BM_fp32_avx2)->Apply(shapes);
BENCHMARK(BM_int8_openblas)->Apply(shapes);
BENCHMARK(BM_int8_auto)->Apply(shapes);
BENCHMARK(BM_int8q_auto)->Apply(shapes);
BENCHMARK(BM_int8q_avx2)->Apply(shapes);

}  // namespace

BENCHMARK_MAIN();
