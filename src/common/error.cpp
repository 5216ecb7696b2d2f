#include "splade/error.h"

namespace splade {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kIo: return "I/O error";
    case ErrorCode::kRuntime: return "runtime error";
    case ErrorCode::kValidation: return "validation failed";
  }
  return "error";
}

}  // namespace splade
