#include "index/block_max_reader.h"

#include <cstring>
#include <string>

#include "splade/error.h"

namespace splade {

namespace fmt_ = index_format;

namespace {

class Cursor {
 public:
  Cursor(const std::filesystem::path& path, const std::uint8_t* base, std::size_t size)
      : path_(path), base_(base), size_(size) {}
  // The next array of `count` elements of `width` bytes, at an 8-byte boundary.
  const void* take(std::uint64_t count, std::uint64_t width, const char* what) {
    at_ = (at_ + 7) / 8 * 8;
    if (at_ > size_ || count > (size_ - at_) / width) fail(std::string("truncated in ") + what);
    const void* p = base_ + at_;
    at_ += count * width;
    return p;
  }
  std::size_t at() const { return at_; }
  void skip(std::size_t n) { at_ += n; }
  [[noreturn]] void fail(const std::string& what) const { throw Error(ErrorCode::kCorrupt, path_.string() + ": " + what); }

 private:
  const std::filesystem::path& path_;
  const std::uint8_t* base_;
  std::size_t size_, at_ = 0;
};

// Offsets into an array of `total` elements: starting at 0, non-decreasing, ending at total.
void check_offsets(const Cursor& c, const std::uint32_t* offsets, std::uint64_t count, std::uint64_t total,
                   const char* what) {
  if (offsets[0] != 0 || offsets[count] != total) c.fail(std::string(what) + ": does not cover its array");
  for (std::uint64_t i = 0; i < count; ++i)
    if (offsets[i + 1] < offsets[i]) c.fail(std::string(what) + ": decreasing at " + std::to_string(i));
}

std::uint32_t impact_at(const void* base, std::uint32_t bytes, std::uint64_t i) {
  if (bytes == 1) return static_cast<const std::uint8_t*>(base)[i];
  if (bytes == 2) return static_cast<const std::uint16_t*>(base)[i];
  return static_cast<const std::uint32_t*>(base)[i];
}

}  // namespace

void check_block_max(Index::Impl& m) {
  const auto path = m.dir / fmt_::kBlockMaxFile;
  Cursor c(path, m.block_max_file.data(), m.block_max_file.size());
  c.skip(sizeof(fmt_::FileHeader));
  fmt_::BlockMaxHeader h;
  std::memcpy(&h, c.take(1, sizeof(h), "its header"), sizeof(h));
  if (h.range_size == 0 || h.range_size > 256) c.fail("range size " + std::to_string(h.range_size) + ", expected 1 .. 256");
  if (h.impact_bytes != 1 && h.impact_bytes != 2 && h.impact_bytes != 4)
    c.fail("impact width " + std::to_string(h.impact_bytes) + " bytes, expected 1, 2 or 4");
  if (h.num_ranges != (m.num_docs + h.range_size - 1) / h.range_size)
    c.fail(std::to_string(h.num_ranges) + " ranges, expected ceil(" + std::to_string(m.num_docs) + " / " +
           std::to_string(h.range_size) + ")");
  if (h.num_postings != m.num_postings)
    c.fail(std::to_string(h.num_postings) + " postings, the manifest says " + std::to_string(m.num_postings));
  if (h.num_entries > h.num_postings || h.num_postings > 0xFFFFFFFFull) c.fail("entry or posting count out of range");
  const std::uint64_t E = h.num_entries, P = h.num_postings, T = m.num_terms, R = h.num_ranges;
  auto& v = m.block_max;
  v.range_size = h.range_size;
  v.impact_bytes = h.impact_bytes;
  v.num_ranges = R;
  v.num_entries = E;
  v.term_first_entry = static_cast<const std::uint32_t*>(c.take(T + 1, 4, "term_first_entry"));
  v.term_ranges = static_cast<const std::uint32_t*>(c.take(E, 4, "term_ranges"));
  v.term_range_max = c.take(E, h.impact_bytes, "term_range_max");
  v.term_kth_impact = static_cast<const std::uint32_t*>(c.take(T * 3, 4, "term_kth_impact"));
  v.range_first_entry = static_cast<const std::uint32_t*>(c.take(R + 1, 4, "range_first_entry"));
  v.entry_terms = static_cast<const std::uint32_t*>(c.take(E, 4, "entry_terms"));
  v.entry_first_posting = static_cast<const std::uint32_t*>(c.take(E + 1, 4, "entry_first_posting"));
  v.posting_docs = static_cast<const std::uint8_t*>(c.take(P, 1, "posting_docs"));
  v.posting_impacts = c.take(P, h.impact_bytes, "posting_impacts");
  if (c.at() != m.block_max_file.size()) c.fail("has bytes after its last array (corrupted)");

  check_offsets(c, v.term_first_entry, T, E, "term_first_entry");
  check_offsets(c, v.range_first_entry, R, E, "range_first_entry");
  check_offsets(c, v.entry_first_posting, E, P, "entry_first_posting");
  for (std::uint64_t t = 0; t < T; ++t) {
    std::uint32_t max_impact = 0;
    for (std::uint32_t e = v.term_first_entry[t]; e < v.term_first_entry[t + 1]; ++e) {
      if (v.term_ranges[e] >= R || (e > v.term_first_entry[t] && v.term_ranges[e] <= v.term_ranges[e - 1]))
        c.fail("term " + std::to_string(t) + ": range ids not increasing within 0 .. " + std::to_string(R - 1));
      max_impact = std::max(max_impact, impact_at(v.term_range_max, h.impact_bytes, e));
    }
    // The bounds are only sound if they agree with the postings' maxima.
    if (max_impact != m.terms[t].max_impact)
      c.fail("term " + std::to_string(t) + ": range maxima disagree with terms.bin's max impact");
  }
  for (std::uint64_t r = 0; r < R; ++r) {
    const std::uint64_t docs_here = std::min<std::uint64_t>(h.range_size, m.num_docs - r * h.range_size);
    for (std::uint32_t e = v.range_first_entry[r]; e < v.range_first_entry[r + 1]; ++e) {
      if (v.entry_terms[e] >= T || (e > v.range_first_entry[r] && v.entry_terms[e] <= v.entry_terms[e - 1]))
        c.fail("range " + std::to_string(r) + ": term ordinals not increasing within 0 .. " + std::to_string(T - 1));
      for (std::uint32_t p = v.entry_first_posting[e]; p < v.entry_first_posting[e + 1]; ++p)
        if (v.posting_docs[p] >= docs_here) c.fail("range " + std::to_string(r) + ": document offset out of range");
    }
  }
}

}  // namespace splade
