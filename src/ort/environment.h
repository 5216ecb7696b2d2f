// The one ONNX Runtime environment of the process, and session helpers. Only src/ort/
// includes onnxruntime headers.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace Ort {
struct Env;
}

namespace splade::ort {

// Created on first use; ORT logs only errors (to stderr).
Ort::Env& environment();

// Tries to create a session for `model_path` (CPU, no graph optimizations, so the model
// is checked as written). Returns ORT's error message, or nullopt when it loads.
std::optional<std::string> try_load(const std::filesystem::path& model_path);

}  // namespace splade::ort
