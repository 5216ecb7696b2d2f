// How ONNX Runtime should run a (possibly) int8 model on this CPU: its integer format read
// from the graph, the kernel that computes it here, and the session config that keeps the
// result exact. Shared by the Encoder (encode, search --model) and quantize's report.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "quantize/int8_format.h"

namespace splade::quantize {

struct Int8Runtime {
  ModelInt8Format format;
  bool exact_natively = true;   // the kernels ORT picks by default are exact on this CPU
  std::string kernel;           // kernel_description of the format that runs ("" if no integer GEMM)
  std::string warning;          // one line when !exact_natively, else ""
  // ORT session config entries to run it exactly here: {"session.x64quantprecision", "1"}
  // when u8s8 weights would saturate (ORT then re-packs the int8 weights as uint8 at load
  // and runs its U8U8 kernels).
  std::vector<std::pair<std::string, std::string>> session_entries;
};

Int8Runtime int8_runtime(const onnx::ModelProto& model, const std::string& model_path,
                         const cpu::CpuFeatures& cpu = cpu::cpu_features());
// Reads the model file (throws splade::Error as onnxio::load_model does).
Int8Runtime int8_runtime(const std::filesystem::path& model_path, const cpu::CpuFeatures& cpu = cpu::cpu_features());

}  // namespace splade::quantize
