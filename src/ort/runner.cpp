#include "ort/runner.h"

#include <onnxruntime_cxx_api.h>

#include "ort/environment.h"
#include "splade/error.h"

namespace splade::ort {

std::int64_t HostTensor::elements() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

namespace {

GraphOptimizationLevel to_ort(GraphOptimization level) {
  switch (level) {
    case GraphOptimization::kDisabled: return GraphOptimizationLevel::ORT_DISABLE_ALL;
    case GraphOptimization::kBasic: return GraphOptimizationLevel::ORT_ENABLE_BASIC;
    case GraphOptimization::kExtended: return GraphOptimizationLevel::ORT_ENABLE_EXTENDED;
    case GraphOptimization::kAll: return GraphOptimizationLevel::ORT_ENABLE_ALL;
  }
  return GraphOptimizationLevel::ORT_ENABLE_ALL;
}

[[noreturn]] void fail(const std::filesystem::path& model, const std::string& what) {
  std::string msg = what;
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  throw Error(ErrorCode::kRuntime, model.string() + ": onnxruntime: " + msg);
}

}  // namespace

struct Runner::Impl {
  std::filesystem::path path;
  Ort::Session session{nullptr};
  std::vector<IoInfo> inputs, outputs;
  std::vector<std::string> output_names;
};

Runner::Runner(const std::filesystem::path& model, const RunnerOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->path = model;
  try {
    Ort::SessionOptions so;
    so.SetGraphOptimizationLevel(to_ort(options.optimization));
    so.SetIntraOpNumThreads(options.intra_op_threads);
    so.SetInterOpNumThreads(1);
    impl_->session = Ort::Session(environment(), model.c_str(), so);
    Ort::AllocatorWithDefaultOptions alloc;
    auto describe = [&](bool input, size_t i) {
      IoInfo info;
      info.name = (input ? impl_->session.GetInputNameAllocated(i, alloc) : impl_->session.GetOutputNameAllocated(i, alloc)).get();
      auto type = input ? impl_->session.GetInputTypeInfo(i) : impl_->session.GetOutputTypeInfo(i);
      if (type.GetONNXType() == ONNX_TYPE_TENSOR) {
        auto t = type.GetTensorTypeAndShapeInfo();
        info.onnx_type = static_cast<int>(t.GetElementType());
        info.shape = t.GetShape();
      }
      return info;
    };
    for (size_t i = 0; i < impl_->session.GetInputCount(); ++i) impl_->inputs.push_back(describe(true, i));
    for (size_t i = 0; i < impl_->session.GetOutputCount(); ++i) {
      impl_->outputs.push_back(describe(false, i));
      impl_->output_names.push_back(impl_->outputs.back().name);
    }
  } catch (const Ort::Exception& e) {
    fail(model, e.what());
  }
}

Runner::~Runner() = default;

const std::vector<IoInfo>& Runner::inputs() const { return impl_->inputs; }
const std::vector<IoInfo>& Runner::outputs() const { return impl_->outputs; }

std::vector<HostTensor> Runner::run(const std::vector<HostTensor>& inputs) {
  auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<Ort::Value> values;
  std::vector<const char*> names;
  for (const auto& want : impl_->inputs) {
    const HostTensor* t = nullptr;
    for (const auto& h : inputs)
      if (h.name == want.name) t = &h;
    if (!t) throw Error(ErrorCode::kInvalidArgument, impl_->path.string() + ": no value given for model input '" + want.name + "'");
    auto& h = const_cast<HostTensor&>(*t);  // ORT wraps, never writes, input buffers
    switch (h.type) {
      case HostTensor::Type::kFloat:
        values.push_back(Ort::Value::CreateTensor<float>(mem, h.f.data(), h.f.size(), h.shape.data(), h.shape.size()));
        break;
      case HostTensor::Type::kInt64:
        values.push_back(Ort::Value::CreateTensor<std::int64_t>(mem, h.i64.data(), h.i64.size(), h.shape.data(), h.shape.size()));
        break;
      case HostTensor::Type::kInt32:
        values.push_back(Ort::Value::CreateTensor<std::int32_t>(mem, h.i32.data(), h.i32.size(), h.shape.data(), h.shape.size()));
        break;
    }
    names.push_back(want.name.c_str());
  }
  std::vector<const char*> out_names;
  for (const auto& n : impl_->output_names) out_names.push_back(n.c_str());
  std::vector<Ort::Value> outs;
  try {
    outs = impl_->session.Run(Ort::RunOptions{nullptr}, names.data(), values.data(), values.size(), out_names.data(),
                              out_names.size());
  } catch (const Ort::Exception& e) {
    fail(impl_->path, e.what());
  }
  std::vector<HostTensor> result;
  for (size_t i = 0; i < outs.size(); ++i) {
    HostTensor h;
    h.name = impl_->output_names[i];
    auto info = outs[i].GetTensorTypeAndShapeInfo();
    h.shape = info.GetShape();
    const size_t n = info.GetElementCount();
    switch (info.GetElementType()) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: {
        h.type = HostTensor::Type::kInt64;
        const auto* p = outs[i].GetTensorData<std::int64_t>();
        h.i64.assign(p, p + n);
        break;
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: {
        h.type = HostTensor::Type::kInt32;
        const auto* p = outs[i].GetTensorData<std::int32_t>();
        h.i32.assign(p, p + n);
        break;
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: {
        const auto* p = outs[i].GetTensorData<float>();
        h.f.assign(p, p + n);
        break;
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: {
        const auto* p = outs[i].GetTensorData<Ort::Float16_t>();
        h.f.resize(n);
        for (size_t j = 0; j < n; ++j) h.f[j] = p[j].ToFloat();
        break;
      }
      default:
        fail(impl_->path, "output '" + h.name + "' has an element type other than float/float16/int32/int64");
    }
    result.push_back(std::move(h));
  }
  return result;
}

void save_ort_optimized(const std::filesystem::path& in, const std::filesystem::path& out, GraphOptimization level) {
  try {
    Ort::SessionOptions so;
    so.SetGraphOptimizationLevel(to_ort(level));
    so.SetIntraOpNumThreads(1);
    so.SetOptimizedModelFilePath(out.c_str());
    Ort::Session session(environment(), in.c_str(), so);
  } catch (const Ort::Exception& e) {
    fail(in, e.what());
  }
}

}  // namespace splade::ort
