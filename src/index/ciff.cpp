// CIFF import/export (ciff.proto). Length-delimited protobuf messages, read one message at a
// time with a fresh CodedInputStream each (protobuf's 2 GiB per-stream limit), gzip allowed.
#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/gzip_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "ciff.pb.h"
#include "common/atomic_file.h"
#include "splade/error.h"
#include "splade/index.h"

namespace splade {

namespace pbio = google::protobuf::io;

namespace {

class CiffReader {
 public:
  explicit CiffReader(const std::filesystem::path& path) : path_(path) {
    if (!std::filesystem::exists(path)) throw Error(ErrorCode::kNotFound, path.string() + ": no such file");
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw Error(ErrorCode::kIo, path.string() + ": cannot open: " + std::strerror(errno));
    file_ = std::make_unique<pbio::FileInputStream>(fd_);
    // gzip (by magic number) or plain.
    const void* data;
    int size;
    bool gz = false;
    if (file_->Next(&data, &size) && size > 0) {
      gz = size >= 2 && static_cast<const unsigned char*>(data)[0] == 0x1f && static_cast<const unsigned char*>(data)[1] == 0x8b;
      file_->BackUp(size);
    }
    if (gz) gzip_ = std::make_unique<pbio::GzipInputStream>(file_.get(), pbio::GzipInputStream::AUTO);
  }
  ~CiffReader() {
    gzip_.reset();
    file_.reset();
    if (fd_ >= 0) ::close(fd_);
  }

  template <typename Message>
  void read(Message& message, const char* what, std::uint64_t index) {
    pbio::ZeroCopyInputStream* in = gzip_ ? static_cast<pbio::ZeroCopyInputStream*>(gzip_.get()) : file_.get();
    pbio::CodedInputStream coded(in);
    std::uint32_t size = 0;
    if (!coded.ReadVarint32(&size))
      throw Error(ErrorCode::kCorrupt, path_.string() + ": " + what + " " + std::to_string(index) + ": truncated (no size)");
    const auto limit = coded.PushLimit(static_cast<int>(size));
    if (!message.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage() || coded.BytesUntilLimit() != 0)
      throw Error(ErrorCode::kCorrupt, path_.string() + ": " + what + " " + std::to_string(index) + ": truncated or not a " + what);
    coded.PopLimit(limit);
  }

