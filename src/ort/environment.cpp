#include "ort/environment.h"

#include <onnxruntime_cxx_api.h>

#include "splade/version.h"

namespace splade::ort {

Ort::Env& environment() {
  static Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "splade");
  return env;
}

std::optional<std::string> try_load(const std::filesystem::path& model_path) {
  try {
    Ort::SessionOptions options;
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_DISABLE_ALL);
    options.SetIntraOpNumThreads(1);
    Ort::Session session(environment(), model_path.c_str(), options);
    return std::nullopt;
  } catch (const Ort::Exception& e) {
    return std::string(e.what());
  }
}

}  // namespace splade::ort

namespace splade {

std::string onnxruntime_version() { return OrtGetApiBase()->GetVersionString(); }

}  // namespace splade
