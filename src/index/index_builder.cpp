// IndexBuilder: documents in memory -> the on-disk impact index (format.h), written into a
// temporary sibling directory and renamed over the target only when every file is complete.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <numeric>
#include <optional>
#include <random>
#include <unordered_map>

#include "index/bit_packing.h"
#include "index/block_max_builder.h"
#include "index/patched_packing.h"
#include "index/reorder/graph_bisection.h"
#include "index/checksummed_writer.h"
#include "index/format.h"
#include "splade/error.h"
#include "splade/index.h"

namespace splade {

namespace fmt_ = index_format;

namespace {

using Posting = DocImpact;

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

fmt_::FileHeader header(fmt_::FileKind kind) {
  fmt_::FileHeader h{};
  std::memcpy(h.magic, fmt_::kMagic, sizeof(h.magic));
  h.version = fmt_::kVersion;
  h.kind = kind;
  return h;
}

void fill_entry(fmt_::FileEntry& e, const char* name, const ChecksummedWriter& w) {
  std::memset(&e, 0, sizeof(e));
  std::strncpy(e.name, name, sizeof(e.name) - 1);
  e.size = w.size();
  e.crc32 = w.crc();
}

std::filesystem::path temporary_sibling(const std::filesystem::path& dir) {
  std::random_device rd;
  auto tmp = dir;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  return tmp;
}

// Removes the temporary directory unless released.
struct TempDirGuard {
  std::filesystem::path path;
  bool armed = true;
  ~TempDirGuard() {
    if (armed) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
};

}  // namespace

struct IndexBuilder::Impl {
  std::vector<std::string> ids;              // by arrival order
  std::vector<std::uint64_t> doc_lengths;    // sum of impacts, by arrival order
  std::unordered_map<std::string, std::uint32_t, TransparentHash, std::equal_to<>> term_ids;
  std::vector<std::string> term_names;
  std::vector<std::vector<Posting>> postings;  // by term id; docs by arrival order
  std::vector<std::string> contents;           // by arrival order; may be shorter than ids (the rest "")

  std::uint32_t term_id(std::string_view term) {
    auto it = term_ids.find(term);
    if (it != term_ids.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(term_names.size());
    term_names.emplace_back(term);
    postings.emplace_back();
    term_ids.emplace(term_names.back(), id);
    return id;
  }
};

IndexBuilder::IndexBuilder() : impl_(std::make_unique<Impl>()) {}
IndexBuilder::~IndexBuilder() = default;

std::uint64_t IndexBuilder::num_docs() const { return impl_->ids.size(); }

std::uint32_t IndexBuilder::add_document_id(std::string_view id) {
  if (id.empty()) throw Error(ErrorCode::kInvalidArgument, "document " + std::to_string(impl_->ids.size()) + ": empty id");
  if (impl_->ids.size() >= 0xFFFFFFF0u) throw Error(ErrorCode::kUnsupported, "more than 2^32 - 16 documents");
  impl_->ids.emplace_back(id);
  impl_->doc_lengths.push_back(0);
  return static_cast<std::uint32_t>(impl_->ids.size() - 1);
}

void IndexBuilder::add_posting(std::string_view term, std::uint32_t doc, std::uint32_t impact) {
  if (impact == 0) return;
  if (term.empty()) throw Error(ErrorCode::kInvalidArgument, "document '" + impl_->ids.at(doc) + "': empty term");
  if (doc >= impl_->ids.size()) throw Error(ErrorCode::kInvalidArgument, "posting for unknown document " + std::to_string(doc));
  impl_->postings[impl_->term_id(term)].push_back({doc, impact});
  impl_->doc_lengths[doc] += impact;
}

void IndexBuilder::add_document(std::string_view id,
                                const std::vector<std::pair<std::string_view, std::uint32_t>>& terms) {
  for (const auto& [term, impact] : terms)
    if (impact != 0 && term.empty())
      throw Error(ErrorCode::kInvalidArgument, "document '" + std::string(id) + "': empty term");
  const std::uint32_t doc = add_document_id(id);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const auto& [term, impact] = terms[i];
    if (impact == 0) continue;
    auto& list = impl_->postings[impl_->term_id(term)];
    if (!list.empty() && list.back().doc == doc) {
      // Roll the document back (terms before i are distinct) so the builder stays usable.
      for (std::size_t j = 0; j < i; ++j)
        if (terms[j].second != 0) impl_->postings[impl_->term_ids.find(terms[j].first)->second].pop_back();
      impl_->ids.pop_back();
      impl_->doc_lengths.pop_back();
      throw Error(ErrorCode::kInvalidArgument,
                  "document '" + std::string(id) + "': term '" + std::string(term) + "' given twice");
    }
    list.push_back({doc, impact});
    impl_->doc_lengths[doc] += impact;
  }
}

void IndexBuilder::add_document(std::string_view id,
                                const std::vector<std::pair<std::string_view, std::uint32_t>>& terms,
                                std::string_view contents) {
  add_document(id, terms);
  if (contents.empty()) return;
  impl_->contents.resize(impl_->ids.size());
  impl_->contents.back() = contents;
}

IndexStats IndexBuilder::write(const std::filesystem::path& dir, bool overwrite) {
  IndexBuildOptions options;
  options.overwrite = overwrite;
  return write(dir, options);
}

IndexStats IndexBuilder::write(const std::filesystem::path& dir_in, const IndexBuildOptions& options) {
  Impl& m = *impl_;
  const bool overwrite = options.overwrite;
  const std::filesystem::path dir = dir_in.has_filename() ? dir_in : dir_in.parent_path();
  if (std::filesystem::exists(dir) && !overwrite)
    throw Error(ErrorCode::kInvalidArgument, dir.string() + ": already exists (pass --overwrite to replace it)");
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path());

