// Decoding of libstreamvbyte's format ("Stream VByte", Lemire et al. 2017) with SSSE3
// shuffles. Debian's libstreamvbyte is built for baseline x86-64 and decodes one byte at a
// time; this decoder gives the same output (tested against the library) several times
// faster. Encoding stays with the library. Falls back to the library without SSSE3.
#pragma once

#include <cstddef>
#include <cstdint>

namespace splade::svb {

// As streamvbyte_decode: `n` values; returns the bytes consumed. May read up to 16 bytes
// past the encoded data (the index keeps that much padding at the end of postings.bin).
std::size_t decode(const std::uint8_t* in, std::uint32_t* out, std::uint32_t n);
// As streamvbyte_delta_decode: prefix sums starting from `prev`.
std::size_t delta_decode(const std::uint8_t* in, std::uint32_t* out, std::uint32_t n, std::uint32_t prev);

}  // namespace splade::svb
