#include "splade/encoder.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>

#include "encode/body/skip_layer_norm_unfuse.h"
#include "encode/fused_head/head_split.h"
#include "encode/fused_head/splade_head.h"
#include "encode/model_contract.h"
#include "onnx/model_io.h"
#include "ort/inference_session.h"
#include "quantize/int8_runtime.h"
#include "splade/error.h"

namespace splade {
namespace fs = std::filesystem;

const char* to_string(ModelContract contract) {
  switch (contract) {
    case ModelContract::kAnserini: return "anserini (output_idx, output_weights)";
    case ModelContract::kPooled: return "pooled [batch, vocab]";
    case ModelContract::kLogits: return "logits [batch, seq, vocab]";
  }
  return "?";
}

struct Encoder::Impl {
  EncoderOptions options;
  Tokenizer tokenizer;
  std::unique_ptr<ort::InferenceSession> session;
  encode::ContractInfo contract;
  std::vector<std::int64_t> dropped_ids;  // [PAD], [CLS], [SEP]: never terms (as Anserini)
  std::vector<std::string> warnings;
  // The fused head: `session` then runs the body only (its one output: hidden states).
  std::unique_ptr<encode::SpladeHead> head;
  std::vector<float> int8_weight_scale;  // [vocab]: an int8 decoder's W_scale; empty for fp32
  std::string unfused_reason;
  bool int8 = false;  // the graph holds integer GEMMs (read with its int8 format)

  Impl(const EncoderOptions& o, Tokenizer t) : options(o), tokenizer(std::move(t)) {}

  EncodeOptions encode_options() const {
    EncodeOptions e;
    e.max_length = options.max_length;
    e.truncation = options.truncation;
    return e;
  }

  bool dropped(std::int64_t id) const {
    return std::find(dropped_ids.begin(), dropped_ids.end(), id) != dropped_ids.end();
  }

  void finish(SparseVector& v) const {
    std::size_t out = 0;
    for (std::size_t i = 0; i < v.ids.size(); ++i) {
      if (v.weights[i] > 0.0f && !dropped(v.ids[i])) {
        v.ids[out] = v.ids[i];
        v.weights[out] = v.weights[i];
        ++out;
      }
    }
    v.ids.resize(out);
    v.weights.resize(out);
    prune(v, options.threshold, options.top_k);
  }

  // Inputs for `batch` encodings padded to the longest: [batch, seq] int64 each.
  struct Padded {
    std::int64_t batch = 0, seq = 0;
    std::vector<std::int64_t> ids, mask, types;
  };
  Padded pad(const std::vector<const Encoding*>& batch) const {
    Padded p;
    p.batch = static_cast<std::int64_t>(batch.size());
    for (const auto* e : batch) p.seq = std::max<std::int64_t>(p.seq, static_cast<std::int64_t>(e->ids.size()));
    const auto n = static_cast<std::size_t>(p.batch * p.seq);
    p.ids.assign(n, tokenizer.pad_id());
    p.mask.assign(n, 0);
    p.types.assign(n, 0);
    for (std::size_t b = 0; b < batch.size(); ++b) {
      const auto& e = *batch[b];
      const std::size_t row = b * static_cast<std::size_t>(p.seq);
      std::copy(e.ids.begin(), e.ids.end(), p.ids.begin() + static_cast<std::ptrdiff_t>(row));
      std::fill_n(p.mask.begin() + static_cast<std::ptrdiff_t>(row), e.ids.size(), 1);
      if (!e.type_ids.empty())
        std::copy(e.type_ids.begin(), e.type_ids.end(), p.types.begin() + static_cast<std::ptrdiff_t>(row));
    }
    return p;
  }

  ort::RunOutputs run(const Padded& p) const {
    std::vector<ort::Int64Input> inputs;
    const std::vector<std::int64_t> dims = {p.batch, p.seq};
    for (const auto& name : contract.input_names) {
      const auto& data = name == "input_ids" ? p.ids : name == "attention_mask" ? p.mask : p.types;
      inputs.push_back({name, data.data(), dims});
    }
    return session->run(inputs, contract.output_names);
  }

