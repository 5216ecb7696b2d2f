// Element types of checkpoint tensors (safetensors dtype strings, torch storage classes),
// and their conversion to fp32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace splade::hf {

enum class DType { kF32, kF16, kBF16, kF64, kI64, kI32, kI16, kI8, kU8, kBool };

// Bytes per element.
std::size_t dtype_size(DType t);
// The safetensors spelling: "F32", "F16", "BF16", "F64", "I64", ...
const char* dtype_name(DType t);
// True for F32, F16, BF16, F64: the types a weight may have.
bool is_floating(DType t);

// IEEE half and bfloat16 bit patterns to float (exact: every value is representable).
float half_to_float(std::uint16_t bits);
inline float bfloat16_to_float(std::uint16_t bits) {
  std::uint32_t u = static_cast<std::uint32_t>(bits) << 16;
  float f;
  __builtin_memcpy(&f, &u, sizeof f);
  return f;
}

// Converts `count` elements of floating type `t` at `src` (unaligned, little-endian) to fp32.
void convert_to_float(DType t, const std::byte* src, std::size_t count, float* dst);

}  // namespace splade::hf