  bool at_end() {
    pbio::ZeroCopyInputStream* in = gzip_ ? static_cast<pbio::ZeroCopyInputStream*>(gzip_.get()) : file_.get();
    const void* data;
    int size;
    while (in->Next(&data, &size)) {
      if (size > 0) {
        in->BackUp(size);
        return false;
      }
    }
    return true;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::unique_ptr<pbio::FileInputStream> file_;
  std::unique_ptr<pbio::GzipInputStream> gzip_;
};

}  // namespace

IndexStats build_index_from_ciff(const std::filesystem::path& ciff, const std::filesystem::path& dir,
                                 const IndexBuildOptions& options) {
  if (std::filesystem::exists(dir) && !options.overwrite)
    throw Error(ErrorCode::kInvalidArgument, dir.string() + ": already exists (pass --overwrite to replace it)");
  CiffReader reader(ciff);
  io::osirrc::ciff::Header header;
  reader.read(header, "Header", 0);
  if (header.version() != 1)
    throw Error(ErrorCode::kUnsupported, ciff.string() + ": CIFF version " + std::to_string(header.version()) + ", expected 1");
  if (header.num_postings_lists() < 0 || header.num_docs() < 0)
    throw Error(ErrorCode::kCorrupt, ciff.string() + ": Header: negative counts");

  struct List {
    std::string term;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> postings;  // CIFF docid, tf
  };
  std::vector<List> lists(header.num_postings_lists());
  io::osirrc::ciff::PostingsList pl;
  for (int i = 0; i < header.num_postings_lists(); ++i) {
    reader.read(pl, "PostingsList", i);
    auto& list = lists[i];
    list.term = pl.term();
    if (static_cast<std::uint64_t>(pl.df()) != static_cast<std::uint64_t>(pl.postings_size()))
      throw Error(ErrorCode::kCorrupt, ciff.string() + ": PostingsList " + std::to_string(i) + " ('" + pl.term() +
                                           "'): df " + std::to_string(pl.df()) + " but " + std::to_string(pl.postings_size()) + " postings");
    list.postings.reserve(pl.postings_size());
    std::int64_t doc = 0;
    for (int j = 0; j < pl.postings_size(); ++j) {
      const auto& p = pl.postings(j);
      if (p.docid() < 0 || (j > 0 && p.docid() == 0) || p.tf() < 0)
        throw Error(ErrorCode::kCorrupt, ciff.string() + ": PostingsList " + std::to_string(i) + " ('" + pl.term() +
                                             "') posting " + std::to_string(j) + ": negative or zero docid gap, or negative tf");
      doc += p.docid();
      if (doc >= header.num_docs())
        throw Error(ErrorCode::kCorrupt, ciff.string() + ": PostingsList " + std::to_string(i) + " ('" + pl.term() +
                                             "'): docid " + std::to_string(doc) + " >= num_docs " + std::to_string(header.num_docs()));
      list.postings.emplace_back(static_cast<std::uint32_t>(doc), static_cast<std::uint32_t>(p.tf()));
    }
  }

  IndexBuilder builder;
  std::vector<std::uint32_t> doc_of(header.num_docs(), 0xFFFFFFFFu);
  io::osirrc::ciff::DocRecord record;
  for (int i = 0; i < header.num_docs(); ++i) {
    reader.read(record, "DocRecord", i);
    if (record.docid() < 0 || record.docid() >= header.num_docs() || doc_of[record.docid()] != 0xFFFFFFFFu)
      throw Error(ErrorCode::kCorrupt, ciff.string() + ": DocRecord " + std::to_string(i) + ": docid " +
                                           std::to_string(record.docid()) + " out of range or repeated");
    doc_of[record.docid()] = builder.add_document_id(record.collection_docid());
  }
  if (!reader.at_end()) throw Error(ErrorCode::kCorrupt, ciff.string() + ": bytes after the last DocRecord");
  for (auto& list : lists) {
    for (const auto& [doc, tf] : list.postings) builder.add_posting(list.term, doc_of[doc], tf);
    std::vector<std::pair<std::uint32_t, std::uint32_t>>().swap(list.postings);
  }
  return builder.write(dir, options);
}

void export_ciff(const Index& index, const std::filesystem::path& path, const std::string& description) {
  if (index.num_docs() > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()) ||
      index.num_terms() > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
    throw Error(ErrorCode::kUnsupported, path.string() + ": CIFF counts are int32; the index is larger");
  AtomicFile file(path);
  {
    pbio::OstreamOutputStream raw(&file.stream());
    auto write = [&](const google::protobuf::MessageLite& m) {
      pbio::CodedOutputStream coded(&raw);
      coded.WriteVarint32(static_cast<std::uint32_t>(m.ByteSizeLong()));
      m.SerializeWithCachedSizes(&coded);
    };
    std::uint64_t total_terms = 0;
    for (std::uint32_t d = 0; d < index.num_docs(); ++d) total_terms += index.doc_length(d);
    io::osirrc::ciff::Header header;
    header.set_version(1);
    header.set_num_postings_lists(static_cast<std::int32_t>(index.num_terms()));
    header.set_num_docs(static_cast<std::int32_t>(index.num_docs()));
    header.set_total_postings_lists(static_cast<std::int32_t>(index.num_terms()));
    header.set_total_docs(static_cast<std::int32_t>(index.num_docs()));
    header.set_total_terms_in_collection(static_cast<std::int64_t>(total_terms));
    header.set_average_doclength(index.num_docs() ? static_cast<double>(total_terms) / index.num_docs() : 0.0);
    header.set_description(description);
    write(header);
    io::osirrc::ciff::PostingsList pl;
    for (std::uint32_t t = 0; t < index.num_terms(); ++t) {
      pl.Clear();
      pl.set_term(std::string(index.term(t)));
      const auto postings = index.postings(t);
      std::int64_t cf = 0;
      std::uint32_t prev = 0;
      for (const auto& [doc, impact] : postings) {
        if (impact > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max()))
          throw Error(ErrorCode::kUnsupported, path.string() + ": impact over 2^31-1 does not fit CIFF's int32 tf");
        auto* p = pl.add_postings();
        p->set_docid(static_cast<std::int32_t>(doc - prev));
        p->set_tf(static_cast<std::int32_t>(impact));
        prev = doc;
        cf += impact;
      }
      pl.set_df(static_cast<std::int64_t>(postings.size()));
      pl.set_cf(cf);
      write(pl);
    }
    io::osirrc::ciff::DocRecord record;
    for (std::uint32_t d = 0; d < index.num_docs(); ++d) {
      record.set_docid(static_cast<std::int32_t>(d));
      record.set_collection_docid(std::string(index.doc_id(d)));
      record.set_doclength(static_cast<std::int32_t>(std::min<std::uint32_t>(index.doc_length(d), std::numeric_limits<std::int32_t>::max())));
      write(record);
    }
  }
  file.commit();
}

}  // namespace splade
