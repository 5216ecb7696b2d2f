#include "ort/runner.h"

#include "splade/error.h"

namespace splade::ort {

std::int64_t HostTensor::elements() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

namespace {

SessionOptions session_options(const RunnerOptions& options) {
  SessionOptions so;
  so.intra_op_threads = options.intra_op_threads;
  so.optimization = options.optimization;
  so.config_entries = options.config_entries;
  return so;
}

std::vector<IoInfo> io_infos(const std::vector<IoSpec>& specs) {
  std::vector<IoInfo> out;
  for (const auto& s : specs) out.push_back({s.name, s.onnx_type, s.dims});
  return out;
}

}  // namespace

Runner::Runner(const std::filesystem::path& model, const RunnerOptions& options)
    : path_(model),
      session_(model, session_options(options)),
      inputs_(io_infos(session_.inputs())),
      outputs_(io_infos(session_.outputs())) {
  for (const auto& o : outputs_) output_names_.push_back(o.name);
}

Runner::~Runner() = default;

const std::vector<IoInfo>& Runner::inputs() const { return inputs_; }
const std::vector<IoInfo>& Runner::outputs() const { return outputs_; }

std::vector<HostTensor> Runner::run(const std::vector<HostTensor>& inputs) {
  std::vector<TensorInput> feeds;
  for (const auto& want : inputs_) {
    const HostTensor* t = nullptr;
    for (const auto& h : inputs)
      if (h.name == want.name) t = &h;
    if (!t) throw Error(ErrorCode::kInvalidArgument, path_.string() + ": no value given for model input '" + want.name + "'");
    switch (t->type) {
      case HostTensor::Type::kFloat: feeds.push_back({want.name, ElementType::kFloat, t->f.data(), t->shape}); break;
      case HostTensor::Type::kInt64: feeds.push_back({want.name, ElementType::kInt64, t->i64.data(), t->shape}); break;
      case HostTensor::Type::kInt32: feeds.push_back({want.name, ElementType::kInt32, t->i32.data(), t->shape}); break;
    }
  }
  const RunOutputs outs = session_.run(feeds, output_names_);
  std::vector<HostTensor> result;
  for (std::size_t i = 0; i < outs.size(); ++i) {
    HostTensor h;
    h.name = output_names_[i];
    h.shape = outs.dims(i);
    const std::size_t n = outs.element_count(i);
    switch (outs.type(i)) {
      case ElementType::kInt64:
        h.type = HostTensor::Type::kInt64;
        h.i64.assign(outs.int64s(i), outs.int64s(i) + n);
        break;
      case ElementType::kInt32:
        h.type = HostTensor::Type::kInt32;
        h.i32.assign(outs.int32s(i), outs.int32s(i) + n);
        break;
      case ElementType::kFloat:
      case ElementType::kFloat16:
        h.f = outs.float_values(i);
        break;
      default:
        throw Error(ErrorCode::kRuntime, path_.string() + ": onnxruntime: output '" + h.name +
                                             "' has an element type other than float/float16/int32/int64");
    }
    result.push_back(std::move(h));
  }
  return result;
}

}  // namespace splade::ort