  SparseVector encode_anserini(const Encoding& e) const {
    Padded p = pad({&e});
    auto out = run(p);
    const std::size_t n = out.element_count(0);
    if (out.element_count(1) != n)
      throw Error(ErrorCode::kRuntime, "model returned " + std::to_string(n) + " output_idx but " +
                                           std::to_string(out.element_count(1)) + " output_weights");
    const std::int64_t* idx = out.int64s(0);
    const float* w = out.floats(1);
    const auto vocab = static_cast<std::int64_t>(tokenizer.vocab_size());
    for (std::size_t i = 0; i < n; ++i)
      if (idx[i] < 0 || idx[i] >= vocab)
        throw Error(ErrorCode::kRuntime, "model returned vocabulary id " + std::to_string(idx[i]) +
                                             " outside [0, " + std::to_string(vocab) + ")");
    SparseVector v;
    v.ids.assign(idx, idx + n);
    v.weights.assign(w, w + n);
    // The seed's graph takes its ids from NonZero, which lists them in ascending order;
    // sort only when a model hands them back otherwise.
    if (!std::is_sorted(v.ids.begin(), v.ids.end())) {
      std::vector<std::pair<std::int64_t, float>> pairs(n);
      for (std::size_t i = 0; i < n; ++i) pairs[i] = {idx[i], w[i]};
      std::sort(pairs.begin(), pairs.end());
      for (std::size_t i = 0; i < n; ++i) v.ids[i] = pairs[i].first, v.weights[i] = pairs[i].second;
    }
    finish(v);
    return v;
  }

  // The model runs on slices of the batch of at most kRunTokens padded tokens (each slice
  // padded to its own longest text; one text at least), fused head or not, fp32 or int8: the
  // activations ([slice, seq, 4 x hidden] feed-forward states, [slice, heads, seq, seq]
  // attention scores; unfused, [slice, seq, vocab] logits) grow with the slice, not the batch.
  // Measured (bench/encode_memory.sh; BENCHMARKS.md, "Peak memory of the fused head"): an
  // optimized fp32 BERT-base at batch 32 x 512 tokens peaked at 0.75 GB in these slices against
  // 1.05 GB in slices of 4,096 tokens, int8 at 423 MiB against 2,487 MiB in one Run of the
  // batch, and both ran as fast or faster; SPLADE-tiny as fast as at 4,096 tokens, which itself
  // beat one Run (less padding: 92 -> 118 documents/s). A batch of 32
  // queries is one slice. fp32 vectors do not depend on the slice (byte-identical;
  // tests/oracle/test_fused_head.py). An int8 model's do: each DynamicQuantizeLinear takes one
  // scale over its whole input, so a text's int8 vector depends on the texts in its Run; the
  // fused head and --no-fused-head run the same slices, so they give the same vectors.
  static constexpr std::int64_t kRunTokens = 1024;

  template <class F>  // f(slice): each slice of `batch`, in order
  static void for_each_slice(const std::vector<const Encoding*>& batch, F&& f) {
    for (std::size_t first = 0; first < batch.size();) {
      std::size_t last = first + 1;
      std::int64_t longest = static_cast<std::int64_t>(batch[first]->ids.size());
      while (last < batch.size()) {
        const std::int64_t next = std::max(longest, static_cast<std::int64_t>(batch[last]->ids.size()));
        if (next * static_cast<std::int64_t>(last + 1 - first) > kRunTokens) break;
        longest = next, ++last;
      }
      f(std::vector<const Encoding*>(batch.begin() + static_cast<std::ptrdiff_t>(first),
                                     batch.begin() + static_cast<std::ptrdiff_t>(last)));
      first = last;
    }
  }

