#include "ort/session.h"

#include <onnxruntime_cxx_api.h>

#include "ort/environment.h"
#include "splade/error.h"

namespace splade::ort {

Tensor Tensor::int64(std::string name, std::vector<std::int64_t> shape, std::vector<std::int64_t> values) {
  Tensor t;
  t.name = std::move(name);
  t.type = Type::kInt64;
  t.shape = std::move(shape);
  t.ints = std::move(values);
  return t;
}

Tensor Tensor::float32(std::string name, std::vector<std::int64_t> shape, std::vector<float> values) {
  Tensor t;
  t.name = std::move(name);
  t.type = Type::kFloat;
  t.shape = std::move(shape);
  t.floats = std::move(values);
  return t;
}

std::int64_t Tensor::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

struct Session::Impl {
  std::filesystem::path path;
  std::unique_ptr<Ort::Session> session;
  std::vector<std::string> inputs, outputs;
};

Session::Session(const std::filesystem::path& model_path, const SessionOptions& options) : impl_(new Impl) {
  impl_->path = model_path;
  try {
    Ort::SessionOptions so;
    so.SetGraphOptimizationLevel(options.optimize ? GraphOptimizationLevel::ORT_ENABLE_ALL
                                                  : GraphOptimizationLevel::ORT_DISABLE_ALL);
    if (options.intra_op_threads > 0) so.SetIntraOpNumThreads(options.intra_op_threads);
    for (const auto& [key, value] : options.config_entries) so.AddConfigEntry(key.c_str(), value.c_str());
    impl_->session = std::make_unique<Ort::Session>(environment(), model_path.c_str(), so);
    Ort::AllocatorWithDefaultOptions alloc;
    for (size_t i = 0; i < impl_->session->GetInputCount(); ++i)
      impl_->inputs.emplace_back(impl_->session->GetInputNameAllocated(i, alloc).get());
    for (size_t i = 0; i < impl_->session->GetOutputCount(); ++i)
      impl_->outputs.emplace_back(impl_->session->GetOutputNameAllocated(i, alloc).get());
  } catch (const Ort::Exception& e) {
    throw Error(ErrorCode::kRuntime, model_path.string() + ": ONNX Runtime cannot load the model: " + e.what());
  }
}

Session::~Session() = default;

const std::vector<std::string>& Session::input_names() const { return impl_->inputs; }
const std::vector<std::string>& Session::output_names() const { return impl_->outputs; }

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs, const std::vector<std::string>& outputs) const {
  try {
    auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    std::vector<Ort::Value> values;
    std::vector<const char*> in_names;
    for (const auto& t : inputs) {
      if (static_cast<size_t>(t.numel()) != (t.type == Tensor::Type::kFloat ? t.floats.size() : t.ints.size()))
        throw Error(ErrorCode::kInvalidArgument, impl_->path.string() + ": input '" + t.name +
                                                     "' has a shape that disagrees with its number of values");
      // ORT only reads inputs; the const_cast is the C API's signature.
      if (t.type == Tensor::Type::kFloat)
        values.push_back(Ort::Value::CreateTensor<float>(mem, const_cast<float*>(t.floats.data()), t.floats.size(),
                                                         t.shape.data(), t.shape.size()));
      else
        values.push_back(Ort::Value::CreateTensor<std::int64_t>(mem, const_cast<std::int64_t*>(t.ints.data()),
                                                                t.ints.size(), t.shape.data(), t.shape.size()));
      in_names.push_back(t.name.c_str());
    }
    const auto& want = outputs.empty() ? impl_->outputs : outputs;
    std::vector<const char*> out_names;
    for (const auto& n : want) out_names.push_back(n.c_str());
    auto results = impl_->session->Run(Ort::RunOptions{nullptr}, in_names.data(), values.data(), values.size(),
                                       out_names.data(), out_names.size());
    std::vector<Tensor> out;
    for (size_t k = 0; k < results.size(); ++k) {
      auto info = results[k].GetTensorTypeAndShapeInfo();
      Tensor t;
      t.name = want[k];
      t.shape = info.GetShape();
      const size_t n = info.GetElementCount();
      switch (info.GetElementType()) {
        case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: {
          const float* p = results[k].GetTensorData<float>();
          t.floats.assign(p, p + n);
          break;
        }
        case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: {
          const double* p = results[k].GetTensorData<double>();
          t.floats.assign(p, p + n);
          break;
        }
        case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: {
          const Ort::Float16_t* p = results[k].GetTensorData<Ort::Float16_t>();
          t.floats.resize(n);
          for (size_t i = 0; i < n; ++i) t.floats[i] = p[i].ToFloat();
          break;
        }
        case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: {
          t.type = Tensor::Type::kInt64;
          const std::int64_t* p = results[k].GetTensorData<std::int64_t>();
          t.ints.assign(p, p + n);
          break;
        }
        case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: {
          t.type = Tensor::Type::kInt64;
          const std::int32_t* p = results[k].GetTensorData<std::int32_t>();
          t.ints.assign(p, p + n);
          break;
        }
        case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: {
          t.type = Tensor::Type::kInt64;
          const bool* p = results[k].GetTensorData<bool>();
          t.ints.assign(p, p + n);
          break;
        }
        default:
          throw Error(ErrorCode::kUnsupported, impl_->path.string() + ": output '" + t.name +
                                                   "' has an element type this helper does not convert");
      }
      out.push_back(std::move(t));
    }
    return out;
  } catch (const Ort::Exception& e) {
    throw Error(ErrorCode::kRuntime, impl_->path.string() + ": ONNX Runtime run failed: " + e.what());
  }
}

}  // namespace splade::ort
