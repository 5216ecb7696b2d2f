// The posting codec of the impact index (format version 2): fixed-width binary packing of up
// to 128 values in four interleaved 32-bit lanes, the layout of Lemire and Boytsov's
// SIMD-BP128 ("Decoding billions of integers per second through vectorization", 2015), so
// that one SSE2 shift-and-mask decodes four values at a time.
//
// Layout of n values (1..128) at b bits (0..32): value i belongs to lane i % 4, row i / 4;
// rows = ceil(n / 4). Each lane is a little-endian bit stream of rows * b bits, in
// ceil(rows * b / 32) 32-bit words; word k of lane l is stored at word index 4k + l. So the
// packed size is 16 * ceil(rows * b / 32) bytes, and positions n..4*rows-1 hold zeros.
//
// Compared with Stream VByte (byte-aligned, 2 control bits per value), a block costs the bit
// width of its largest value instead of whole bytes: doc-id gaps of ~250 take 8-10 bits, not
// 10-18, and SPLADE impacts (< 2^8 typically) 5-8 bits, not 10. BENCHMARKS.md has the sizes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace splade::bitpack {

inline constexpr std::uint32_t kMaxValues = 128;

// Bits needed for the largest of `n` values (0 when all are zero).
std::uint32_t bits_needed(const std::uint32_t* values, std::uint32_t n);
// Bytes that n values at `bits` occupy: 16 * ceil(ceil(n / 4) * bits / 32).
std::size_t packed_bytes(std::uint32_t n, std::uint32_t bits);

// Packs values[0..n) (each < 2^bits) into out[0..packed_bytes(n, bits)).
void pack(const std::uint32_t* values, std::uint32_t n, std::uint32_t bits, std::uint8_t* out);
// Unpacks into out[0..4 * ceil(n / 4)) (values past n are 0); reads exactly
// packed_bytes(n, bits) bytes. SSE2 on x86-64, portable code elsewhere.
void unpack(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, std::uint32_t* out);

// Doc ids of a block: strictly increasing values > `prev` stored as (gap - 1), where
// prev is the last doc of the previous block, or 0xFFFFFFFF for a term's first block (so a
// first doc d is stored as d). encode_gaps writes the gaps; decode_docs unpacks and adds
// them back up (a SIMD prefix sum over each row of four).
void encode_gaps(const std::uint32_t* docs, std::uint32_t n, std::uint32_t prev, std::uint32_t* gaps);
void decode_docs(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, std::uint32_t prev, std::uint32_t* docs);
// Impacts (>= 1) stored as impact - 1.
void decode_impacts(const std::uint8_t* in, std::uint32_t n, std::uint32_t bits, std::uint32_t* impacts);
// The same two last steps on values already unpacked (and patched: patched_packing.h), in
// place over values[0..4 * ceil(n / 4)).
void add_up_gaps(std::uint32_t* values, std::uint32_t n, std::uint32_t prev);
void add_one(std::uint32_t* values, std::uint32_t n);

inline constexpr std::uint32_t kNoPreviousDoc = 0xFFFFFFFFu;

}  // namespace splade::bitpack