  void encode_fused(const std::vector<const Encoding*>& slice, std::vector<SparseVector>& result) const {
    const auto V = head->vocab();
    Padded p = pad(slice);
    auto out = run(p);  // fp32: [slice, seq, hidden] float; int8: x_q [slice, seq, hidden] uint8, x_scale, x_zp
    std::vector<std::int64_t> lengths;
    for (const auto* e : slice) lengths.push_back(static_cast<std::int64_t>(e->ids.size()));
    std::vector<float> pooled(static_cast<std::size_t>(p.batch * V));
    if (int8_weight_scale.empty()) {
      head->pool(out.floats(0), p.batch, p.seq, lengths, nullptr, pooled.data());
    } else {
      head->pool_quantized(out.uint8s(0), *out.uint8s(2), *out.floats(1), int8_weight_scale.data(), p.batch, p.seq,
                           lengths, pooled.data());
    }
    for (std::size_t b = 0; b < slice.size(); ++b) {
      SparseVector v;
      const float* row = pooled.data() + b * static_cast<std::size_t>(V);
      for (std::int64_t t = 0; t < V; ++t)
        if (row[t] > 0.0f) v.ids.push_back(t), v.weights.push_back(row[t]);
      finish(v);
      result.push_back(std::move(v));
    }
  }

  void encode_batched(const std::vector<const Encoding*>& batch, std::vector<SparseVector>& result) const {
    for_each_slice(batch, [&](const std::vector<const Encoding*>& slice) {
      head ? encode_fused(slice, result) : encode_unfused(slice, result);
    });
  }

