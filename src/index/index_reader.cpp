// Index::open: maps the files and refuses anything that is not a whole, intact index:
// manifest magic/version/CRC, each file's size and CRC-32, then the structure (offsets in
// range, sorted terms and ids, block counts), so nothing later reads out of bounds.
#include <algorithm>
#include <bit>
#include <cstring>

#include "index/block_max_reader.h"
#include "index/impact_layout.h"
#include "index/index_impl.h"
#include "index/bit_packing.h"
#include "index/patched_packing.h"
#include "splade/error.h"

namespace splade {

namespace fmt_ = index_format;

namespace {

[[noreturn]] void corrupt(const std::filesystem::path& file, const std::string& what) {
  throw Error(ErrorCode::kCorrupt, file.string() + ": " + what);
}

void check_header(const std::filesystem::path& file, std::string_view bytes, fmt_::FileKind kind) {
  if (bytes.size() < sizeof(fmt_::FileHeader)) corrupt(file, "shorter than its 16-byte header (truncated)");
  fmt_::FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  if (std::memcmp(h.magic, fmt_::kMagic, sizeof(h.magic)) != 0)
    corrupt(file, "bad magic number (not a splade impact index file)");
  if (h.version != fmt_::kVersion)
    throw Error(ErrorCode::kUnsupported, file.string() + ": format version " + std::to_string(h.version) +
                                             ", this build reads version " + std::to_string(fmt_::kVersion) +
                                             " (rebuild the index with this splade: splade index)");
  if (h.kind != kind) corrupt(file, "file kind " + std::to_string(h.kind) + ", expected " + std::to_string(kind));
}

// contents.bin: the count is the manifest's, offsets start at 0, never fall and end at the
// file's end, so every Index::contents read stays inside the map.
void check_contents(Index::Impl& m) {
  const auto path = m.dir / fmt_::kContentsFile;
  const auto* base = reinterpret_cast<const std::uint8_t*>(m.contents_file.data());
  const std::uint64_t size = m.contents_file.size();
  if (size < 24) corrupt(path, "truncated");
  std::uint64_t count;
  std::memcpy(&count, base + 16, 8);
  if (count != m.num_docs) corrupt(path, "holds " + std::to_string(count) + " documents, the manifest says " + std::to_string(m.num_docs));
  const std::uint64_t bytes_at = 24 + (count + 1) * 8;
  if (bytes_at > size) corrupt(path, "truncated offset table");
  m.content_offsets = reinterpret_cast<const std::uint64_t*>(base + 24);
  m.content_bytes = reinterpret_cast<const char*>(base + bytes_at);
  if (m.content_offsets[0] != 0 || m.content_offsets[count] != size - bytes_at)
    corrupt(path, "offsets do not cover the text bytes");
  for (std::uint64_t d = 0; d < count; ++d)
    if (m.content_offsets[d + 1] < m.content_offsets[d]) corrupt(path, "document " + std::to_string(d) + ": offsets fall");
}

}  // namespace

std::optional<std::uint32_t> Index::Impl::find(std::string_view term) const {
  std::uint64_t lo = 0, hi = num_terms;
  while (lo < hi) {
    const std::uint64_t mid = (lo + hi) / 2;
    const auto name = term_name(static_cast<std::uint32_t>(mid));
    if (name < term) lo = mid + 1;
    else hi = mid;
  }
  if (lo < num_terms && term_name(static_cast<std::uint32_t>(lo)) == term) return static_cast<std::uint32_t>(lo);
  return std::nullopt;
}

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::Index(Index&&) noexcept = default;
Index& Index::operator=(Index&&) noexcept = default;
Index::~Index() = default;

Index Index::open(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw Error(ErrorCode::kNotFound, dir.string() + ": no index directory there");
  auto m = std::make_unique<Impl>();
  m->dir = dir;

  // Manifest.
  const auto manifest_path = dir / fmt_::kManifestFile;
  MappedFile manifest(manifest_path);
  const std::string_view mb = manifest.bytes();
  check_header(manifest_path, mb, fmt_::kManifest);
  if (mb.size() < sizeof(fmt_::FileHeader) + sizeof(fmt_::ManifestBody) + 4) corrupt(manifest_path, "truncated");
  fmt_::ManifestBody body;
  std::memcpy(&body, mb.data() + sizeof(fmt_::FileHeader), sizeof(body));
  const std::size_t expected_size =
      sizeof(fmt_::FileHeader) + sizeof(body) + std::size_t{body.num_files} * sizeof(fmt_::FileEntry) + 4;
  const bool num_files_ok = body.num_files >= fmt_::kNumRequiredFiles && body.num_files <= fmt_::kMaxFiles;
  if (!num_files_ok || mb.size() != expected_size)
    corrupt(manifest_path, "is " + std::to_string(mb.size()) + " bytes listing " + std::to_string(body.num_files) +
                               " files, expected 3 to 5 files and " +
                               std::to_string(sizeof(fmt_::FileHeader) + sizeof(body) + (num_files_ok ? body.num_files : 3) * sizeof(fmt_::FileEntry) + 4) + " bytes" +
                               " (truncated or corrupted)");
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, mb.data() + mb.size() - 4, 4);
  if (crc32_of(mb.data(), mb.size() - 4) != stored_crc) corrupt(manifest_path, "CRC-32 mismatch (corrupted)");
  if (body.block_size != fmt_::kBlockSize)
    throw Error(ErrorCode::kUnsupported, manifest_path.string() + ": block size " + std::to_string(body.block_size) +
                                             ", this build reads " + std::to_string(fmt_::kBlockSize));
  if (body.num_docs > 0xFFFFFFF0ull || body.num_terms > 0xFFFFFFF0ull)
    corrupt(manifest_path, "document or term count out of range");
  m->num_docs = body.num_docs;
  m->num_terms = body.num_terms;
  m->num_postings = body.num_postings;
  m->bytes_on_disk = mb.size();

