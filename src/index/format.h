// The on-disk layout of an impact index (documented in ARCHITECTURE.md, "Impact index").
// Little-endian, fixed-width fields; every array is aligned to its element size, so the
// memory-mapped bytes are read in place.
#pragma once

#include <cstddef>
#include <cstdint>

namespace splade::index_format {

inline constexpr char kMagic[8] = {'S', 'P', 'L', 'D', 'I', 'M', 'P', 'X'};
inline constexpr std::uint32_t kVersion = 2;  // 1: Stream VByte blocks; 2: bit-packed blocks
inline constexpr std::uint32_t kBlockSize = 128;  // postings per block (the last may hold fewer)
// Zero bytes at the end of postings.bin, so that a decoder may always read a whole 16-byte
// vector (index/bit_packing.h reads exactly the packed bytes; the slack is kept for others).
inline constexpr std::size_t kTailPadding = 16;

inline constexpr const char* kManifestFile = "manifest.bin";
inline constexpr const char* kTermsFile = "terms.bin";
inline constexpr const char* kPostingsFile = "postings.bin";
inline constexpr const char* kDocsFile = "docs.bin";

enum FileKind : std::uint32_t { kManifest = 1, kTerms = 2, kPostings = 3, kDocs = 4 };

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

// docs.bin: FileHeader, u64 count, u32 id_offsets[count + 1], u32 doc_lengths[count], id
// bytes (at most 4 GiB). Ids are in strictly increasing byte order.

}  // namespace splade::index_format
