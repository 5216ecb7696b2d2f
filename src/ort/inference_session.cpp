#include "ort/inference_session.h"

#include <onnxruntime_cxx_api.h>

#include <atomic>
#include <chrono>

#include "ort/environment.h"
#include "splade/error.h"

namespace splade::ort {
namespace {

ElementType from_onnx(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return ElementType::kFloat;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return ElementType::kInt64;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return ElementType::kInt32;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return ElementType::kFloat16;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8: return ElementType::kUInt8;
    default: return ElementType::kOther;
  }
}

GraphOptimizationLevel to_ort(GraphOptimization level) {
  switch (level) {
    case GraphOptimization::kDisabled: return GraphOptimizationLevel::ORT_DISABLE_ALL;
    case GraphOptimization::kBasic: return GraphOptimizationLevel::ORT_ENABLE_BASIC;
    case GraphOptimization::kExtended: return GraphOptimizationLevel::ORT_ENABLE_EXTENDED;
    case GraphOptimization::kAll: return GraphOptimizationLevel::ORT_ENABLE_ALL;
  }
  return GraphOptimizationLevel::ORT_ENABLE_ALL;
}

// ORT's messages may span lines; errors here are one line.
std::string one_line(std::string msg) {
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  return msg;
}

IoSpec describe(const std::string& name, const Ort::TypeInfo& info) {
  IoSpec spec;
  spec.name = name;
  if (info.GetONNXType() != ONNX_TYPE_TENSOR) return spec;
  auto tensor = info.GetTensorTypeAndShapeInfo();
  spec.type = from_onnx(tensor.GetElementType());
  spec.onnx_type = static_cast<int>(tensor.GetElementType());
  spec.dims = tensor.GetShape();
  return spec;
}

}  // namespace

struct RunOutputs::Impl {
  std::vector<Ort::Value> values;
};

RunOutputs::RunOutputs() : impl(std::make_unique<Impl>()) {}
RunOutputs::~RunOutputs() = default;
RunOutputs::RunOutputs(RunOutputs&&) noexcept = default;
RunOutputs& RunOutputs::operator=(RunOutputs&&) noexcept = default;

std::size_t RunOutputs::size() const { return impl->values.size(); }
std::vector<std::int64_t> RunOutputs::dims(std::size_t i) const {
  return impl->values.at(i).GetTensorTypeAndShapeInfo().GetShape();
}
ElementType RunOutputs::type(std::size_t i) const {
  return from_onnx(impl->values.at(i).GetTensorTypeAndShapeInfo().GetElementType());
}
std::size_t RunOutputs::element_count(std::size_t i) const {
  return impl->values.at(i).GetTensorTypeAndShapeInfo().GetElementCount();
}
const float* RunOutputs::floats(std::size_t i) const {
  if (type(i) != ElementType::kFloat) throw Error(ErrorCode::kRuntime, "model output " + std::to_string(i) + " is not float");
  return impl->values.at(i).GetTensorData<float>();
}
const std::int64_t* RunOutputs::int64s(std::size_t i) const {
  if (type(i) != ElementType::kInt64) throw Error(ErrorCode::kRuntime, "model output " + std::to_string(i) + " is not int64");
  return impl->values.at(i).GetTensorData<std::int64_t>();
}
const std::int32_t* RunOutputs::int32s(std::size_t i) const {
  if (type(i) != ElementType::kInt32) throw Error(ErrorCode::kRuntime, "model output " + std::to_string(i) + " is not int32");
  return impl->values.at(i).GetTensorData<std::int32_t>();
}
const std::uint8_t* RunOutputs::uint8s(std::size_t i) const {
  if (type(i) != ElementType::kUInt8) throw Error(ErrorCode::kRuntime, "model output " + std::to_string(i) + " is not uint8");
  return impl->values.at(i).GetTensorData<std::uint8_t>();
}
std::vector<float> RunOutputs::float_values(std::size_t i) const {
  const std::size_t n = element_count(i);
  if (type(i) == ElementType::kFloat16) {
    const auto* p = impl->values.at(i).GetTensorData<Ort::Float16_t>();
    std::vector<float> out(n);
    for (std::size_t j = 0; j < n; ++j) out[j] = p[j].ToFloat();
    return out;
  }
  const float* p = floats(i);
  return std::vector<float>(p, p + n);
}

struct InferenceSession::Impl {
  std::unique_ptr<Ort::Session> session;
  std::vector<IoSpec> inputs, outputs;
  std::string path;
  std::atomic<std::uint64_t> runs{0};
  std::atomic<std::uint64_t> run_nanoseconds{0};
};

namespace {

Ort::SessionOptions ort_options(const SessionOptions& options) {
  Ort::SessionOptions so;
  so.SetGraphOptimizationLevel(to_ort(options.optimization));
  if (options.intra_op_threads > 0) so.SetIntraOpNumThreads(options.intra_op_threads);
  so.SetInterOpNumThreads(1);
  for (const auto& [key, value] : options.config_entries) so.AddConfigEntry(key.c_str(), value.c_str());
  return so;
}

}  // namespace