  // Files: present, of the recorded size and CRC-32.
  // The required files in order, then the optional ones present, in their order.
  const char* all_names[fmt_::kMaxFiles] = {fmt_::kTermsFile, fmt_::kPostingsFile, fmt_::kDocsFile,
                                            fmt_::kBlockMaxFile, fmt_::kContentsFile};
  const fmt_::FileKind all_kinds[fmt_::kMaxFiles] = {fmt_::kTerms, fmt_::kPostings, fmt_::kDocs, fmt_::kBlockMax,
                                                     fmt_::kContents};
  MappedFile* all_files[fmt_::kMaxFiles] = {&m->terms_file, &m->postings_file, &m->docs_file, &m->block_max_file,
                                            &m->contents_file};
  const char* names[fmt_::kMaxFiles];
  fmt_::FileKind kinds[fmt_::kMaxFiles];
  MappedFile* files[fmt_::kMaxFiles];
  std::uint32_t next_optional = fmt_::kNumRequiredFiles;
  for (std::uint32_t i = 0; i < body.num_files; ++i) {
    fmt_::FileEntry e;
    std::memcpy(&e, mb.data() + sizeof(fmt_::FileHeader) + sizeof(body) + i * sizeof(e), sizeof(e));
    std::uint32_t which = i;
    if (i >= fmt_::kNumRequiredFiles) {  // the next optional file whose name this entry gives
      while (next_optional < fmt_::kMaxFiles && std::strncmp(e.name, all_names[next_optional], sizeof(e.name)) != 0)
        ++next_optional;
      if (next_optional == fmt_::kMaxFiles)
        corrupt(manifest_path, "file entry " + std::to_string(i) + " names no known file (or one out of order)");
      which = next_optional++;
    }
    names[i] = all_names[which];
    kinds[i] = all_kinds[which];
    files[i] = all_files[which];
    if (which == 3) m->has_block_max = true;
    if (which == 4) m->has_contents = true;
    if (std::strncmp(e.name, names[i], sizeof(e.name)) != 0)
      corrupt(manifest_path, "file entry " + std::to_string(i) + " should name " + names[i]);
    const auto path = dir / names[i];
    *files[i] = MappedFile(path);
    if (files[i]->size() != e.size)
      corrupt(path, "is " + std::to_string(files[i]->size()) + " bytes, the manifest says " + std::to_string(e.size) +
                        (files[i]->size() < e.size ? " (truncated)" : " (corrupted)"));
    if (crc32_of(files[i]->data(), files[i]->size()) != e.crc32) corrupt(path, "CRC-32 mismatch (corrupted)");
    check_header(path, files[i]->bytes(), kinds[i]);
    m->bytes_on_disk += e.size;
  }

