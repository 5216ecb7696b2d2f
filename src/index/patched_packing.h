// Patched frame of reference (PFOR, Zukowski et al. 2006; Lucene's PForUtil does the same for
// term frequencies): a block part packed at a width below its largest value's, with the few
// values that do not fit stored as exceptions. The rare large doc-id gap or impact of a block
// then costs a couple of bytes instead of widening all 128 values.
//
// Encoded part for n values at Width{bits, high_bits}:
//   bitpack::pack(low `bits` bits of every value)        (bit_packing.h layout)
//   if high_bits > 0: u8 count; u8 position[count]; high part (value >> bits) of each, in
//   ceil(high_bits / 8) little-endian bytes.
// The block's largest value has exactly bits + high_bits bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace splade::pfor {

struct Width {
  std::uint8_t bits = 0;       // packed width
  std::uint8_t high_bits = 0;  // width of the exceptions' high parts (0: no exceptions)
};

// The width that makes values[0..n) smallest (at most 255 exceptions).
Width choose(const std::uint32_t* values, std::uint32_t n);
// Appends the encoded part to `out`; returns its size.
std::size_t encode(const std::uint32_t* values, std::uint32_t n, Width w, std::vector<std::uint8_t>& out);
// Size of the encoded part at `in`, of which `available` bytes may be read; nullopt when it
// would not fit or is malformed (no exceptions or one at a position >= n, widths over 32).
std::optional<std::size_t> encoded_size(const std::uint8_t* in, std::size_t available, std::uint32_t n, Width w);
// Size of a part already validated by encoded_size (reads its exception count).
std::size_t size(const std::uint8_t* in, std::uint32_t n, Width w);
// Decodes the values into out[0..4 * ceil(n / 4)) (the slots past n are unspecified).
void decode(const std::uint8_t* in, std::uint32_t n, Width w, std::uint32_t* out);

// The index's two parts of a block (format.h): doc ids from their (gap - 1) values after
// `prev` (bitpack::encode_gaps), and impacts from impact - 1. Without exceptions these are
// the fused single-pass decoders of bit_packing.h.
void decode_docs(const std::uint8_t* in, std::uint32_t n, Width w, std::uint32_t prev, std::uint32_t* docs);
void decode_impacts(const std::uint8_t* in, std::uint32_t n, Width w, std::uint32_t* impacts);

}  // namespace splade::pfor
