// The on-disk layout of an impact index (documented in ARCHITECTURE.md, "Impact index").
// Little-endian, fixed-width fields; every array is aligned to its element size, so the
// memory-mapped bytes are read in place.
#pragma once

#include <cstddef>
#include <cstdint>

namespace splade::index_format {

inline constexpr char kMagic[8] = {'S', 'P', 'L', 'D', 'I', 'M', 'P', 'X'};
// 1: Stream VByte blocks; 2: bit-packed blocks; 3: + blockmax.bin (block-max search)
inline constexpr std::uint32_t kVersion = 3;
inline constexpr std::uint32_t kBlockSize = 128;  // postings per block (the last may hold fewer)
// Zero bytes at the end of postings.bin, so that a decoder may always read a whole 16-byte
// vector (index/bit_packing.h reads exactly the packed bytes; the slack is kept for others).
inline constexpr std::size_t kTailPadding = 16;

inline constexpr const char* kManifestFile = "manifest.bin";
inline constexpr const char* kTermsFile = "terms.bin";
inline constexpr const char* kPostingsFile = "postings.bin";
inline constexpr const char* kDocsFile = "docs.bin";
inline constexpr const char* kBlockMaxFile = "blockmax.bin";
inline constexpr const char* kContentsFile = "contents.bin";

// The files the manifest lists, in this order (the manifest itself is not listed): terms,
// postings, docs; then blockmax only in an index built with block-max data, then contents
// only in one built with stored contents.
inline constexpr std::uint32_t kNumRequiredFiles = 3;
inline constexpr std::uint32_t kMaxFiles = 5;

enum FileKind : std::uint32_t { kManifest = 1, kTerms = 2, kPostings = 3, kDocs = 4, kBlockMax = 5, kContents = 6 };

// contents.bin (IndexBuildOptions::store_contents): FileHeader, u64 count (= num_docs),
// u64 offsets[count + 1] (by internal doc id, into the bytes that follow; offsets[0] = 0,
// non-decreasing), then the documents' "contents" strings, UTF-8, concatenated.

// The first 16 bytes of every file.
struct FileHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t kind;  // FileKind
};
static_assert(sizeof(FileHeader) == 16);

// manifest.bin: FileHeader, ManifestBody, FileEntry[num_files], then the CRC-32 (u32) of
// every byte before it.
struct ManifestBody {
  std::uint64_t num_docs;
  std::uint64_t num_terms;
  std::uint64_t num_postings;
  std::uint32_t block_size;
  std::uint32_t num_files;
};
static_assert(sizeof(ManifestBody) == 32);

struct FileEntry {
  char name[32];        // zero-padded
  std::uint64_t size;   // bytes
  std::uint32_t crc32;  // zlib CRC-32 of the whole file
  std::uint32_t reserved;
};
static_assert(sizeof(FileEntry) == 48);

// terms.bin: FileHeader, u64 count, TermEntry[count] (sorted by term bytes), name bytes.
struct TermEntry {
  std::uint64_t name_offset;      // into the name bytes
  std::uint64_t postings_offset;  // into postings.bin, 4-byte aligned
  std::uint64_t postings_bytes;   // block metadata + encoded blocks
  std::uint32_t name_length;
  std::uint32_t df;
  std::uint32_t max_impact;
  std::uint32_t num_blocks;       // ceil(df / kBlockSize)
};
static_assert(sizeof(TermEntry) == 40);

// postings.bin: FileHeader, then per term (at postings_offset): BlockMeta[num_blocks], then
// the blocks. A block of n postings is two parts encoded by index/patched_packing.h (4-lane
// binary packing at a chosen width, plus exceptions): the doc-id gaps minus one (the first
// gap of a term taken from 0xFFFFFFFF, i.e. the first doc itself), then the impacts minus
// one. kTailPadding zero bytes end the file.
struct BlockMeta {
  std::uint32_t last_doc;          // the largest doc id in the block
  std::uint32_t max_impact;        // the largest impact in the block (block-max pruning)
  std::uint32_t data_offset;       // from the end of the BlockMeta array
  std::uint8_t doc_bits;           // packed width of the doc part
  std::uint8_t doc_high_bits;      // its exceptions' high-part width (0: none)
  std::uint8_t impact_bits;        // packed width of the impact part;
  std::uint8_t impact_high_bits;   // impact_bits + impact_high_bits = bit width of max_impact - 1
};
static_assert(sizeof(BlockMeta) == 16);

// blockmax.bin: the doc-id space cut into ranges of `range_size` consecutive internal ids
// (range r holds docs r * range_size ..), for block-max search (search/block_max_search.h).
// FileHeader, BlockMaxHeader, then these arrays, each starting at a multiple of 8 bytes
// (E = num_entries: the (range, term) pairs with a posting; P = num_postings):
//   per term, ranges in increasing order (the "block-max" side):
//     u32 term_first_entry[num_terms + 1]   into the next two arrays
//     u32 term_ranges[E]                    range ids, increasing within a term
//     I   term_range_max[E]                 the term's largest impact in that range
//     u32 term_kth_impact[num_terms][3]     the term's kSeedRanks[i]-th largest impact (0: fewer postings)
//   per range, terms in increasing ordinal order (the forward side that scores a range):
//     u32 range_first_entry[num_ranges + 1] into the next two arrays
//     u32 entry_terms[E]
//     u32 entry_first_posting[E + 1]        into the next two arrays
//     u8  posting_docs[P]                   doc id - range start (< range_size <= 256), increasing within an entry
//     I   posting_impacts[P]
// I is an unsigned integer of `impact_bytes` bytes (1, 2 or 4: the smallest that holds the
// index's largest impact). num_ranges = ceil(num_docs / range_size).
inline constexpr std::uint32_t kSeedRanks[3] = {10, 100, 1000};
struct BlockMaxHeader {
  std::uint32_t range_size;     // 1 .. 256
  std::uint32_t impact_bytes;   // 1, 2 or 4
  std::uint64_t num_ranges;
  std::uint64_t num_entries;    // E < 2^32
  std::uint64_t num_postings;   // P < 2^32, equal to the manifest's
};
static_assert(sizeof(BlockMaxHeader) == 32);

// docs.bin: FileHeader, u64 count, u32 id_offsets[count + 1], u32 doc_lengths[count],
// u32 by_rank[count], id bytes (at most 4 GiB). Arrays are by internal doc id; by_rank[r] is
// the internal id of the document whose external id is r-th in byte order (a permutation:
// the identity unless the index was reordered), so ids along by_rank strictly increase.

}  // namespace splade::index_format
