// The memory-mapped index as the searcher reads it (private to libsplade).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>
#include <string_view>

#include "index/format.h"
#include "index/mapped_file.h"
#include "splade/index.h"

namespace splade {

struct ImpactLayout;  // index/impact_layout.h

// blockmax.bin in place (format.h); checked at open by check_block_max().
struct BlockMaxView {
  std::uint32_t range_size = 0, impact_bytes = 0;
  std::uint64_t num_ranges = 0, num_entries = 0;
  const std::uint32_t* term_first_entry = nullptr;   // [num_terms + 1]
  const std::uint32_t* term_ranges = nullptr;        // [E]
  const void* term_range_max = nullptr;              // [E] of impact_bytes each
  const std::uint32_t* term_kth_impact = nullptr;    // [num_terms][3]
  const std::uint32_t* range_first_entry = nullptr;  // [num_ranges + 1]
  const std::uint32_t* entry_terms = nullptr;        // [E]
  const std::uint32_t* entry_first_posting = nullptr;  // [E + 1]
  const std::uint8_t* posting_docs = nullptr;        // [P]
  const void* posting_impacts = nullptr;             // [P] of impact_bytes each
};

struct Index::Impl {
  std::filesystem::path dir;
  MappedFile terms_file, postings_file, docs_file, block_max_file, contents_file;
  bool has_block_max = false;
  bool has_contents = false;
  const std::uint64_t* content_offsets = nullptr;  // contents.bin: [num_docs + 1]
  const char* content_bytes = nullptr;
  BlockMaxView block_max;
  std::uint64_t num_docs = 0, num_terms = 0, num_postings = 0, bytes_on_disk = 0;

  const index_format::TermEntry* terms = nullptr;
  const char* term_names = nullptr;
  const std::uint8_t* postings = nullptr;  // start of postings.bin
  const std::uint32_t* id_offsets = nullptr;
  const std::uint32_t* doc_lengths = nullptr;
  const char* ids = nullptr;
  // Reordered indexes only: id_rank[d] = the byte-order rank of d's external id, the key
  // that breaks score ties (nullptr when internal ids already follow that order).
  std::vector<std::uint32_t> id_rank_storage;
  const std::uint32_t* id_rank = nullptr;
  const std::uint32_t* by_rank = nullptr;  // docs.bin: internal ids in external-id byte order
  // Impact-ordered search's in-memory views of the postings, built on its first use
  // (impact_layout_of in index/impact_layout.h).
  mutable std::once_flag impact_layout_once;
  mutable std::unique_ptr<const ImpactLayout> impact_layout;
  // Set (release) once impact_layout is complete, so that a search can ask whether it exists
  // without waiting for a build in progress (built_impact_layout).
  mutable std::atomic<const ImpactLayout*> impact_layout_ready{nullptr};

  std::string_view term_name(std::uint32_t t) const {
    return {term_names + terms[t].name_offset, terms[t].name_length};
  }
  std::optional<std::uint32_t> find(std::string_view term) const;
  std::string_view doc_id(std::uint32_t d) const {
    return {ids + id_offsets[d], static_cast<std::size_t>(id_offsets[d + 1] - id_offsets[d])};
  }
  const index_format::BlockMeta* blocks(std::uint32_t t) const {
    return reinterpret_cast<const index_format::BlockMeta*>(postings + terms[t].postings_offset);
  }
  const std::uint8_t* block_data(std::uint32_t t) const {
    return postings + terms[t].postings_offset + terms[t].num_blocks * sizeof(index_format::BlockMeta);
  }
  // Number of postings in block b of term t.
  std::uint32_t block_count(std::uint32_t t, std::uint32_t b) const {
    return b + 1 < terms[t].num_blocks ? index_format::kBlockSize
                                       : terms[t].df - b * index_format::kBlockSize;
  }
};

}  // namespace splade
