#include "optimize/model_check.h"

#include <cmath>
#include <map>

#include "splade/error.h"

namespace splade::optimize {

namespace {
constexpr int kFloat = 1, kInt32 = 6, kInt64 = 7;

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }
}  // namespace

ModelIo describe_io(ort::Runner& runner) {
  ModelIo io;
  io.inputs = runner.inputs();
  io.outputs = runner.outputs();
  for (size_t i = 0; i < io.outputs.size(); ++i) {
    const auto& o = io.outputs[i];
    if (o.shape.size() != 1) continue;
    if (o.onnx_type == kInt64 && io.sparse_idx_output < 0) io.sparse_idx_output = static_cast<int>(i);
    if (o.onnx_type == kFloat && io.sparse_weight_output < 0) io.sparse_weight_output = static_cast<int>(i);
  }
  io.sparse_splade = io.outputs.size() == 2 && io.sparse_idx_output >= 0 && io.sparse_weight_output >= 0;
  return io;
}

std::vector<ort::HostTensor> make_inputs(const ModelIo& io, const std::vector<std::vector<std::int64_t>>& ids) {
  const std::int64_t batch = static_cast<std::int64_t>(ids.size());
  std::int64_t seq = 0;
  for (const auto& row : ids) seq = std::max<std::int64_t>(seq, static_cast<std::int64_t>(row.size()));
  std::vector<ort::HostTensor> out;
  for (const auto& in : io.inputs) {
    ort::HostTensor t;
    t.name = in.name;
    const bool token_shaped = in.shape.size() == 2 && in.shape[1] < 0;  // [batch, sequence]
    if (token_shaped) {
      t.shape = {batch, seq};
    } else {
      // Not a [batch, sequence] input: fixed dims as declared, symbolic ones 1 (dim 0: batch).
      for (size_t d = 0; d < in.shape.size(); ++d) t.shape.push_back(in.shape[d] >= 0 ? in.shape[d] : (d == 0 ? batch : 1));
    }
    const std::int64_t n = t.elements();
    std::vector<std::int64_t> v(static_cast<size_t>(n), 0);
    const bool is_float = in.onnx_type == kFloat;
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t b = token_shaped ? i / seq : 0, s = token_shaped ? i % seq : i;
      const bool real = !token_shaped || s < static_cast<std::int64_t>(ids[b].size());
      auto& x = v[i];
      if (contains(in.name, "mask")) x = real ? 1 : 0;
      else if (contains(in.name, "type") || contains(in.name, "segment")) x = 0;
      else if (contains(in.name, "position")) x = s;
      else if (token_shaped && !is_float) x = real ? ids[b][s] : 0;
      else x = static_cast<std::int64_t>((i * 7919) % 13);  // any other input: small deterministic values
    }
    if (in.onnx_type == kInt64) {
      t.type = ort::HostTensor::Type::kInt64, t.i64 = std::move(v);
    } else if (in.onnx_type == kInt32) {
      t.type = ort::HostTensor::Type::kInt32;
      t.i32.assign(v.begin(), v.end());
    } else if (is_float) {
      t.type = ort::HostTensor::Type::kFloat;
      for (auto x : v) t.f.push_back(contains(in.name, "mask") ? static_cast<float>(x) : static_cast<float>(x) * 0.25f - 1.5f);
    } else {
      throw Error(ErrorCode::kUnsupported, "model input '" + in.name + "': expected an int64, int32 or float tensor");
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::vector<std::vector<std::int64_t>>> builtin_batches(const ModelIo& io) {
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next_id = [&]() {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return static_cast<std::int64_t>(1000 + state % 1000);
  };
  auto text = [&](int len) {
    std::vector<std::int64_t> ids{101};  // [CLS]
    for (int i = 0; i < len - 2; ++i) ids.push_back(next_id());
    ids.push_back(102);  // [SEP]
    return ids;
  };
  std::vector<std::vector<std::vector<std::int64_t>>> batches;
  for (int len : {5, 12, 40}) batches.push_back({text(len)});
  if (!io.sparse_splade) batches.push_back({text(16), text(9)});  // right padding
  return batches;
}

std::vector<OutputDiff> compare_outputs(const ModelIo& io, const std::vector<ort::HostTensor>& a,
                                        const std::vector<ort::HostTensor>& b) {
  std::vector<OutputDiff> diffs;
  if (io.sparse_splade) {
    auto dense = [&](const std::vector<ort::HostTensor>& o) {
      std::map<std::int64_t, double> m;
      const auto& idx = o[io.sparse_idx_output].i64;
      const auto& w = o[io.sparse_weight_output].f;
      for (size_t i = 0; i < idx.size() && i < w.size(); ++i) m[idx[i]] = std::max(m[idx[i]], static_cast<double>(w[i]));
      return m;
    };
    auto da = dense(a), db = dense(b);
    std::map<std::int64_t, double> all = da;
    for (const auto& [k, v] : db) all.emplace(k, 0.0);
    OutputDiff d;
    d.name = io.outputs[io.sparse_weight_output].name + " (by term id)";
    for (const auto& [k, _] : all) {
      const double x = da.count(k) ? da[k] : 0.0, y = db.count(k) ? db[k] : 0.0;
      d.max_abs = std::max(d.max_abs, std::abs(x - y));
      d.mean_abs += std::abs(x - y);
    }
    if (!all.empty()) d.mean_abs /= static_cast<double>(all.size());
    diffs.push_back(d);
    return diffs;
  }
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    OutputDiff d;
    d.name = a[i].name;
    if (a[i].shape != b[i].shape) {
      d.shape_mismatch = true;
      diffs.push_back(d);
      continue;
    }
    const size_t n = a[i].type == ort::HostTensor::Type::kFloat ? a[i].f.size()
                     : a[i].type == ort::HostTensor::Type::kInt64 ? a[i].i64.size() : a[i].i32.size();
    for (size_t j = 0; j < n; ++j) {
      double x, y;
      if (a[i].type == ort::HostTensor::Type::kFloat) x = a[i].f[j], y = b[i].f[j];
      else if (a[i].type == ort::HostTensor::Type::kInt64) x = static_cast<double>(a[i].i64[j]), y = static_cast<double>(b[i].i64[j]);
      else x = a[i].i32[j], y = b[i].i32[j];
      const double e = std::abs(x - y);
      d.max_abs = std::max(d.max_abs, std::isnan(e) ? INFINITY : e);
      d.mean_abs += e;
    }
    if (n) d.mean_abs /= static_cast<double>(n);
    diffs.push_back(d);
  }
  return diffs;
}

}  // namespace splade::optimize
