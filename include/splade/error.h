// splade::Error is the one exception type libsplade throws on bad input or a failed
// operation. Messages name the file, the field and what was expected, on one line.
#pragma once

#include <stdexcept>
#include <string>

namespace splade {

enum class ErrorCode {
  kInvalidArgument,  // a bad option or parameter value
  kNotFound,         // a file, tensor or field that should be there is not
  kCorrupt,          // a file exists but its content is malformed or truncated
  kUnsupported,      // well-formed input this version does not handle
  kIo,               // the operating system refused a read or write
  kRuntime,          // ONNX Runtime (or another engine) failed while running
  kValidation,       // a numerical check failed (e.g. conversion above tolerance)
};

const char* to_string(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace splade
