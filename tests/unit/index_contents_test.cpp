// An index built with store_contents keeps each document's text (contents.bin), found by
// external id, whatever the order of arrival, reordering or block-max data; one built without
// keeps none, and the same postings either way.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "splade/error.h"
#include "splade/index.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

std::map<std::string, std::string> build(const std::filesystem::path& dir, const IndexBuildOptions& options) {
  std::mt19937_64 rng(17);
  std::map<std::string, std::string> texts;
  IndexBuilder builder;
  for (int i = 0; i < 500; ++i) {
    const std::string id = "d" + std::to_string(rng() % 100000) + "-" + std::to_string(i);  // arrival != id order
    std::string text(rng() % 300, 'x');
    for (char& c : text) c = static_cast<char>(rng() % 256);  // any bytes, NUL included
    if (i % 11 == 0) text.clear();
    std::vector<std::pair<std::string, std::uint32_t>> owned;
    for (int t = 0; t < 30; ++t)
      if (rng() % 4 == 0) owned.emplace_back("t" + std::to_string(t), 1 + rng() % 200);
    std::vector<std::pair<std::string_view, std::uint32_t>> terms(owned.begin(), owned.end());
    builder.add_document(id, terms, text);
    texts[id] = text;
  }
  builder.write(dir, options);
  return texts;
}

TEST(IndexContents, EveryDocumentsTextIsFoundByItsId) {
  for (const bool reorder : {false, true}) {
    for (const bool block_max : {false, true}) {
      TempDir dir;
      IndexBuildOptions options;
      options.store_contents = true;
      options.reorder = reorder;
      options.block_max = block_max;
      const auto texts = build(dir / "idx", options);
      const Index index = Index::open(dir / "idx");
      ASSERT_TRUE(index.has_contents());
      EXPECT_EQ(index.has_block_max(), block_max);
      for (const auto& [id, text] : texts) {
        const auto doc = index.find_doc(id);
        ASSERT_TRUE(doc.has_value()) << id;
        EXPECT_EQ(index.doc_id(*doc), id);
        EXPECT_EQ(index.contents(*doc), std::optional<std::string_view>(text)) << id;
      }
      EXPECT_FALSE(index.find_doc("no-such-doc").has_value());
      EXPECT_FALSE(index.find_doc("").has_value());
    }
  }
}

TEST(IndexContents, WithoutTheOptionNothingIsKeptAndPostingsAreTheSame) {
  TempDir dir;
  IndexBuildOptions with;
  with.store_contents = true;
  build(dir / "with", with);
  build(dir / "without", IndexBuildOptions{});
  const Index index = Index::open(dir / "without");
  EXPECT_FALSE(index.has_contents());
  EXPECT_FALSE(std::filesystem::exists(dir / "without" / "contents.bin"));
  ASSERT_TRUE(index.find_doc(std::string(index.doc_id(3))).has_value());
  EXPECT_EQ(index.contents(3), std::nullopt);
  EXPECT_THROW(index.contents(static_cast<std::uint32_t>(index.num_docs())), Error);
  for (const char* f : {"terms.bin", "postings.bin", "docs.bin"})
    EXPECT_EQ(read_bytes(dir / "with" / f), read_bytes(dir / "without" / f)) << f;
}

TEST(IndexContents, JsonVectorCollectionsContentsFieldIsKept) {
  TempDir dir;
  write_bytes(dir / "v.jsonl",
              "{\"id\": \"b\", \"contents\": \"second \\u00e9 doc\", \"vector\": {\"x\": 2}}\n"
              "{\"id\": \"a\", \"vector\": {\"x\": 1}, \"contents\": \"first\"}\n"
              "{\"id\": \"c\", \"vector\": {\"y\": 3}}\n"
              "{\"id\": \"d\", \"contents\": 5, \"vector\": {\"y\": 1}}\n");
  IndexBuildOptions options;
  options.store_contents = true;
  build_index_from_json_vectors(dir / "v.jsonl", dir / "idx", options);
  const Index index = Index::open(dir / "idx");
  const auto text = [&](const char* id) { return std::string(*index.contents(*index.find_doc(id))); };
  EXPECT_EQ(text("a"), "first");
  EXPECT_EQ(text("b"), "second \xC3\xA9 doc");
  EXPECT_EQ(text("c"), "");  // no field
  EXPECT_EQ(text("d"), "");  // not a string
}

}  // namespace
}  // namespace splade
