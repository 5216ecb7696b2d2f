// The impact index round-trips what was given to it, reads JsonVectorCollection as Anserini
// does (Jackson asInt: truncation; weights <= 0 never indexed; last duplicate key wins), and
// is the same bytes whatever the input packaging (plain, gzip, folder) or thread count.
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <random>

#include "splade/error.h"
#include "splade/index.h"
#include "support/gzip_file.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;


std::string index_bytes(const std::filesystem::path& dir) {
  std::string all;
  for (const char* f : {"manifest.bin", "terms.bin", "postings.bin", "docs.bin"}) all += read_bytes(dir / f);
  return all;
}

// Expected postings: term -> external id -> impact.
using Expected = std::map<std::string, std::map<std::string, std::uint32_t>>;

void expect_index_holds(const Index& index, const Expected& expected, std::size_t num_docs) {
  ASSERT_EQ(index.num_docs(), num_docs);
  ASSERT_EQ(index.num_terms(), expected.size());
  for (std::uint32_t d = 1; d < index.num_docs(); ++d) EXPECT_LT(index.doc_id(d - 1), index.doc_id(d));
  std::uint32_t ordinal = 0;
  std::uint64_t total = 0;
  for (const auto& [term, postings] : expected) {
    const auto info = index.find_term(term);
    ASSERT_TRUE(info.has_value()) << term;
    EXPECT_EQ(info->ordinal, ordinal++);
    EXPECT_EQ(info->df, postings.size());
    std::map<std::string, std::uint32_t> got;
    std::uint32_t max_impact = 0;
    for (const auto& [doc, impact] : index.postings(info->ordinal)) {
      got[std::string(index.doc_id(doc))] = impact;
      max_impact = std::max(max_impact, impact);
    }
    EXPECT_EQ(got, postings) << term;
    EXPECT_EQ(info->max_impact, max_impact);
    total += postings.size();
  }
  EXPECT_EQ(index.num_postings(), total);
  EXPECT_FALSE(index.find_term("no-such-term").has_value());
}

TEST(IndexFormat, RoundTripsRandomDocumentsAcrossManyBlocks) {
  std::mt19937_64 rng(3);
  Expected expected;
  IndexBuilder builder;
  std::map<std::string, std::uint64_t> lengths;
  const int num_docs = 5000;
  for (int i = 0; i < num_docs; ++i) {
    const std::string id = "doc" + std::to_string(rng() % 100000000) + "_" + std::to_string(i);
    std::map<std::string, std::uint32_t> terms;
    const int len = 1 + static_cast<int>(rng() % 40);
    for (int j = 0; j < len; ++j) {
      // Impacts over the whole 32-bit range, so every packing width appears.
      const std::uint32_t impact = static_cast<std::uint32_t>(rng() >> (32 + rng() % 32)) | 1u;
      terms["t" + std::to_string(rng() % 300)] = impact % 5 == 0 ? impact : impact & 0xFFFF;
    }
    std::vector<std::pair<std::string_view, std::uint32_t>> v(terms.begin(), terms.end());
    builder.add_document(id, v);
    for (const auto& [t, w] : terms) expected[t][id] = w, lengths[id] += w;
  }
  expected["rare"]["only-doc"] = 7;
  builder.add_document("only-doc", {{"rare", 7}, {"zero", 0}});
  lengths["only-doc"] = 7;
  TempDir dir;
  const auto stats = builder.write(dir / "idx");
  const Index index = Index::open(dir / "idx");
  expect_index_holds(index, expected, num_docs + 1);
  EXPECT_EQ(stats.bytes_on_disk, index.bytes_on_disk());
  for (std::uint32_t d = 0; d < index.num_docs(); ++d)
    if (lengths[std::string(index.doc_id(d))] <= 0xFFFFFFFFull)
      EXPECT_EQ(index.doc_length(d), lengths[std::string(index.doc_id(d))]);
}

TEST(IndexFormat, BuilderRefusesBadDocumentsAndStaysUsable) {
  IndexBuilder builder;
  EXPECT_THROW(builder.add_document("", {{"a", 1}}), Error);
  EXPECT_THROW(builder.add_document("x", {{"a", 1}, {"b", 2}, {"a", 3}}), Error);
  EXPECT_THROW(builder.add_document("y", {{"a", 1}, {"", 2}}), Error);
  builder.add_document("x", {{"a", 1}, {"b", 2}});
  EXPECT_EQ(builder.num_docs(), 1u);
  TempDir dir;
  builder.write(dir / "idx");
  const Index index = Index::open(dir / "idx");
  expect_index_holds(index, {{"a", {{"x", 1}}}, {"b", {{"x", 2}}}}, 1);

  IndexBuilder dup;
  dup.add_document("same", {{"a", 1}});
  dup.add_document("same", {{"b", 1}});
  try {
    dup.write(dir / "dup");
    FAIL() << "duplicate ids accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("duplicate document id 'same'"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "dup"));
  // Nothing is left behind by a failed build: no temporary directories.
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename(), "idx") << e.path();
}

