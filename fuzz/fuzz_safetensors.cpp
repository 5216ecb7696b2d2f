// libFuzzer: arbitrary bytes as a safetensors file. Must either throw splade::Error or
// yield tensors whose every byte lies inside the input (read them all to let ASan check).
#include <cstddef>
#include <cstdint>
#include <span>

#include "hf/dtype.h"
#include "hf/safetensors.h"
#include "splade/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  try {
    splade::hf::parse_safetensors(bytes, "fuzz.safetensors", [&](splade::hf::TensorEntry t) {
      volatile std::uint8_t sink = 0;
      const auto n = static_cast<std::size_t>(t.numel()) * splade::hf::dtype_size(t.dtype);
      for (std::size_t i = 0; i < n; ++i) sink ^= static_cast<std::uint8_t>(t.data[i]);
      (void)sink;
    });
  } catch (const splade::Error&) {
  }
  return 0;
}
