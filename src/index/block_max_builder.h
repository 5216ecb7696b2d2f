// Builds blockmax.bin (format.h): per-term maxima over fixed ranges of doc ids and the
// forward, range-major copy of the postings that block-max search scores a range from.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "index/checksummed_writer.h"

namespace splade {

struct DocImpact {
  std::uint32_t doc;     // internal doc id
  std::uint32_t impact;  // >= 1
};

class BlockMaxBuilder {
 public:
  // max_impact: the largest impact of the whole index (it sets the stored width).
  BlockMaxBuilder(std::uint64_t num_docs, std::uint64_t num_terms, std::uint32_t range_size, std::uint32_t max_impact);

  // Terms in ordinal order, each one's postings in increasing doc order.
  void add_term(const std::vector<DocImpact>& postings);

  // Writes the file (every term added); the writer gives its size and CRC-32 for the manifest.
  void write(ChecksummedWriter& out) const;

 private:
  std::uint64_t num_docs_, num_terms_, num_ranges_;
  std::uint32_t range_size_, impact_bytes_;
  // Term-major, as added: term t's entries are [term_first_entry_[t], term_first_entry_[t+1]).
  std::vector<std::uint32_t> term_first_entry_{0};
  std::vector<std::uint32_t> term_ranges_, term_range_max_, term_kth_;
  std::vector<std::uint32_t> entry_first_posting_{0};  // term-major entry -> its postings
  std::vector<std::uint8_t> local_docs_;
  std::vector<std::uint32_t> impacts_;
};

}  // namespace splade
