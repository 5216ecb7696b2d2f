// A damaged index is refused at open with a splade::Error naming the file: every single
// byte flipped, every truncation, a missing file, appended bytes. CRC-32 detects every
// error burst of up to 32 bits, so a flipped byte can never pass as a valid index.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "splade/error.h"
#include "splade/index.h"
#include "splade/searcher.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

const char* kFiles[] = {"manifest.bin", "terms.bin", "postings.bin", "docs.bin", "blockmax.bin", "contents.bin"};

void build_small_index(const std::filesystem::path& dir) {
  std::mt19937_64 rng(5);
  IndexBuilder builder;
  for (int i = 0; i < 300; ++i) {
    std::vector<std::pair<std::string, std::uint32_t>> owned;
    for (int t = 0; t < 40; ++t)
      if (rng() % 3 == 0) owned.emplace_back("term" + std::to_string(t), 1 + rng() % 300);
    std::vector<std::pair<std::string_view, std::uint32_t>> terms(owned.begin(), owned.end());
    builder.add_document("doc" + std::to_string(i), terms, i % 7 ? "text " + std::to_string(i) : "");
  }
  IndexBuildOptions options;
  options.block_max = true;  // every file, blockmax.bin and contents.bin included
  options.store_contents = true;
  builder.write(dir, options);
}

// Overwrites one byte in place (cheaper than rewriting the file).
void poke(const std::filesystem::path& path, std::size_t at, char byte) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(at));
  f.put(byte);
}

// Open must throw splade::Error whose message names `file`.
void expect_refused(const std::filesystem::path& dir, const std::string& file, const std::string& what) {
  try {
    const Index index = Index::open(dir);
    ADD_FAILURE() << what << ": damaged index opened";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_TRUE(e.code() == ErrorCode::kCorrupt || e.code() == ErrorCode::kUnsupported || e.code() == ErrorCode::kNotFound)
        << what << ": " << msg;
    EXPECT_NE(msg.find(file), std::string::npos) << what << ": " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(IndexCorruption, EveryFlippedByteIsDetected) {
  TempDir dir;
  build_small_index(dir / "idx");
  { const Index ok = Index::open(dir / "idx"); }
  std::size_t flips = 0;
  for (const char* file : kFiles) {
    const auto path = dir / "idx" / file;
    const std::string good = read_bytes(path);
    for (std::size_t i = 0; i < good.size(); ++i) {
      for (unsigned char mask : {0x01, 0x80, 0xFF}) {
        poke(path, i, static_cast<char>(good[i] ^ mask));
        expect_refused(dir / "idx", file, std::string(file) + " byte " + std::to_string(i));
        ++flips;
      }
      poke(path, i, good[i]);
    }
    ASSERT_EQ(read_bytes(path), good);
  }
  EXPECT_GT(flips, 3000u);
  const Index ok = Index::open(dir / "idx");
  EXPECT_EQ(ok.num_docs(), 300u);
}

TEST(IndexCorruption, EveryTruncationMissingFileAndAppendedBytesAreDetected) {
  TempDir dir;
  build_small_index(dir / "idx");
  for (const char* file : kFiles) {
    const auto path = dir / "idx" / file;
    const std::string good = read_bytes(path);
    for (std::size_t len = good.size(); len-- > 0;) {
      std::filesystem::resize_file(path, len);
      expect_refused(dir / "idx", file, std::string(file) + " cut to " + std::to_string(len));
    }
    write_bytes(path, good + "x");
    expect_refused(dir / "idx", file, std::string(file) + " + 1 byte");
    std::filesystem::remove(path);
    expect_refused(dir / "idx", file, std::string(file) + " missing");
    write_bytes(path, good);
  }
  EXPECT_THROW(Index::open(dir / "no-such-index"), Error);
  const Index ok = Index::open(dir / "idx");
  Searcher searcher(ok);
  EXPECT_FALSE(searcher.search({{"term1", 1}}).empty());
}

// An index of an earlier format version (2: no blockmax.bin) is refused with a message that
// names the version and what to do.
TEST(IndexCorruption, EarlierFormatVersionIsRefusedWithItsRemedy) {
  TempDir dir;
  build_small_index(dir / "idx");
  poke(dir / "idx" / "manifest.bin", 8, 2);  // FileHeader.version, little-endian u32 at byte 8
  try {
    const Index index = Index::open(dir / "idx");
    ADD_FAILURE() << "a version-2 index opened";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported) << msg;
    EXPECT_NE(msg.find("manifest.bin: format version 2, this build reads version 3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("splade index"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace splade