  // terms.bin structure.
  {
    const auto path = dir / fmt_::kTermsFile;
    const auto* base = m->terms_file.data();
    const std::size_t size = m->terms_file.size();
    std::uint64_t count;
    if (size < 24) corrupt(path, "truncated");
    std::memcpy(&count, base + 16, 8);
    if (count != m->num_terms) corrupt(path, "holds " + std::to_string(count) + " terms, the manifest says " + std::to_string(m->num_terms));
    if ((size - 24) / sizeof(fmt_::TermEntry) < count) corrupt(path, "truncated term table");
    m->terms = reinterpret_cast<const fmt_::TermEntry*>(base + 24);
    m->term_names = reinterpret_cast<const char*>(base + 24 + count * sizeof(fmt_::TermEntry));
    const std::uint64_t names_size = size - 24 - count * sizeof(fmt_::TermEntry);
    const std::uint64_t postings_size = m->postings_file.size();
    std::uint64_t total = 0;
    for (std::uint64_t t = 0; t < count; ++t) {
      const auto& e = m->terms[t];
      if (e.name_offset > names_size || e.name_length > names_size - e.name_offset || e.name_length == 0)
        corrupt(path, "term " + std::to_string(t) + ": name out of range");
      if (t > 0 && !(m->term_name(static_cast<std::uint32_t>(t - 1)) < m->term_name(static_cast<std::uint32_t>(t))))
        corrupt(path, "terms not in strictly increasing byte order at " + std::to_string(t));
      if (e.df == 0 || e.df > m->num_docs || e.num_blocks != (e.df + fmt_::kBlockSize - 1) / fmt_::kBlockSize)
        corrupt(path, "term " + std::to_string(t) + ": inconsistent df / block count");
      if (e.postings_offset % 4 != 0 || e.postings_offset < sizeof(fmt_::FileHeader) ||
          e.postings_offset > postings_size || e.postings_bytes > postings_size - fmt_::kTailPadding - e.postings_offset ||
          e.postings_bytes < std::uint64_t{e.num_blocks} * sizeof(fmt_::BlockMeta))
        corrupt(path, "term " + std::to_string(t) + ": postings out of range of postings.bin");
      total += e.df;
    }
    if (total != m->num_postings) corrupt(path, "postings add up to " + std::to_string(total) + ", the manifest says " + std::to_string(m->num_postings));
  }

