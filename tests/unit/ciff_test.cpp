// CIFF: export -> import gives the same index (postings, ids, lengths) and the same search
// results; export(import(export(x))) is the same bytes; damaged CIFF files are refused.
#include <gtest/gtest.h>

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

void build_random_index(const std::filesystem::path& dir, int docs) {
  std::mt19937_64 rng(9);
  IndexBuilder builder;
  for (int i = 0; i < docs; ++i) {
    std::vector<std::pair<std::string, std::uint32_t>> owned;
    for (int t = 0; t < 200; ++t)
      if (rng() % 8 == 0) owned.emplace_back("w" + std::to_string(t * t), 1 + rng() % 1000);
    std::vector<std::pair<std::string_view, std::uint32_t>> terms(owned.begin(), owned.end());
    builder.add_document(std::to_string(rng() % 1000000) + "-" + std::to_string(i), terms);
  }
  builder.write(dir);
}

TEST(Ciff, RoundTripKeepsEveryPostingAndSearchResult) {
  TempDir dir;
  build_random_index(dir / "a", 2000);
  const Index a = Index::open(dir / "a");
  export_ciff(a, dir / "a.ciff", "test");
  build_index_from_ciff(dir / "a.ciff", dir / "b");
  const Index b = Index::open(dir / "b");
  ASSERT_EQ(a.num_docs(), b.num_docs());
  ASSERT_EQ(a.num_terms(), b.num_terms());
  ASSERT_EQ(a.num_postings(), b.num_postings());
  for (std::uint32_t d = 0; d < a.num_docs(); ++d) {
    ASSERT_EQ(a.doc_id(d), b.doc_id(d));
    ASSERT_EQ(a.doc_length(d), b.doc_length(d));
  }
  for (std::uint32_t t = 0; t < a.num_terms(); ++t) {
    ASSERT_EQ(a.term(t), b.term(t));
    ASSERT_EQ(a.postings(t), b.postings(t)) << a.term(t);
  }
  Searcher sa(a), sb(b);
  for (int q = 0; q < 20; ++q) {
    QueryVector query = {{"w" + std::to_string(q * q), 3}, {"w" + std::to_string((q + 5) * (q + 5)), 1}};
    const auto ha = sa.search(query, {50});
    const auto hb = sb.search(query, {50});
    ASSERT_EQ(ha.size(), hb.size());
    for (std::size_t i = 0; i < ha.size(); ++i) {
      EXPECT_EQ(a.doc_id(ha[i].doc), b.doc_id(hb[i].doc));
      EXPECT_EQ(ha[i].score, hb[i].score);
    }
  }
  export_ciff(b, dir / "b.ciff", "test");
  EXPECT_EQ(read_bytes(dir / "a.ciff"), read_bytes(dir / "b.ciff"));
}

TEST(Ciff, DamagedFilesAreRefused) {
  TempDir dir;
  build_random_index(dir / "a", 50);
  export_ciff(Index::open(dir / "a"), dir / "a.ciff", "test");
  const std::string good = read_bytes(dir / "a.ciff");
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, good.size() / 3, good.size() / 2, good.size() - 1}) {
    write_bytes(dir / "bad.ciff", good.substr(0, len));
    EXPECT_THROW(build_index_from_ciff(dir / "bad.ciff", dir / "x"), Error) << len;
    EXPECT_FALSE(std::filesystem::exists(dir / "x"));
  }
  write_bytes(dir / "bad.ciff", good + "\x05junk!");
  EXPECT_THROW(build_index_from_ciff(dir / "bad.ciff", dir / "x"), Error);
  EXPECT_THROW(build_index_from_ciff(dir / "missing.ciff", dir / "x"), Error);
}

}  // namespace
}  // namespace splade
