#include "index/patched_packing.h"

#include <bit>
#include <cstring>

#include "index/bit_packing.h"

namespace splade::pfor {
namespace {

std::uint32_t high_bytes(std::uint32_t high_bits) { return (high_bits + 7) / 8; }

}  // namespace

Width choose(const std::uint32_t* values, std::uint32_t n) {
  std::uint32_t count_at_width[33] = {};  // values whose bit width is exactly w
  for (std::uint32_t i = 0; i < n; ++i) ++count_at_width[std::bit_width(values[i])];
  std::uint32_t top = 32;
  while (top > 0 && count_at_width[top] == 0) --top;
  Width best{static_cast<std::uint8_t>(top), 0};
  std::size_t best_size = bitpack::packed_bytes(n, top);
  std::uint32_t exceptions = 0;  // values wider than b
  for (std::uint32_t b = top; b-- > 0;) {
    exceptions += count_at_width[b + 1];
    if (exceptions > 255) break;
    const std::size_t size = bitpack::packed_bytes(n, b) + 1 + exceptions * (1 + high_bytes(top - b));
    if (size < best_size) {
      best_size = size;
      best = {static_cast<std::uint8_t>(b), static_cast<std::uint8_t>(top - b)};
    }
  }
  return best;
}

std::size_t encode(const std::uint32_t* values, std::uint32_t n, Width w, std::vector<std::uint8_t>& out) {
  std::uint32_t low[bitpack::kMaxValues];
  const std::uint32_t mask = w.bits == 32 ? 0xFFFFFFFFu : (1u << w.bits) - 1;
  std::uint8_t positions[bitpack::kMaxValues];
  std::uint32_t highs[bitpack::kMaxValues];
  std::uint32_t count = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    low[i] = values[i] & mask;
    if (w.high_bits > 0 && (values[i] >> w.bits) != 0) {
      positions[count] = static_cast<std::uint8_t>(i);
      highs[count++] = values[i] >> w.bits;
    }
  }
  const std::size_t start = out.size();
  const std::size_t packed = bitpack::packed_bytes(n, w.bits);
  out.resize(start + packed);
  bitpack::pack(low, n, w.bits, out.data() + start);
  if (w.high_bits > 0) {
    out.push_back(static_cast<std::uint8_t>(count));
    out.insert(out.end(), positions, positions + count);
    for (std::uint32_t e = 0; e < count; ++e)
      for (std::uint32_t k = 0; k < high_bytes(w.high_bits); ++k) out.push_back(static_cast<std::uint8_t>(highs[e] >> (8 * k)));
  }
  return out.size() - start;
}

std::optional<std::size_t> encoded_size(const std::uint8_t* in, std::size_t available, std::uint32_t n, Width w) {
  if (w.bits + w.high_bits > 32 || n == 0 || n > bitpack::kMaxValues) return std::nullopt;
  const std::size_t packed = bitpack::packed_bytes(n, w.bits);
  if (packed > available) return std::nullopt;
  if (w.high_bits == 0) return packed;
  if (packed + 1 > available) return std::nullopt;
  const std::uint32_t count = in[packed];
  const std::size_t size = packed + 1 + std::size_t{count} * (1 + high_bytes(w.high_bits));
  if (count == 0 || size > available) return std::nullopt;
  for (std::uint32_t e = 0; e < count; ++e)
    if (in[packed + 1 + e] >= n) return std::nullopt;
  return size;
}

std::size_t size(const std::uint8_t* in, std::uint32_t n, Width w) {
  const std::size_t packed = bitpack::packed_bytes(n, w.bits);
  if (w.high_bits == 0) return packed;
  return packed + 1 + std::size_t{in[packed]} * (1 + high_bytes(w.high_bits));
}

void decode_docs(const std::uint8_t* in, std::uint32_t n, Width w, std::uint32_t prev, std::uint32_t* docs) {
  if (w.high_bits == 0) return bitpack::decode_docs(in, n, w.bits, prev, docs);
  decode(in, n, w, docs);
  bitpack::add_up_gaps(docs, n, prev);
}

void decode_impacts(const std::uint8_t* in, std::uint32_t n, Width w, std::uint32_t* impacts) {
  if (w.high_bits == 0) return bitpack::decode_impacts(in, n, w.bits, impacts);
  decode(in, n, w, impacts);
  bitpack::add_one(impacts, n);
}

void decode(const std::uint8_t* in, std::uint32_t n, Width w, std::uint32_t* out) {
  bitpack::unpack(in, n, w.bits, out);
  if (w.high_bits == 0) return;
  const std::uint8_t* p = in + bitpack::packed_bytes(n, w.bits);
  const std::uint32_t count = *p++;
  const std::uint8_t* highs = p + count;
  const std::uint32_t hb = high_bytes(w.high_bits);
  for (std::uint32_t e = 0; e < count; ++e, highs += hb) {
    std::uint32_t high = 0;
    for (std::uint32_t k = 0; k < hb; ++k) high |= std::uint32_t{highs[k]} << (8 * k);
    out[p[e]] |= high << w.bits;
  }
}

}  // namespace splade::pfor