void InferenceSession::describe_io() {
  Ort::AllocatorWithDefaultOptions allocator;
  for (size_t i = 0; i < impl_->session->GetInputCount(); ++i)
    impl_->inputs.push_back(describe(impl_->session->GetInputNameAllocated(i, allocator).get(),
                                     impl_->session->GetInputTypeInfo(i)));
  for (size_t i = 0; i < impl_->session->GetOutputCount(); ++i)
    impl_->outputs.push_back(describe(impl_->session->GetOutputNameAllocated(i, allocator).get(),
                                      impl_->session->GetOutputTypeInfo(i)));
}

InferenceSession::InferenceSession(const std::filesystem::path& model_path, const SessionOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = model_path.string();
  try {
    impl_->session = std::make_unique<Ort::Session>(environment(), model_path.c_str(), ort_options(options));
    describe_io();
  } catch (const Ort::Exception& e) {
    throw Error(ErrorCode::kRuntime, impl_->path + ": ONNX Runtime cannot load the model: " + one_line(e.what()));
  }
}

InferenceSession::InferenceSession(const std::string& model_bytes, const std::string& label, const SessionOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = label;
  try {
    impl_->session =
        std::make_unique<Ort::Session>(environment(), model_bytes.data(), model_bytes.size(), ort_options(options));
    describe_io();
  } catch (const Ort::Exception& e) {
    throw Error(ErrorCode::kRuntime, impl_->path + ": ONNX Runtime cannot load the model: " + one_line(e.what()));
  }
}

InferenceSession::~InferenceSession() = default;

const std::vector<IoSpec>& InferenceSession::inputs() const { return impl_->inputs; }
const std::vector<IoSpec>& InferenceSession::outputs() const { return impl_->outputs; }

RunOutputs InferenceSession::run(const std::vector<Int64Input>& inputs,
                                 const std::vector<std::string>& output_names) const {
  std::vector<TensorInput> views;
  views.reserve(inputs.size());
  for (const auto& in : inputs) views.push_back({in.name, ElementType::kInt64, in.data, in.dims});
  return run(views, output_names);
}

RunOutputs InferenceSession::run(const std::vector<TensorInput>& inputs,
                                 const std::vector<std::string>& output_names) const {
  auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<Ort::Value> values;
  std::vector<const char*> in_names, out_names;
  values.reserve(inputs.size());
  for (const auto& in : inputs) {
    std::size_t count = 1;
    for (auto d : in.dims) count *= static_cast<std::size_t>(d);
    // ORT only reads inputs; the const_casts are what its C API asks for.
    switch (in.type) {
      case ElementType::kInt64:
        values.push_back(Ort::Value::CreateTensor<std::int64_t>(
            memory, const_cast<std::int64_t*>(static_cast<const std::int64_t*>(in.data)), count, in.dims.data(), in.dims.size()));
        break;
      case ElementType::kInt32:
        values.push_back(Ort::Value::CreateTensor<std::int32_t>(
            memory, const_cast<std::int32_t*>(static_cast<const std::int32_t*>(in.data)), count, in.dims.data(), in.dims.size()));
        break;
      case ElementType::kFloat:
        values.push_back(Ort::Value::CreateTensor<float>(
            memory, const_cast<float*>(static_cast<const float*>(in.data)), count, in.dims.data(), in.dims.size()));
        break;
      default:
        throw Error(ErrorCode::kInvalidArgument, impl_->path + ": input '" + in.name + "': only float, int64 and int32 inputs are supported");
    }
    in_names.push_back(in.name.c_str());
  }
  for (const auto& name : output_names) out_names.push_back(name.c_str());
  RunOutputs result;
  const auto start = std::chrono::steady_clock::now();
  try {
    result.impl->values = impl_->session->Run(Ort::RunOptions{nullptr}, in_names.data(), values.data(), values.size(),
                                              out_names.data(), out_names.size());
  } catch (const Ort::Exception& e) {
    throw Error(ErrorCode::kRuntime, impl_->path + ": ONNX Runtime Run failed: " + one_line(e.what()));
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  impl_->run_nanoseconds.fetch_add(
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()),
      std::memory_order_relaxed);
  impl_->runs.fetch_add(1, std::memory_order_relaxed);
  return result;
}

std::uint64_t InferenceSession::run_count() const { return impl_->runs.load(std::memory_order_relaxed); }
double InferenceSession::run_seconds() const {
  return static_cast<double>(impl_->run_nanoseconds.load(std::memory_order_relaxed)) * 1e-9;
}

void save_ort_optimized(const std::filesystem::path& in, const std::filesystem::path& out, GraphOptimization level) {
  try {
    Ort::SessionOptions so;
    so.SetGraphOptimizationLevel(to_ort(level));
    so.SetIntraOpNumThreads(1);
    so.SetOptimizedModelFilePath(out.c_str());
    Ort::Session session(environment(), in.c_str(), so);
  } catch (const Ort::Exception& e) {
    throw Error(ErrorCode::kRuntime, in.string() + ": onnxruntime: " + one_line(e.what()));
  }
}

}  // namespace splade::ort
