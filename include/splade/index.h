// The impact index: an inverted index of integer term weights (impacts), built from
// Anserini JsonVectorCollection files or a CIFF file, read through a memory map.
// On-disk format: ARCHITECTURE.md, "Impact index".
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace splade {

struct IndexStats {
  std::uint64_t num_docs = 0;
  std::uint64_t num_terms = 0;
  std::uint64_t num_postings = 0;
  std::uint64_t bytes_on_disk = 0;  // every file of the index
  double reorder_seconds = 0;       // graph bisection (IndexBuildOptions::reorder)
};

struct IndexBuildOptions {
  int threads = 1;             // JSON parsing threads (and reordering threads)
  bool overwrite = false;      // replace an existing index directory
  // Reorder internal doc ids by recursive graph bisection (as PISA's reorder-docids), so
  // documents sharing terms get nearby ids: tighter block-max bounds, smaller postings.
  // Results do not change: equal scores still rank by external id.
  bool reorder = false;
  // Also write blockmax.bin, the data of block-max search (--algorithm block-max): per-term
  // maxima over ranges of doc ids and a range-major copy of the postings (about 3-7 bytes
  // per posting more on disk). Without it, block-max search is refused and auto is exhaustive.
  bool block_max = false;
  // Documents per range of blockmax.bin (1 .. 256): smaller ranges give tighter bounds for
  // block-max search and a larger file.
  std::uint32_t block_max_range = 32;
  // Also write contents.bin: each document's text (the "contents" field of its
  // JsonVectorCollection line; "" where it has none), as Anserini's -storeContents keeps it,
  // for Index::contents (and `splade serve`'s /v1/{index}/doc/{docid}).
  bool store_contents = false;
};

// Collects documents in memory, then writes the index. Documents may come in any order:
// internal doc ids are assigned in the byte order of the external ids, or by graph
// bisection with `reorder`; either way equal scores rank by external id ascending, as
// Anserini does (see searcher.h).
class IndexBuilder {
 public:
  IndexBuilder();
  ~IndexBuilder();
  IndexBuilder(const IndexBuilder&) = delete;
  IndexBuilder& operator=(const IndexBuilder&) = delete;

  // Zero impacts are dropped (Anserini indexes a term `weight` times). Throws
  // splade::Error (kInvalidArgument) on an empty id, an empty term, or a term given twice.
  void add_document(std::string_view id, const std::vector<std::pair<std::string_view, std::uint32_t>>& terms);
  // The same, with the document's text (kept only when written with store_contents).
  void add_document(std::string_view id, const std::vector<std::pair<std::string_view, std::uint32_t>>& terms,
                    std::string_view contents);
  // A posting of term `term` for document `doc` (an index returned by add_document_id);
  // the low-level path CIFF import uses. Postings of a term may come in any order.
  std::uint32_t add_document_id(std::string_view id);
  void add_posting(std::string_view term, std::uint32_t doc, std::uint32_t impact);

  std::uint64_t num_docs() const;
  // Writes the index into a temporary sibling directory, then renames it to `dir`.
  // Throws splade::Error: kInvalidArgument for duplicate external ids or an existing
  // `dir` (unless overwrite), kIo on write failures.
  IndexStats write(const std::filesystem::path& dir, bool overwrite = false);
  // The same, with IndexBuildOptions' overwrite, reorder and threads.
  IndexStats write(const std::filesystem::path& dir, const IndexBuildOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `splade index --input`: a .jsonl / .jsonl.gz file or a folder of them (files in name order).
// {"id": "...", "contents": "...", "vector": {"term": weight, ...}}; weights are read as
// Anserini's Jackson asInt() reads them: numbers truncated toward zero, weights <= 0 dropped.
IndexStats build_index_from_json_vectors(const std::filesystem::path& input, const std::filesystem::path& dir,
                                         const IndexBuildOptions& options = {});

// Posting-list statistics of one term.
struct TermInfo {
  std::uint32_t ordinal = 0;     // position in the (byte-sorted) term dictionary
  std::uint32_t df = 0;          // documents containing the term
  std::uint32_t max_impact = 0;  // largest impact in its postings
};

// A read-only, memory-mapped index. open() checks the manifest, every file's size and
// CRC-32 and the structure, and throws splade::Error (kNotFound, kCorrupt, kUnsupported)
// naming the file and what is wrong. Cheap to share between threads (read-only).
class Index {
 public:
  static Index open(const std::filesystem::path& dir);
  Index(Index&&) noexcept;
  Index& operator=(Index&&) noexcept;
  ~Index();

  std::uint64_t num_docs() const;
  std::uint64_t num_terms() const;
  std::uint64_t num_postings() const;
  std::uint64_t bytes_on_disk() const;
  const std::filesystem::path& path() const;
  // Whether internal doc ids were reordered (IndexBuildOptions::reorder) rather than
  // following the byte order of the external ids.
  bool reordered() const;
  // Whether the index holds block-max data (IndexBuildOptions::block_max).
  bool has_block_max() const;

  // External id of an internal doc id (0 .. num_docs-1).
  std::string_view doc_id(std::uint32_t doc) const;
  // The internal doc id of an external id (a binary search in byte order), if present.
  std::optional<std::uint32_t> find_doc(std::string_view id) const;
  // Whether the index keeps the documents' text (IndexBuildOptions::store_contents), and the
  // text of one (nullopt when it keeps none).
  bool has_contents() const;
  std::optional<std::string_view> contents(std::uint32_t doc) const;
  // Sum of the document's impacts (its "length"; CIFF doclength), saturated at 2^32 - 1.
  std::uint32_t doc_length(std::uint32_t doc) const;
  std::optional<TermInfo> find_term(std::string_view term) const;
  std::string_view term(std::uint32_t ordinal) const;
  TermInfo term_info(std::uint32_t ordinal) const;
  // Every posting of a term, decoded: (internal doc id, impact) in doc id order.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> postings(std::uint32_t ordinal) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Index(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// CIFF (Common Index File Format, github.com/osirrc/ciff): length-delimited protobuf
// messages Header, PostingsList x num_postings_lists, DocRecord x num_docs. Posting tf is
// the impact. Import maps CIFF docids to ours (sorted by collection_docid).
IndexStats build_index_from_ciff(const std::filesystem::path& ciff, const std::filesystem::path& dir,
                                 const IndexBuildOptions& options = {});
void export_ciff(const Index& index, const std::filesystem::path& ciff, const std::string& description = "");

}  // namespace splade