  // Internal doc ids follow the byte order of the external ids (std::string compares as
  // unsigned bytes, like Lucene's BytesRef), so ties on score rank by id for free.
  const std::size_t n = m.ids.size();
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return m.ids[a] < m.ids[b]; });
  std::vector<std::uint32_t> new_id(n);
  for (std::size_t r = 0; r < n; ++r) {
    if (r > 0 && m.ids[order[r]] == m.ids[order[r - 1]])
      throw Error(ErrorCode::kInvalidArgument, "duplicate document id '" + m.ids[order[r]] + "'");
    new_id[order[r]] = static_cast<std::uint32_t>(r);
  }
  // by_rank[r]: the internal id of the document whose external id is r-th in byte order
  // (identity unless reordered); `arrival[i]`: the arrival index of internal id i.
  std::vector<std::uint32_t> by_rank(n), arrival(order);
  std::iota(by_rank.begin(), by_rank.end(), 0u);
  IndexStats stats;
  if (options.reorder && n > 1) {
    const auto started = std::chrono::steady_clock::now();
    reorder::ForwardIndex forward;
    forward.num_terms = static_cast<std::uint32_t>(m.term_names.size());
    forward.offsets.assign(n + 1, 0);
    for (const auto& list : m.postings)
      for (const auto& p : list) ++forward.offsets[new_id[p.doc] + 1];
    for (std::size_t d = 0; d < n; ++d) forward.offsets[d + 1] += forward.offsets[d];
    forward.terms.resize(forward.offsets[n]);
    {
      std::vector<std::uint64_t> at(forward.offsets.begin(), forward.offsets.end() - 1);
      for (std::uint32_t t = 0; t < m.postings.size(); ++t)
        for (const auto& p : m.postings[t]) forward.terms[at[new_id[p.doc]]++] = t;
    }
    reorder::BisectionOptions bo;
    bo.threads = std::max(1, options.threads);
    const auto placed = reorder::recursive_graph_bisection(forward, bo);  // position -> rank
    for (std::uint32_t i = 0; i < n; ++i) {
      by_rank[placed[i]] = i;
      arrival[i] = order[placed[i]];
    }
    for (std::size_t a = 0; a < n; ++a) new_id[a] = by_rank[new_id[a]];
    stats.reorder_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }

  std::vector<std::uint32_t> term_order(m.term_names.size());
  std::iota(term_order.begin(), term_order.end(), 0u);
  std::sort(term_order.begin(), term_order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return m.term_names[a] < m.term_names[b]; });

  const auto tmp = temporary_sibling(dir);
  std::filesystem::create_directory(tmp);
  TempDirGuard guard{tmp};

  stats.num_docs = n;
  stats.num_terms = term_order.size();

  // postings.bin, and blockmax.bin from the same sorted lists
  std::optional<BlockMaxBuilder> block_max;
  if (options.block_max) {
    std::uint32_t max_impact = 0;  // sets blockmax.bin's impact width
    for (const auto& list : m.postings)
      for (const auto& p : list) max_impact = std::max(max_impact, p.impact);
    block_max.emplace(n, term_order.size(), options.block_max_range, max_impact);
  }
  std::vector<fmt_::TermEntry> entries(term_order.size());
  ChecksummedWriter pw(tmp / fmt_::kPostingsFile);
  pw.write_value(header(fmt_::kPostings));
  std::vector<std::uint8_t> data;
  std::vector<fmt_::BlockMeta> metas;
  std::uint32_t docs[fmt_::kBlockSize], impacts[fmt_::kBlockSize], gaps[fmt_::kBlockSize];
  for (std::size_t t = 0; t < term_order.size(); ++t) {
    auto& list = m.postings[term_order[t]];
    for (auto& p : list) p.doc = new_id[p.doc];
    if (!std::is_sorted(list.begin(), list.end(), [](const Posting& a, const Posting& b) { return a.doc < b.doc; }))
      std::sort(list.begin(), list.end(), [](const Posting& a, const Posting& b) { return a.doc < b.doc; });
    for (std::size_t i = 1; i < list.size(); ++i)
      if (list[i].doc == list[i - 1].doc)
        throw Error(ErrorCode::kInvalidArgument, "document '" + m.ids[arrival[list[i].doc]] + "': term '" +
                                                     m.term_names[term_order[t]] + "' given twice");
    pw.pad_to(4);
    auto& e = entries[t];
    e.postings_offset = pw.size();
    e.df = static_cast<std::uint32_t>(list.size());
    e.num_blocks = static_cast<std::uint32_t>((list.size() + fmt_::kBlockSize - 1) / fmt_::kBlockSize);
    e.max_impact = 0;
    metas.clear();
    data.clear();
    std::uint32_t prev = 0;
    for (std::size_t start = 0; start < list.size(); start += fmt_::kBlockSize) {
      const auto count = static_cast<std::uint32_t>(std::min<std::size_t>(fmt_::kBlockSize, list.size() - start));
      fmt_::BlockMeta meta{};
      for (std::uint32_t i = 0; i < count; ++i) {
        docs[i] = list[start + i].doc;
        impacts[i] = list[start + i].impact;
        meta.max_impact = std::max(meta.max_impact, impacts[i]);
      }
      meta.last_doc = docs[count - 1];
      meta.data_offset = static_cast<std::uint32_t>(data.size());
      bitpack::encode_gaps(docs, count, start == 0 ? bitpack::kNoPreviousDoc : prev, gaps);
      for (std::uint32_t i = 0; i < count; ++i) impacts[i] -= 1;  // impacts are >= 1
      const pfor::Width doc_width = pfor::choose(gaps, count), impact_width = pfor::choose(impacts, count);
      meta.doc_bits = doc_width.bits;
      meta.doc_high_bits = doc_width.high_bits;
      meta.impact_bits = impact_width.bits;
      meta.impact_high_bits = impact_width.high_bits;
      pfor::encode(gaps, count, doc_width, data);
      pfor::encode(impacts, count, impact_width, data);
      e.max_impact = std::max(e.max_impact, meta.max_impact);
      prev = meta.last_doc;
      metas.push_back(meta);
    }
    if (data.size() > 0xFFFFFFFFull) throw Error(ErrorCode::kUnsupported, "term '" + m.term_names[term_order[t]] + "': postings over 4 GiB");
    pw.write(metas.data(), metas.size() * sizeof(fmt_::BlockMeta));
    pw.write(data.data(), data.size());
    e.postings_bytes = pw.size() - e.postings_offset;
    stats.num_postings += list.size();
    if (block_max) block_max->add_term(list);
    std::vector<Posting>().swap(list);  // free as we go: the peak stays one copy of the postings
  }
  pw.write_zeros(fmt_::kTailPadding);
  pw.close();

  // terms.bin
  ChecksummedWriter tw(tmp / fmt_::kTermsFile);
  tw.write_value(header(fmt_::kTerms));
  tw.write_value(static_cast<std::uint64_t>(entries.size()));
  std::uint64_t name_offset = 0;
  for (std::size_t t = 0; t < entries.size(); ++t) {
    entries[t].name_offset = name_offset;
    entries[t].name_length = static_cast<std::uint32_t>(m.term_names[term_order[t]].size());
    name_offset += entries[t].name_length;
  }
  tw.write(entries.data(), entries.size() * sizeof(fmt_::TermEntry));
  for (std::uint32_t t : term_order) tw.write(m.term_names[t].data(), m.term_names[t].size());
  tw.close();

  // docs.bin
  ChecksummedWriter dw(tmp / fmt_::kDocsFile);
  dw.write_value(header(fmt_::kDocs));
  dw.write_value(static_cast<std::uint64_t>(n));
  std::uint64_t id_offset = 0;
  dw.write_value(static_cast<std::uint32_t>(id_offset));
  for (std::size_t i = 0; i < n; ++i) {
    id_offset += m.ids[arrival[i]].size();
    if (id_offset > 0xFFFFFFFFull) throw Error(ErrorCode::kUnsupported, "document ids add up to more than 4 GiB");
    dw.write_value(static_cast<std::uint32_t>(id_offset));
  }
  // Lengths saturate at 2^32 - 1 (they are metadata for CIFF, never used in scoring).
  for (std::size_t i = 0; i < n; ++i)
    dw.write_value(static_cast<std::uint32_t>(std::min<std::uint64_t>(m.doc_lengths[arrival[i]], 0xFFFFFFFFull)));
  dw.write(by_rank.data(), by_rank.size() * sizeof(std::uint32_t));
  for (std::size_t i = 0; i < n; ++i) dw.write(m.ids[arrival[i]].data(), m.ids[arrival[i]].size());
  dw.close();

  // blockmax.bin
  std::optional<ChecksummedWriter> bw;
  if (block_max) {
    bw.emplace(tmp / fmt_::kBlockMaxFile);
    block_max->write(*bw);
    bw->close();
  }

  // contents.bin: offsets by internal id, then the texts in that order.
  std::optional<ChecksummedWriter> cw;
  if (options.store_contents) {
    cw.emplace(tmp / fmt_::kContentsFile);
    cw->write_value(header(fmt_::kContents));
    cw->write_value(static_cast<std::uint64_t>(n));
    const auto text_of = [&](std::size_t internal) -> std::string_view {
      const std::uint32_t a = arrival[internal];
      return a < m.contents.size() ? std::string_view(m.contents[a]) : std::string_view();
    };
    std::uint64_t offset = 0;
    cw->write_value(offset);
    for (std::size_t i = 0; i < n; ++i) {
      offset += text_of(i).size();
      cw->write_value(offset);
    }
    for (std::size_t i = 0; i < n; ++i) cw->write(text_of(i).data(), text_of(i).size());
    cw->close();
  }

  // manifest.bin, last: an index without a valid manifest is never opened.
  ChecksummedWriter mw(tmp / fmt_::kManifestFile);
  mw.write_value(header(fmt_::kManifest));
  fmt_::ManifestBody body{};
  body.num_docs = n;
  body.num_terms = entries.size();
  body.num_postings = stats.num_postings;
  body.block_size = fmt_::kBlockSize;
  body.num_files = fmt_::kNumRequiredFiles + (bw ? 1 : 0) + (cw ? 1 : 0);
  mw.write_value(body);
  fmt_::FileEntry files[fmt_::kMaxFiles];
  fill_entry(files[0], fmt_::kTermsFile, tw);
  fill_entry(files[1], fmt_::kPostingsFile, pw);
  fill_entry(files[2], fmt_::kDocsFile, dw);
  std::uint32_t next_file = fmt_::kNumRequiredFiles;
  if (bw) fill_entry(files[next_file++], fmt_::kBlockMaxFile, *bw);
  if (cw) fill_entry(files[next_file++], fmt_::kContentsFile, *cw);
  mw.write(files, body.num_files * sizeof(fmt_::FileEntry));
  const std::uint32_t manifest_crc = mw.crc();
  mw.write_value(manifest_crc);
  mw.close();
  stats.bytes_on_disk = pw.size() + tw.size() + dw.size() + (bw ? bw->size() : 0) + (cw ? cw->size() : 0) + mw.size();

  // Swap the complete index into place.
  std::error_code ec;
  if (std::filesystem::exists(dir)) {
    auto old = temporary_sibling(dir);
    std::filesystem::rename(dir, old, ec);
    if (ec) throw Error(ErrorCode::kIo, dir.string() + ": cannot move the old index aside: " + ec.message());
    std::filesystem::rename(tmp, dir, ec);
    if (ec) {
      std::filesystem::rename(old, dir);
      throw Error(ErrorCode::kIo, dir.string() + ": cannot rename the new index into place: " + ec.message());
    }
    std::filesystem::remove_all(old, ec);
  } else {
    std::filesystem::rename(tmp, dir, ec);
    if (ec) throw Error(ErrorCode::kIo, dir.string() + ": cannot rename the new index into place: " + ec.message());
  }
  guard.armed = false;
  return stats;
}

}  // namespace splade
