#include "quantize/int8_runtime.h"

#include "onnx/model_io.h"

namespace splade::quantize {

Int8Runtime int8_runtime(const onnx::ModelProto& model, const std::string& model_path, const cpu::CpuFeatures& cpu) {
  Int8Runtime r;
  r.format = read_int8_format(model);
  if (r.format.integer_gemms == 0) return r;
  const Int8Format worst = r.format.worst();
  r.exact_natively = exact_on(worst, cpu);
  if (r.exact_natively) {
    r.kernel = kernel_description(worst, cpu);
    return r;
  }
  r.warning = saturation_warning(model_path, r.format, cpu);
  r.kernel = kernel_description(Int8Format::kU8U8, cpu) + ", ORT's x64quantprecision fallback for u8s8 weights";
  r.session_entries.emplace_back("session.x64quantprecision", "1");
  return r;
}

Int8Runtime int8_runtime(const std::filesystem::path& model_path, const cpu::CpuFeatures& cpu) {
  return int8_runtime(onnxio::load_model(model_path), model_path.string(), cpu);
}

}  // namespace splade::quantize