TEST(IndexFormat, ReadsJsonVectorsAsAnseriniDoes) {
  TempDir dir;
  // Jackson's asInt(): 2.9 -> 2, -1.5 -> -1 (not indexed), "7" -> 7, "x" -> 0, true -> 1;
  // a key given twice keeps its last value; "contents" and other fields are ignored.
  write_bytes(dir / "c.jsonl",
              "{\"id\": \"b\", \"contents\": \"text {\\\"vector\\\": 1}\", \"vector\": {\"x\": 2.9, \"y\": -1.5, \"z\": 0}}\n"
              "\n"
              "{\"vector\": {\"x\": \"7\", \"w\": \"x\", \"t\": true, \"x2\": 1e2}, \"id\": 12, \"extra\": {\"vector\": {\"q\": 1}}}\n"
              "{\"id\": \"a\", \"vector\": {\"y\": 1, \"y\": 4}}\n");
  build_index_from_json_vectors(dir / "c.jsonl", dir / "idx");
  const Index index = Index::open(dir / "idx");
  expect_index_holds(index, {{"x", {{"b", 2}, {"12", 7}}}, {"t", {{"12", 1}}}, {"x2", {{"12", 100}}}, {"y", {{"a", 4}}}}, 3);
}

TEST(IndexFormat, SameBytesFromPlainGzipFolderAndThreads) {
  std::mt19937_64 rng(11);
  std::string part1, part2;
  for (int i = 0; i < 3000; ++i) {
    std::string line = "{\"id\": \"p" + std::to_string(i) + "\", \"contents\": \"\", \"vector\": {";
    const int len = 1 + static_cast<int>(rng() % 20);
    std::map<std::string, int> terms;
    for (int j = 0; j < len; ++j) terms["##w" + std::to_string(rng() % 500)] = 1 + static_cast<int>(rng() % 200);
    bool first = true;
    for (const auto& [t, w] : terms) line += (first ? "\"" : ", \"") + t + "\": " + std::to_string(w), first = false;
    line += "}}\n";
    (i < 1700 ? part1 : part2) += line;
  }
  TempDir dir;
  write_bytes(dir / "all.jsonl", part1 + part2);
  testing::write_gzip(dir / "all.jsonl.gz", part1 + part2);
  std::filesystem::create_directories(dir / "folder");
  write_bytes(dir / "folder/part-1.jsonl", part1);
  testing::write_gzip(dir / "folder/part-2.jsonl.gz", part2);
  write_bytes(dir / "folder/README.txt", "not a collection file");
  build_index_from_json_vectors(dir / "all.jsonl", dir / "i1");
  build_index_from_json_vectors(dir / "all.jsonl.gz", dir / "i2");
  build_index_from_json_vectors(dir / "folder", dir / "i3");
  IndexBuildOptions threaded;
  threaded.threads = 3;
  build_index_from_json_vectors(dir / "all.jsonl", dir / "i4", threaded);
  const auto reference = index_bytes(dir / "i1");
  EXPECT_EQ(index_bytes(dir / "i2"), reference);
  EXPECT_EQ(index_bytes(dir / "i3"), reference);
  EXPECT_EQ(index_bytes(dir / "i4"), reference);
  EXPECT_EQ(Index::open(dir / "i1").num_docs(), 3000u);
}

TEST(IndexFormat, BadCollectionsNameFileAndLine) {
  TempDir dir;
  write_bytes(dir / "bad.jsonl", "{\"id\": \"a\", \"vector\": {\"x\": 1}}\n{\"id\": \"b\", \"vector\": {\"x\": 1}\n");
  write_bytes(dir / "noid.jsonl", "{\"vector\": {\"x\": 1}}\n");
  write_bytes(dir / "novec.jsonl", "{\"id\": \"a\"}\n");
  write_bytes(dir / "dup.jsonl", "{\"id\": \"a\", \"vector\": {\"x\": 1}}\n{\"id\": \"a\", \"vector\": {\"x\": 1}}\n");
  std::string gz_bytes;
  testing::write_gzip(dir / "ok.jsonl.gz", std::string(5000, ' ') + "{\"id\": \"a\", \"vector\": {\"x\": 1}}\n");
  gz_bytes = read_bytes(dir / "ok.jsonl.gz");
  write_bytes(dir / "truncated.jsonl.gz", gz_bytes.substr(0, gz_bytes.size() - 12));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad.jsonl", "bad.jsonl:2"}, {"noid.jsonl", "noid.jsonl:1: no \"id\""}, {"novec.jsonl", "novec.jsonl:1: no \"vector\""},
      {"dup.jsonl", "duplicate document id 'a'"}, {"truncated.jsonl.gz", "truncated.jsonl.gz"}, {"missing.jsonl", "missing.jsonl"}};
  for (const auto& [file, message] : cases) {
    try {
      build_index_from_json_vectors(dir / file, dir / ("idx-" + file));
      ADD_FAILURE() << file << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir / ("idx-" + file)));
  }
  // An existing index is replaced only when asked.
  build_index_from_json_vectors(dir / "ok.jsonl.gz", dir / "idx");
  EXPECT_THROW(build_index_from_json_vectors(dir / "ok.jsonl.gz", dir / "idx"), Error);
  IndexBuildOptions overwrite;
  overwrite.overwrite = true;
  build_index_from_json_vectors(dir / "ok.jsonl.gz", dir / "idx", overwrite);
  EXPECT_EQ(Index::open(dir / "idx").num_docs(), 1u);
}

}  // namespace
}  // namespace splade