  void encode_unfused(const std::vector<const Encoding*>& batch, std::vector<SparseVector>& result) const {
    Padded p = pad(batch);
    auto out = run(p);
    const auto dims = out.dims(0);
    const std::int64_t vocab = dims.back();
    const float* data = out.floats(0);
    for (std::size_t b = 0; b < batch.size(); ++b) {
      SparseVector v;
      if (contract.contract == ModelContract::kPooled) {
        const float* row = data + b * static_cast<std::size_t>(vocab);
        for (std::int64_t t = 0; t < vocab; ++t)
          if (row[t] > 0.0f) v.ids.push_back(t), v.weights.push_back(row[t]);
      } else {
        // logits [batch, seq, vocab]: SPLADE pooling, max over unmasked positions of
        // log1p(relu(x)); log1p and relu are monotonic, so take the max first.
        const std::size_t seq = static_cast<std::size_t>(dims[1]);
        const std::size_t len = batch[b]->ids.size();
        std::vector<float> best(static_cast<std::size_t>(vocab), 0.0f);
        for (std::size_t s = 0; s < len; ++s) {
          const float* row = data + (b * seq + s) * static_cast<std::size_t>(vocab);
          for (std::int64_t t = 0; t < vocab; ++t) best[static_cast<std::size_t>(t)] = std::max(best[static_cast<std::size_t>(t)], row[t]);
        }
        for (std::int64_t t = 0; t < vocab; ++t) {
          const float x = best[static_cast<std::size_t>(t)];
          if (x > 0.0f) v.ids.push_back(t), v.weights.push_back(std::log1p(x));
        }
      }
      finish(v);
      result.push_back(std::move(v));
    }
  }
};

Encoder::Encoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Encoder::~Encoder() = default;
Encoder::Encoder(Encoder&&) noexcept = default;
Encoder& Encoder::operator=(Encoder&&) noexcept = default;

Encoder Encoder::open(const std::string& model_dir, const EncoderOptions& options) {
  const fs::path dir(model_dir);
  if (!fs::is_directory(dir))
    throw Error(ErrorCode::kNotFound, model_dir + ": not a model directory (expected model.onnx + tokenizer files)");
  return open((dir / "model.onnx").string(), model_dir, options);
}

Encoder Encoder::open(const std::string& onnx_path, const std::string& tokenizer_path, const EncoderOptions& options) {
  if (!fs::exists(onnx_path)) throw Error(ErrorCode::kNotFound, onnx_path + ": no such model file");
  Tokenizer tokenizer = fs::is_directory(tokenizer_path) ? Tokenizer::from_directory(tokenizer_path)
                                                         : Tokenizer::from_vocab_file(tokenizer_path);
  auto impl = std::make_unique<Impl>(options, std::move(tokenizer));
  ort::SessionOptions so;
  so.intra_op_threads = options.threads;
  // The integer format is read from the graph (most models need nothing); a model whose u8s8
  // kernels would saturate on this CPU is loaded with ORT's exact U8U8 kernels. A model ORT
  // loads but our reader refuses (none known) runs as ORT's defaults run it, with a warning
  // that its integer format went unchecked.
  auto read_int8 = [&](auto&& check) {
    try {
      return check();
    } catch (const Error& e) {
      quantize::Int8Runtime unchecked;
      unchecked.warning = onnx_path + ": its int8 format was not checked against this CPU: " + e.what();
      return unchecked;
    }
  };
  const auto vocab = impl->tokenizer.vocab_size();
  // A pool-first SPLADE head is split off before any session exists, from the graph loaded
  // once: the body alone is then loaded into a session (a session of the whole model first
  // cost BERT-base 1.6 s and a second copy of its weights).
  std::optional<encode::HeadSplit> split;
  std::optional<quantize::Int8Runtime> runtime;
  bool norms_unfused = false;
  if (!options.fused_head) {
    impl->unfused_reason = "turned off (--no-fused-head)";
  } else {
    onnx::ModelProto model = onnxio::load_model(onnx_path);
    runtime = read_int8([&] { return quantize::int8_runtime(model, onnx_path); });
    // The body is handed to ORT from memory, so its slow SkipLayerNormalization can go first
    // (encode/body/skip_layer_norm_unfuse.h); an unsplit model is loaded from its file as written.
    // Not in a graph with integer GEMMs: there the norms' last-bit differences move
    // DynamicQuantizeLinear's roundings, and the int8 vectors would no longer equal ORT's run
    // of the graph as written on the same slices (--no-fused-head; the fused head's int8
    // contract, tests/oracle/test_fused_head.py).
    if (!(runtime && runtime->format.integer_gemms > 0)) norms_unfused = encode::unfuse_skip_layer_norm(model) > 0;
    if ((split = encode::split_splade_head(std::move(model), onnx_path, impl->unfused_reason, options.map_model_file))) {
      impl->contract = encode::detect_contract(onnx_path, split->model_inputs, split->model_outputs, vocab);
      if (impl->contract.contract != ModelContract::kPooled) split.reset();
    }
  }
  if (runtime) so.config_entries = runtime->session_entries;
  if (split) {
    if (norms_unfused) so.config_entries.push_back(encode::keep_skip_layer_norm_unfused());
    // ORT's intra-op threads go on spinning for a while after Run returns; the head runs on
    // the same cores right after it, and that spinning took a third of the CPU time of a query
    // (perf, SPLADE-tiny at batch 1). Spinning stops when Run returns, and still runs inside
    // it (turning it off altogether cost BERT-base int8 queries 20%: a futex wake an op).
    so.config_entries.emplace_back("session.force_spinning_stop", "1");
    // The body's weights are external references to the model file (head_split.h): ORT reads
    // them from there while the session is made, relative to this folder.
    so.config_entries.emplace_back("session.model_external_initializers_file_folder_path", split->body_data_folder.string());
    impl->session = std::make_unique<ort::InferenceSession>(split->body_model, onnx_path + " (body)", so);
    std::string().swap(split->body_model);
    std::int64_t integer_max_product = 0;
    if (split->int8) {
      impl->contract.output_names = {split->int8->quantized_name, split->int8->scale_name, split->int8->zero_point_name};
      integer_max_product = 255 * std::int64_t{std::max(1, split->int8->weight_max_abs)};  // |x_q - x_zp| <= 255
      impl->int8_weight_scale = std::move(split->int8->weight_scale);
    } else {
      impl->contract.output_names = {split->hidden_name};
    }
    impl->head = std::make_unique<encode::SpladeHead>(std::move(split->weight), std::move(split->bias), split->hidden,
                                                      split->log1p_count, options.threads, integer_max_product);
  } else if (runtime) {
    impl->session = std::make_unique<ort::InferenceSession>(onnx_path, so);
  } else {
    // Unread yet (--no-fused-head): read beside ORT's load; only a model that needs other
    // kernels is loaded again.
    auto int8 = std::async(std::launch::async,
                           [&] { return read_int8([&] { return quantize::int8_runtime(fs::path(onnx_path)); }); });
    try {
      impl->session = std::make_unique<ort::InferenceSession>(onnx_path, so);
    } catch (...) {
      int8.wait();
      throw;
    }
    runtime = int8.get();
    if (!runtime->session_entries.empty()) {
      so.config_entries = runtime->session_entries;
      impl->session = std::make_unique<ort::InferenceSession>(onnx_path, so);
    }
  }
  impl->int8 = runtime->format.integer_gemms > 0;
  if (!runtime->warning.empty()) {
    impl->warnings.push_back(runtime->warning);
    if (options.print_warnings) std::fprintf(stderr, "warning: %s\n", runtime->warning.c_str());
  }
  if (!impl->head) {
    impl->contract = encode::detect_contract(onnx_path, impl->session->inputs(), impl->session->outputs(), vocab);
    if (options.fused_head && impl->contract.contract != ModelContract::kPooled)
      impl->unfused_reason = std::string("the model's contract is ") + to_string(impl->contract.contract);
  }
  impl->dropped_ids = {impl->tokenizer.pad_id(), impl->tokenizer.cls_id(), impl->tokenizer.sep_id()};
  return Encoder(std::move(impl));
}

ModelContract Encoder::contract() const { return impl_->contract.contract; }
const Tokenizer& Encoder::tokenizer() const { return impl_->tokenizer; }
const EncoderOptions& Encoder::options() const { return impl_->options; }
const std::vector<std::string>& Encoder::warnings() const { return impl_->warnings; }
bool Encoder::fused_head() const { return impl_->head != nullptr; }
bool Encoder::int8() const { return impl_->int8; }
const std::string& Encoder::unfused_reason() const { return impl_->unfused_reason; }
std::string Encoder::fused_head_kernel() const {
  if (!impl_->head) return "";
  return std::string(impl_->head->kernel_name()) + (impl_->int8_weight_scale.empty() ? "" : ", int8 decoder");
}
EncoderStats Encoder::stats() const { return {impl_->session->run_count(), impl_->session->run_seconds()}; }

SparseVector Encoder::encode(std::string_view text) const {
  return std::move(encode_batch({text}).front());
}

std::vector<SparseVector> Encoder::encode_batch(const std::vector<std::string_view>& texts) const {
  std::vector<Encoding> encodings;
  encodings.reserve(texts.size());
  const EncodeOptions eo = impl_->encode_options();
  for (auto t : texts) encodings.push_back(impl_->tokenizer.encode(t, eo));
  return encode_tokenized(encodings);
}

std::vector<SparseVector> Encoder::encode_tokenized(const std::vector<Encoding>& encodings) const {
  std::vector<SparseVector> result;
  result.reserve(encodings.size());
  if (encodings.empty()) return result;
  if (impl_->contract.contract == ModelContract::kAnserini) {
    for (const auto& e : encodings) result.push_back(impl_->encode_anserini(e));
    return result;
  }
  std::vector<const Encoding*> batch;
  for (const auto& e : encodings) batch.push_back(&e);
  impl_->encode_batched(batch, result);
  return result;
}

}  // namespace splade