  // postings.bin block tables.
  m->postings = m->postings_file.data();
  {
    const auto path = dir / fmt_::kPostingsFile;
    for (std::uint32_t t = 0; t < m->num_terms; ++t) {
      const auto& e = m->terms[t];
      const auto* blocks = m->blocks(t);
      const std::uint64_t data_size = e.postings_bytes - std::uint64_t{e.num_blocks} * sizeof(fmt_::BlockMeta);
      std::uint32_t max_impact = 0;
      for (std::uint32_t b = 0; b < e.num_blocks; ++b) {
        const auto& blk = blocks[b];
        const std::uint32_t n = m->block_count(t, b);
        const bool ordered = b == 0 ? blk.last_doc >= n - 1 : blk.last_doc >= blocks[b - 1].last_doc + n;
        // The decoders read exactly the two encoded parts: both must lie inside this term's
        // data, with widths the decoders accept.
        bool parts_ok = blk.max_impact > 0 && blk.data_offset <= data_size &&
                        blk.impact_bits + blk.impact_high_bits == static_cast<std::uint32_t>(std::bit_width(blk.max_impact - 1));
        if (parts_ok) {
          const auto* part = m->block_data(t) + blk.data_offset;
          const std::size_t left = data_size - blk.data_offset;
          const auto doc_part = pfor::encoded_size(part, left, n, {blk.doc_bits, blk.doc_high_bits});
          parts_ok = doc_part.has_value() &&
                     pfor::encoded_size(part + *doc_part, left - *doc_part, n, {blk.impact_bits, blk.impact_high_bits});
        }
        if (!ordered || !parts_ok || blk.last_doc >= m->num_docs ||
            (b > 0 && blk.data_offset <= blocks[b - 1].data_offset))
          corrupt(path, "term '" + std::string(m->term_name(t)) + "' block " + std::to_string(b) + ": inconsistent block table");
        max_impact = std::max(max_impact, blk.max_impact);
      }
      if (max_impact != e.max_impact) corrupt(path, "term '" + std::string(m->term_name(t)) + "': max impact disagrees with its blocks");
    }
  }

  // docs.bin structure.
  {
    const auto path = dir / fmt_::kDocsFile;
    const auto* base = m->docs_file.data();
    const std::size_t size = m->docs_file.size();
    if (size < 24) corrupt(path, "truncated");
    std::uint64_t count;
    std::memcpy(&count, base + 16, 8);
    if (count != m->num_docs) corrupt(path, "holds " + std::to_string(count) + " documents, the manifest says " + std::to_string(m->num_docs));
    const std::uint64_t lengths_at = 24 + (count + 1) * 4;
    const std::uint64_t ranks_at = lengths_at + count * 4;
    const std::uint64_t ids_at = ranks_at + count * 4;
    if (ids_at > size) corrupt(path, "truncated document table");
    m->id_offsets = reinterpret_cast<const std::uint32_t*>(base + 24);
    m->doc_lengths = reinterpret_cast<const std::uint32_t*>(base + lengths_at);
    m->ids = reinterpret_cast<const char*>(base + ids_at);
    if (m->id_offsets[0] != 0 || m->id_offsets[count] != size - ids_at) corrupt(path, "id table does not cover the id bytes");
    for (std::uint64_t d = 0; d < count; ++d)
      if (m->id_offsets[d + 1] <= m->id_offsets[d]) corrupt(path, "document " + std::to_string(d) + ": empty or misplaced id");
    // by_rank: the internal ids in external-id byte order; inverted into id_rank when it is
    // not the identity.
    const auto* by_rank = reinterpret_cast<const std::uint32_t*>(base + ranks_at);
    m->by_rank = by_rank;
    std::vector<std::uint32_t> rank(count, 0xFFFFFFFFu);
    bool identity = true;
    for (std::uint64_t r = 0; r < count; ++r) {
      const std::uint32_t d = by_rank[r];
      if (d >= count || rank[d] != 0xFFFFFFFFu) corrupt(path, "by_rank is not a permutation of the documents (at " + std::to_string(r) + ")");
      rank[d] = static_cast<std::uint32_t>(r);
      identity = identity && d == r;
      if (r > 0 && !(m->doc_id(by_rank[r - 1]) < m->doc_id(d)))
        corrupt(path, "ids not in strictly increasing byte order along by_rank at " + std::to_string(r));
    }
    if (!identity) {
      m->id_rank_storage = std::move(rank);
      m->id_rank = m->id_rank_storage.data();
    }
  }
  if (m->has_block_max) check_block_max(*m);
  if (m->has_contents) check_contents(*m);
  return Index(std::move(m));
}

