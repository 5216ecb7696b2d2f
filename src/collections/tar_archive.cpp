#include "collections/tar_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "splade/error.h"

namespace splade::collections {

std::vector<ArchiveMember> read_archive(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(ErrorCode::kNotFound, path.string() + ": no such file");
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_all(a.get());
  auto fail = [&](const std::string& what) {
    const char* msg = archive_error_string(a.get());
    throw Error(ErrorCode::kCorrupt, path.string() + ": " + what + (msg ? std::string(": ") + msg : ""));
  };
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) fail("cannot open as an archive");
  std::vector<ArchiveMember> members;
  archive_entry* entry = nullptr;
  while (true) {
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) fail("damaged archive");
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    ArchiveMember m;
    m.path = archive_entry_pathname(entry);
    const la_int64_t size = archive_entry_size(entry);
    if (size > 0) m.bytes.reserve(static_cast<size_t>(size));
    char buf[1 << 16];
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) m.bytes.append(buf, static_cast<size_t>(n));
    if (n < 0) fail("damaged member " + m.path);
    members.push_back(std::move(m));
  }
  return members;
}

}  // namespace splade::collections
