#include "convert/validate.h"

#include <chrono>
#include <algorithm>
#include <cmath>
#include <memory>

#include "ort/inference_session.h"
#include "splade/error.h"

namespace splade::convert {
namespace {

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

TokenBatch row_of(const TokenBatch& b, std::int64_t r) {
  TokenBatch out;
  out.batch = 1;
  out.seq = b.seq;
  auto slice = [&](const std::vector<std::int64_t>& v) {
    return std::vector<std::int64_t>(v.begin() + r * b.seq, v.begin() + (r + 1) * b.seq);
  };
  out.input_ids = slice(b.input_ids);
  out.attention_mask = slice(b.attention_mask);
  out.token_type_ids = slice(b.token_type_ids);
  return out;
}

// One ONNX Runtime run, or the rows of a batch run one at a time (splade head).
struct Job {
  std::string label;
  std::vector<TokenBatch> runs;
  std::vector<std::vector<double>> expected;  // per run
};

}  // namespace

ValidationCaseResult compare(const std::vector<float>& a, const std::vector<double>& b) {
  ValidationCaseResult r;
  if (a.size() != b.size())
    throw Error(ErrorCode::kValidation, "validation: ONNX output has " + std::to_string(a.size()) +
                                            " values, the reference " + std::to_string(b.size()));
  if (a.empty()) return r;
  // The seed's figure (convert_hf_model_to_onnx.py): ReLU on both outputs, each divided
  // by its L2 norm, then the mean absolute difference.
  auto relu = [](double v) { return v > 0 ? v : 0.0; };
  double na = 0, nb = 0, sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]);
    if (!(d <= r.max_abs_diff)) r.max_abs_diff = std::isnan(d) ? INFINITY : std::max(r.max_abs_diff, d);
    sum += d;
    na += relu(a[i]) * relu(a[i]);
    nb += relu(b[i]) * relu(b[i]);
  }
  r.mean_abs_diff = sum / static_cast<double>(a.size());
  na = std::sqrt(na);
  nb = std::sqrt(nb);
  double l1 = 0;
  for (size_t i = 0; i < a.size(); ++i)
    l1 += std::fabs((na > 0 ? relu(a[i]) / na : 0.0) - (nb > 0 ? relu(b[i]) / nb : 0.0));
  r.normalized_l1 = l1 / static_cast<double>(a.size());
  return r;
}

ValidationRun validate_model(const std::filesystem::path& model_path, const ModelSpec& spec,
                                                 const hf::TensorStore& store, ConvertHead head,
                                                 const SpladePooling& pooling,
                                                 const std::vector<ValidationInput>& inputs, int threads) {
  const bool splade = head == ConvertHead::kSplade || head == ConvertHead::kSpladePooled;
  const bool use_types = !splade && spec.has_token_types();
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Job> jobs;
  {
    ReferenceModel ref(spec, store, threads);
    for (const auto& in : inputs) {
      Job job;
      job.label = in.label;
      if (head == ConvertHead::kSplade)
        for (std::int64_t r = 0; r < in.batch.batch; ++r) job.runs.push_back(row_of(in.batch, r));
      else
        job.runs.push_back(in.batch);
      for (const auto& run : job.runs) {
        auto h = ref.hidden(run, use_types);
        if (head == ConvertHead::kHidden) {
          job.expected.push_back(std::move(h));
          continue;
        }
        auto logits = ref.logits(h, run.batch * run.seq);
        if (head == ConvertHead::kLogits) job.expected.push_back(std::move(logits));
        else job.expected.push_back(ref.splade_pooled(logits, run, pooling));
      }
      jobs.push_back(std::move(job));
    }
  }  // reference weights freed before ONNX Runtime loads the model
  const auto t1 = std::chrono::steady_clock::now();

  ort::SessionOptions options;
  options.intra_op_threads = threads;
  options.optimization = ort::GraphOptimization::kDisabled;  // the graph exactly as written
  // MatMul weight prepacking keeps a second copy of every weight while the session
  // loads; for a handful of validation runs it only costs memory (BERT-base: ~130 MB).
  options.config_entries.push_back({"session.disable_prepacking", "1"});
  ort::InferenceSession session(model_path, options);
  std::vector<std::string> output_names;
  for (const auto& o : session.outputs()) output_names.push_back(o.name);
  ValidationRun run_result;
  auto& results = run_result.cases;
  const auto V = spec.config.vocab_size;
  for (const auto& job : jobs) {
    std::vector<float> actual;
    std::vector<double> expected;
    std::vector<std::int64_t> shape;
    std::int64_t mismatches = 0;
    for (size_t k = 0; k < job.runs.size(); ++k) {
      const auto& run = job.runs[k];
      std::vector<ort::Int64Input> feeds;
      const std::vector<std::int64_t> dims = {run.batch, run.seq};
      for (const auto& in : session.inputs()) {
        if (in.name == "input_ids") feeds.push_back({in.name, run.input_ids.data(), dims});
        else if (in.name == "attention_mask") feeds.push_back({in.name, run.attention_mask.data(), dims});
        else if (in.name == "token_type_ids") feeds.push_back({in.name, run.token_type_ids.data(), dims});
        else throw Error(ErrorCode::kValidation, model_path.string() + ": unexpected model input '" + in.name + "'");
      }
      const auto outs = session.run(feeds, output_names);
      if (head == ConvertHead::kSplade) {
        // output_idx / output_weights -> a dense [vocab] vector.
        const std::int64_t* idx = outs.int64s(0);
        const float* w = outs.floats(1);
        const size_t n = std::min(outs.element_count(0), outs.element_count(1));
        std::vector<float> dense(static_cast<size_t>(V), 0.0f);
        std::vector<char> present(static_cast<size_t>(V), 0);
        for (size_t i = 0; i < n; ++i) {
          if (idx[i] < 0 || idx[i] >= V) throw Error(ErrorCode::kValidation, "validation: output_idx out of range");
          dense[static_cast<size_t>(idx[i])] = w[i];
          present[static_cast<size_t>(idx[i])] = 1;
        }
        for (std::int64_t v = 0; v < V; ++v) mismatches += present[v] != (job.expected[k][v] != 0.0);
        actual.insert(actual.end(), dense.begin(), dense.end());
        shape = {static_cast<std::int64_t>(job.runs.size()), V};
      } else {
        const float* f = outs.floats(0);
        actual.insert(actual.end(), f, f + outs.element_count(0));
        shape = outs.dims(0);
      }
      expected.insert(expected.end(), job.expected[k].begin(), job.expected[k].end());
    }
    auto r = compare(actual, expected);
    r.label = job.label;
    r.shape = shape_text(shape);
    r.index_mismatches = mismatches;
    results.push_back(r);
  }
  run_result.reference_seconds = std::chrono::duration<double>(t1 - t0).count();
  run_result.onnxruntime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  return run_result;
}

}  // namespace splade::convert