std::uint64_t Index::num_docs() const { return impl_->num_docs; }
std::uint64_t Index::num_terms() const { return impl_->num_terms; }
std::uint64_t Index::num_postings() const { return impl_->num_postings; }
std::uint64_t Index::bytes_on_disk() const { return impl_->bytes_on_disk; }
const std::filesystem::path& Index::path() const { return impl_->dir; }
bool Index::reordered() const { return impl_->id_rank != nullptr; }
bool Index::has_block_max() const { return impl_->has_block_max; }

std::optional<std::uint32_t> Index::find_doc(std::string_view id) const {
  const Impl& m = *impl_;
  std::uint64_t lo = 0, hi = m.num_docs;  // binary search over byte-order ranks
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    const std::string_view at = m.doc_id(m.by_rank[mid]);
    if (at == id) return m.by_rank[mid];
    if (at < id) lo = mid + 1;
    else hi = mid;
  }
  return std::nullopt;
}

bool Index::has_contents() const { return impl_->has_contents; }

std::optional<std::string_view> Index::contents(std::uint32_t doc) const {
  if (doc >= impl_->num_docs) throw Error(ErrorCode::kInvalidArgument, "doc id " + std::to_string(doc) + " out of range");
  if (!impl_->has_contents) return std::nullopt;
  const std::uint64_t* o = impl_->content_offsets;
  return std::string_view(impl_->content_bytes + o[doc], static_cast<std::size_t>(o[doc + 1] - o[doc]));
}

std::string_view Index::doc_id(std::uint32_t doc) const {
  if (doc >= impl_->num_docs) throw Error(ErrorCode::kInvalidArgument, "doc id " + std::to_string(doc) + " out of range");
  return impl_->doc_id(doc);
}
std::uint32_t Index::doc_length(std::uint32_t doc) const {
  if (doc >= impl_->num_docs) throw Error(ErrorCode::kInvalidArgument, "doc id " + std::to_string(doc) + " out of range");
  return impl_->doc_lengths[doc];
}

std::optional<TermInfo> Index::find_term(std::string_view term) const {
  const auto t = impl_->find(term);
  if (!t) return std::nullopt;
  return term_info(*t);
}

std::string_view Index::term(std::uint32_t ordinal) const {
  if (ordinal >= impl_->num_terms) throw Error(ErrorCode::kInvalidArgument, "term ordinal out of range");
  return impl_->term_name(ordinal);
}

TermInfo Index::term_info(std::uint32_t ordinal) const {
  if (ordinal >= impl_->num_terms) throw Error(ErrorCode::kInvalidArgument, "term ordinal out of range");
  const auto& e = impl_->terms[ordinal];
  return TermInfo{ordinal, e.df, e.max_impact};
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> Index::postings(std::uint32_t t) const {
  if (t >= impl_->num_terms) throw Error(ErrorCode::kInvalidArgument, "term ordinal out of range");
  const auto& m = *impl_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  out.reserve(m.terms[t].df);
  std::uint32_t docs[fmt_::kBlockSize], impacts[fmt_::kBlockSize];
  const auto* blocks = m.blocks(t);
  const auto* data = m.block_data(t);
  for (std::uint32_t b = 0; b < m.terms[t].num_blocks; ++b) {
    const std::uint32_t n = m.block_count(t, b);
    const auto* p = data + blocks[b].data_offset;
    const pfor::Width doc_width{blocks[b].doc_bits, blocks[b].doc_high_bits};
    pfor::decode_docs(p, n, doc_width, b == 0 ? bitpack::kNoPreviousDoc : blocks[b - 1].last_doc, docs);
    pfor::decode_impacts(p + pfor::size(p, n, doc_width), n, {blocks[b].impact_bits, blocks[b].impact_high_bits}, impacts);
    if (docs[n - 1] != blocks[b].last_doc)
      throw Error(ErrorCode::kCorrupt, (m.dir / fmt_::kPostingsFile).string() + ": term '" + std::string(m.term_name(t)) + "': block does not decode to its last doc");
    for (std::uint32_t i = 0; i < n; ++i) out.emplace_back(docs[i], impacts[i]);
  }
  return out;
}

}  // namespace splade
