// The message of the splade::Error a call throws, for tests that assert on messages.
#pragma once

#include <functional>
#include <string>

#include "splade/error.h"

namespace splade::testing {

inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace splade::testing
