#pragma once

#include <string>

namespace splade {

// splade.cpp's own version, e.g. "0.1.0".
std::string version();
// The version of the ONNX Runtime library loaded at run time, e.g. "1.30.0".
std::string onnxruntime_version();

}  // namespace splade
