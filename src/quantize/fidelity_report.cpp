// The fidelity report: both models, batch 1, on each text; SPLADE term-weight agreement,
// raw tensor errors, size and latency ratios.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "optimize/model_check.h"
#include "ort/runner.h"
#include "quantize/int8_runtime.h"
#include "splade/error.h"
#include "splade/quantize.h"
#include "splade/tokenizer.h"

namespace splade {
namespace fs = std::filesystem;

namespace {

using Terms = std::map<std::int64_t, double>;  // term id -> weight (non-zero only)

// The SPLADE vector of one text from the model outputs: the sparse export directly, or
// max over tokens of log1p(relu(logits)) for a logits head.
Terms term_weights(const optimize::ModelIo& io, const std::vector<ort::HostTensor>& out, bool logits, bool pooled) {
  Terms t;
  if (pooled) {
    for (size_t v = 0; v < out[0].f.size(); ++v)
      if (out[0].f[v] != 0) t[static_cast<std::int64_t>(v)] = out[0].f[v];
    return t;
  }
  if (io.sparse_splade) {
    const auto& idx = out[io.sparse_idx_output].i64;
    const auto& w = out[io.sparse_weight_output].f;
    for (size_t i = 0; i < idx.size(); ++i)
      if (w[i] != 0) t[idx[i]] = std::max(t[idx[i]], static_cast<double>(w[i]));
  } else if (logits) {
    const auto& x = out[0];
    const std::int64_t seq = x.shape[1], vocab = x.shape[2];
    for (std::int64_t v = 0; v < vocab; ++v) {
      double m = 0;
      for (std::int64_t s = 0; s < seq; ++s) m = std::max(m, std::log1p(std::max(0.0, static_cast<double>(x.f[s * vocab + v]))));
      if (m > 0) t[v] = m;
    }
  }
  return t;
}

std::vector<std::int64_t> top_k(const Terms& t, size_t k) {
  std::vector<std::pair<double, std::int64_t>> v;
  for (const auto& [id, w] : t) v.push_back({-w, id});
  std::sort(v.begin(), v.end());
  std::vector<std::int64_t> out;
  for (size_t i = 0; i < v.size() && i < k; ++i) out.push_back(v[i].second);
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

FidelityReport fidelity_report(const fs::path& reference, const fs::path& candidate, const ReportTexts& texts,
                               const ReportOptions& options) {
  FidelityReport r;
  // The project tokenizer: --vocab if given, else the model's own folder (tokenizer.json
  // or vocab.txt), else the shared bert-base-uncased vocabulary.
  std::optional<Tokenizer> tok;
  const fs::path dir = reference.parent_path();
  if (!options.vocab.empty()) {
    tok.emplace(Tokenizer::from_vocab_file(options.vocab.string()));
    r.tokenizer = "splade::Tokenizer (" + options.vocab.string() + ")";
  } else if (fs::exists(dir / "tokenizer.json") || fs::exists(dir / "vocab.txt")) {
    tok.emplace(Tokenizer::from_directory(dir.empty() ? "." : dir.string()));
    r.tokenizer = "splade::Tokenizer (" + (dir.empty() ? std::string(".") : dir.string()) + ")";
  } else {
    const fs::path vocab = options.shared_data / "vocab" / "bert-base-uncased-vocab.txt";
    tok.emplace(Tokenizer::from_vocab_file(vocab.string()));
    r.tokenizer = "splade::Tokenizer (" + vocab.string() + ")";
  }
  EncodeOptions eo;
  eo.max_length = options.max_tokens;
  std::vector<std::vector<std::int64_t>> ids;
  for (auto& e : tok->encode_batch(texts.texts, eo, 1)) ids.push_back(std::move(e.ids));

  ort::RunnerOptions ro;
  ro.intra_op_threads = options.threads;
  // The candidate runs as splade::Encoder runs it on this CPU: its integer format read from
  // the graph, with ORT's exact U8U8 fallback where u8s8 weights would saturate here.
  const auto& cpu = cpu::cpu_features();
  const auto int8 = quantize::int8_runtime(candidate, cpu);
  r.cpu = cpu::describe(cpu);
  if (int8.format.integer_gemms) {
    r.int8_format = quantize::to_string(int8.format.worst());
    r.int8_kernel = int8.kernel;
    r.int8_exact_here = int8.exact_natively;
  }
  ort::RunnerOptions rc = ro;
  rc.config_entries = int8.session_entries;
  ort::Runner a(reference, ro), b(candidate, rc);
  auto io = optimize::describe_io(a);
  const bool logits = !io.sparse_splade && io.outputs.size() == 1 && io.outputs[0].shape.size() == 3 &&
                      io.outputs[0].shape[2] > 1000;
  // splade-pooled: one dense [batch, vocab] vector per text.
  const bool pooled = !io.sparse_splade && io.outputs.size() == 1 && io.outputs[0].shape.size() == 2 &&
                      io.outputs[0].shape[1] > 1000;
  const bool hidden = !io.sparse_splade && !logits && !pooled;
  r.head = io.sparse_splade ? "splade" : logits ? "logits" : pooled ? "splade-pooled" : "hidden";
  r.has_term_weights = !hidden;

  std::vector<double> ta, tb;
  double weight_err_sum = 0, tensor_err_sum = 0;
  std::int64_t weight_err_n = 0, tensor_err_n = 0;
  double jaccard_sum = 0, top10_sum = 0;
  // One untimed warm-up run each: the first run allocates.
  if (!ids.empty()) {
    auto warm = optimize::make_inputs(io, {ids[0]});
    a.run(warm), b.run(warm);
  }
  for (const auto& text : ids) {
    auto inputs = optimize::make_inputs(io, {text});
    // Alternate which model runs first, so neither always runs on a cache the other warmed.
    auto timed = [&](ort::Runner& r, std::vector<double>& times) {
      auto t0 = std::chrono::steady_clock::now();
      auto o = r.run(inputs);
      times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      return o;
    };
    std::vector<ort::HostTensor> oa, ob;
    if (r.texts % 2 == 0) oa = timed(a, ta), ob = timed(b, tb);
    else ob = timed(b, tb), oa = timed(a, ta);
    if (!io.sparse_splade) {
      if (oa[0].f.size() != ob[0].f.size())
        throw Error(ErrorCode::kValidation, candidate.string() + ": output '" + oa[0].name + "' has another shape");
      for (size_t i = 0; i < oa[0].f.size(); ++i) {
        const double e = std::abs(static_cast<double>(oa[0].f[i]) - ob[0].f[i]);
        r.tensor_max_abs_err = std::max(r.tensor_max_abs_err, e);
        tensor_err_sum += e;
      }
      tensor_err_n += static_cast<std::int64_t>(oa[0].f.size());
    }
    if (r.has_term_weights) {
      const Terms wa = term_weights(io, oa, logits, pooled), wb = term_weights(io, ob, logits, pooled);
      std::set<std::int64_t> all;
      std::size_t both = 0;
      for (const auto& [id, w] : wa) all.insert(id), both += wb.count(id);
      for (const auto& [id, w] : wb) all.insert(id);
      for (auto id : all) {
        const double x = wa.count(id) ? wa.at(id) : 0, y = wb.count(id) ? wb.at(id) : 0;
        r.weight_max_abs_err = std::max(r.weight_max_abs_err, std::abs(x - y));
        weight_err_sum += std::abs(x - y);
      }
      weight_err_n += static_cast<std::int64_t>(all.size());
      const double jac = all.empty() ? 1.0 : static_cast<double>(both) / static_cast<double>(all.size());
      jaccard_sum += jac;
      r.jaccard_min = std::min(r.jaccard_min, jac);
      auto ka = top_k(wa, 10), kb = top_k(wb, 10);
      std::set<std::int64_t> sa(ka.begin(), ka.end());
      int common = 0;
      for (auto id : kb) common += sa.count(id);
      const size_t denom = std::max<size_t>(1, std::min<size_t>(10, std::max(ka.size(), kb.size())));
      top10_sum += static_cast<double>(common) / static_cast<double>(denom);
    }
    ++r.texts;
  }
  if (r.texts) {
    jaccard_sum /= r.texts, top10_sum /= r.texts;
    r.jaccard_mean = jaccard_sum, r.top10_overlap_mean = top10_sum;
  }
  if (weight_err_n) r.weight_mean_abs_err = weight_err_sum / static_cast<double>(weight_err_n);
  if (tensor_err_n) r.tensor_mean_abs_err = tensor_err_sum / static_cast<double>(tensor_err_n);
  r.reference_bytes = static_cast<std::int64_t>(fs::file_size(reference));
  r.candidate_bytes = static_cast<std::int64_t>(fs::file_size(candidate));
  r.size_ratio = static_cast<double>(r.candidate_bytes) / static_cast<double>(r.reference_bytes);
  r.reference_ms_p50 = median(ta), r.candidate_ms_p50 = median(tb);
  r.latency_ratio = r.reference_ms_p50 > 0 ? r.candidate_ms_p50 / r.reference_ms_p50 : 0;
  return r;
}

std::string fidelity_report_text(const FidelityReport& r) {
  std::string s = fmt::format("fidelity vs the unquantized model ({} head, {} texts, tokenizer: {}):\n", r.head, r.texts, r.tokenizer);
  if (r.has_term_weights) {
    s += fmt::format("  SPLADE weights: max abs err {:.4g}, mean abs err {:.4g} (over the union of non-zero terms)\n",
                     r.weight_max_abs_err, r.weight_mean_abs_err);
    s += fmt::format("  non-zero term sets: Jaccard mean {:.4f}, min {:.4f}\n", r.jaccard_mean, r.jaccard_min);
    s += fmt::format("  top-10 terms: mean overlap {:.4f}\n", r.top10_overlap_mean);
  }
  if (r.head != "splade")
    s += fmt::format("  {} tensor: max abs err {:.4g}, mean abs err {:.4g}\n", r.head, r.tensor_max_abs_err, r.tensor_mean_abs_err);
  s += fmt::format("  size: {:.1f} MB -> {:.1f} MB (ratio {:.3f})\n", r.reference_bytes / 1e6, r.candidate_bytes / 1e6, r.size_ratio);
  s += fmt::format("  batch-1 latency p50: {:.2f} ms -> {:.2f} ms (ratio {:.3f})\n", r.reference_ms_p50, r.candidate_ms_p50,
                   r.latency_ratio);
  s += fmt::format("  measured on: {}\n", r.cpu);
  if (!r.int8_format.empty())
    s += fmt::format("  int8 kernels: format {}, {}{}\n", r.int8_format, r.int8_kernel,
                     r.int8_exact_here ? "" : " (the default kernels would saturate on this CPU)");
  return s;
}

std::string fidelity_report_json(const FidelityReport& r) {
  nlohmann::json j = {{"head", r.head},
                      {"tokenizer", r.tokenizer},
                      {"texts", r.texts},
                      {"has_term_weights", r.has_term_weights},
                      {"weight_max_abs_err", r.weight_max_abs_err},
                      {"weight_mean_abs_err", r.weight_mean_abs_err},
                      {"jaccard_mean", r.jaccard_mean},
                      {"jaccard_min", r.jaccard_min},
                      {"top10_overlap_mean", r.top10_overlap_mean},
                      {"tensor_max_abs_err", r.tensor_max_abs_err},
                      {"tensor_mean_abs_err", r.tensor_mean_abs_err},
                      {"reference_bytes", r.reference_bytes},
                      {"candidate_bytes", r.candidate_bytes},
                      {"size_ratio", r.size_ratio},
                      {"reference_ms_p50", r.reference_ms_p50},
                      {"candidate_ms_p50", r.candidate_ms_p50},
                      {"latency_ratio", r.latency_ratio},
                      {"cpu", r.cpu},
                      {"int8_format", r.int8_format},
                      {"int8_kernel", r.int8_kernel},
                      {"int8_exact_here", r.int8_exact_here}};
  return j.dump(2);
}

}  // namespace splade
