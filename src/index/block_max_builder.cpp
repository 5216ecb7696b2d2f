// BlockMaxBuilder: postings arrive term by term (term-major); the forward side is their
// transpose (range-major, terms ascending within a range), made by a counting sort on the
// range id at write time.
#include "index/block_max_builder.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "index/format.h"
#include "splade/error.h"

namespace splade {

namespace fmt_ = index_format;

BlockMaxBuilder::BlockMaxBuilder(std::uint64_t num_docs, std::uint64_t num_terms, std::uint32_t range_size,
                                 std::uint32_t max_impact)
    : num_docs_(num_docs), num_terms_(num_terms), num_ranges_((num_docs + range_size - 1) / range_size),
      range_size_(range_size), impact_bytes_(max_impact <= 0xFF ? 1 : max_impact <= 0xFFFF ? 2 : 4) {
  if (range_size == 0 || range_size > 256)
    throw Error(ErrorCode::kInvalidArgument, "block-max range size " + std::to_string(range_size) + ", expected 1 .. 256");
  term_first_entry_.reserve(num_terms + 1);
  term_kth_.reserve(num_terms * 3);
}

void BlockMaxBuilder::add_term(const std::vector<DocImpact>& postings) {
  if (impacts_.size() + postings.size() > 0xFFFFFFFFull)
    throw Error(ErrorCode::kUnsupported, "block-max index: more than 2^32 - 1 postings");
  std::uint32_t current = 0xFFFFFFFFu;
  for (const auto& p : postings) {
    const std::uint32_t range = p.doc / range_size_;
    if (range != current) {
      if (current != 0xFFFFFFFFu) entry_first_posting_.push_back(static_cast<std::uint32_t>(impacts_.size()));
      current = range;
      term_ranges_.push_back(range);
      term_range_max_.push_back(0);
    }
    term_range_max_.back() = std::max(term_range_max_.back(), p.impact);
    local_docs_.push_back(static_cast<std::uint8_t>(p.doc - range * range_size_));
    impacts_.push_back(p.impact);
  }
  if (current != 0xFFFFFFFFu) entry_first_posting_.push_back(static_cast<std::uint32_t>(impacts_.size()));
  term_first_entry_.push_back(static_cast<std::uint32_t>(term_ranges_.size()));
  // The kth largest impacts: k documents score at least weight * that, so it seeds the
  // k-th best score of any query with this term.
  std::vector<std::uint32_t> sorted;
  sorted.reserve(postings.size());
  for (const auto& p : postings) sorted.push_back(p.impact);
  for (const std::uint32_t rank : fmt_::kSeedRanks) {
    if (sorted.size() < rank) {
      term_kth_.push_back(0);
      continue;
    }
    std::nth_element(sorted.begin(), sorted.begin() + (rank - 1), sorted.end(), std::greater<>());
    term_kth_.push_back(sorted[rank - 1]);
  }
}

namespace {

void write_impacts(ChecksummedWriter& out, const std::vector<std::uint32_t>& values, std::uint32_t bytes) {
  out.pad_to(8);
  if (bytes == 4) return out.write(values.data(), values.size() * 4);
  std::vector<std::uint8_t> packed(values.size() * bytes);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (bytes == 1) packed[i] = static_cast<std::uint8_t>(values[i]);
    else {
      const auto v = static_cast<std::uint16_t>(values[i]);
      std::memcpy(&packed[i * 2], &v, 2);
    }
  }
  out.write(packed.data(), packed.size());
}

template <typename T>
void write_array(ChecksummedWriter& out, const std::vector<T>& values) {
  out.pad_to(8);
  out.write(values.data(), values.size() * sizeof(T));
}

}  // namespace

void BlockMaxBuilder::write(ChecksummedWriter& out) const {
  if (term_first_entry_.size() != num_terms_ + 1)
    throw Error(ErrorCode::kInvalidArgument, "BlockMaxBuilder::write: " + std::to_string(term_first_entry_.size() - 1) +
                                          " terms added, expected " + std::to_string(num_terms_));
  const std::uint64_t entries = term_ranges_.size();
  fmt_::FileHeader h{};
  std::memcpy(h.magic, fmt_::kMagic, sizeof(h.magic));
  h.version = fmt_::kVersion;
  h.kind = fmt_::kBlockMax;
  out.write_value(h);
  fmt_::BlockMaxHeader body{range_size_, impact_bytes_, num_ranges_, entries, impacts_.size()};
  out.write_value(body);

  write_array(out, term_first_entry_);
  write_array(out, term_ranges_);
  write_impacts(out, term_range_max_, impact_bytes_);
  write_array(out, term_kth_);

  // The transpose: range_first_entry by counting, then each term-major entry to its slot
  // (terms are visited in ordinal order, so they ascend within every range).
  std::vector<std::uint32_t> range_first_entry(num_ranges_ + 1, 0);
  for (const std::uint32_t r : term_ranges_) ++range_first_entry[r + 1];
  for (std::uint64_t r = 0; r < num_ranges_; ++r) range_first_entry[r + 1] += range_first_entry[r];
  std::vector<std::uint32_t> slot_of(entries), entry_terms(entries), entry_count(entries);
  {
    std::vector<std::uint32_t> next(range_first_entry.begin(), range_first_entry.end() - 1);
    for (std::uint64_t t = 0; t < num_terms_; ++t)
      for (std::uint32_t e = term_first_entry_[t]; e < term_first_entry_[t + 1]; ++e) {
        const std::uint32_t s = next[term_ranges_[e]]++;
        slot_of[e] = s;
        entry_terms[s] = static_cast<std::uint32_t>(t);
        entry_count[s] = entry_first_posting_[e + 1] - entry_first_posting_[e];
      }
  }
  std::vector<std::uint32_t> entry_first_posting(entries + 1, 0);
  for (std::uint64_t s = 0; s < entries; ++s) entry_first_posting[s + 1] = entry_first_posting[s] + entry_count[s];
  std::vector<std::uint8_t> docs(impacts_.size());
  std::vector<std::uint32_t> impacts(impacts_.size());
  for (std::uint64_t e = 0; e < entries; ++e) {
    const std::uint32_t from = entry_first_posting_[e], n = entry_first_posting_[e + 1] - from;
    const std::uint32_t to = entry_first_posting[slot_of[e]];
    std::copy_n(local_docs_.begin() + from, n, docs.begin() + to);
    std::copy_n(impacts_.begin() + from, n, impacts.begin() + to);
  }
  write_array(out, range_first_entry);
  write_array(out, entry_terms);
  write_array(out, entry_first_posting);
  write_array(out, docs);
  write_impacts(out, impacts, impact_bytes_);
}

}  // namespace splade
