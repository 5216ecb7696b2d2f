// Input readers of `splade encode`: every accepted format and every bad-record case.
#include <gtest/gtest.h>
#include <zlib.h>

#include "common/gz_line_reader.h"
#include "encode/record_reader.h"
#include "splade/error.h"
#include "support/gzip_file.h"
#include "support/temp_dir.h"

namespace splade::encode {
namespace {

using splade::testing::TempDir;
using splade::testing::write_bytes;


std::vector<Record> read_all(const std::string& path, InputFormat format = InputFormat::kAuto) {
  RecordReader reader(path, format);
  std::vector<Record> out;
  Record r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

TEST(RecordReader, AnseriniBeirAndTsvGiveTheSameRecords) {
  TempDir dir;
  write_bytes(dir / "a.jsonl", "{\"id\": \"d1\", \"contents\": \"first text\"}\n{\"id\": \"d2\", \"contents\": \"second\"}\n");
  write_bytes(dir / "b.jsonl",
              "{\"_id\": \"d1\", \"title\": \"first\", \"text\": \"text\"}\n{\"_id\": \"d2\", \"title\": \"\", \"text\": \"second\"}\n");
  write_bytes(dir / "c.tsv", "d1\tfirst text\nd2\tsecond\n");
  splade::testing::write_gzip(dir / "d.tsv.gz", "d1\tfirst text\r\nd2\tsecond");  // CRLF and no final newline
  for (const char* name : {"a.jsonl", "b.jsonl", "c.tsv", "d.tsv.gz"}) {
    auto recs = read_all((dir / name).string());
    ASSERT_EQ(recs.size(), 2u) << name;
    EXPECT_EQ(recs[0].id, "d1");
    EXPECT_EQ(recs[0].text, "first text") << name;
    EXPECT_EQ(recs[1].text, "second") << name;
    EXPECT_EQ(recs[1].line, 2) << name;
    EXPECT_TRUE(recs[0].error.empty() && recs[1].error.empty()) << name;
  }
}

TEST(RecordReader, FolderReadsFilesInNameOrder) {
  TempDir dir;
  std::filesystem::create_directories(dir / "corpus");
  write_bytes(dir / "corpus" / "part-2.tsv", "c\tthree\n");
  write_bytes(dir / "corpus" / "part-1.jsonl", "{\"id\": \"a\", \"contents\": \"one\"}\n\n{\"id\": \"b\", \"contents\": \"two\"}\n");
  write_bytes(dir / "corpus" / "README.md", "not input");
  auto recs = read_all((dir / "corpus").string());
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].id, "a");
  EXPECT_EQ(recs[1].id, "b");
  EXPECT_EQ(recs[1].line, 3);  // the blank line 2 is skipped but counted
  EXPECT_EQ(recs[2].id, "c");
}

TEST(RecordReader, BadRecordsCarryLineAndReason) {
  TempDir dir;
  write_bytes(dir / "bad.jsonl",
              "{\"id\": \"ok\", \"contents\": \"fine\"}\n"
              "{not json\n"
              "{\"contents\": \"no id\"}\n"
              "{\"id\": \"e\", \"contents\": \"   \"}\n"
              "{\"id\": \"u\", \"contents\": \"bad \xC3\x28 utf8\"}\n"
              "{\"id\": 17, \"contents\": \"numeric id\"}\n");
  auto recs = read_all((dir / "bad.jsonl").string());
  ASSERT_EQ(recs.size(), 6u);
  EXPECT_TRUE(recs[0].error.empty());
  EXPECT_NE(recs[1].error.find("invalid JSON"), std::string::npos);
  EXPECT_EQ(recs[1].line, 2);
  EXPECT_NE(recs[2].error.find("missing"), std::string::npos);
  EXPECT_NE(recs[3].error.find("empty text"), std::string::npos);
  EXPECT_NE(recs[4].error.find("UTF-8"), std::string::npos);
  EXPECT_TRUE(recs[5].error.empty());
  EXPECT_EQ(recs[5].id, "17");
  write_bytes(dir / "bad.tsv", "no tab here\n");
  EXPECT_NE(read_all((dir / "bad.tsv").string())[0].error.find("no tab"), std::string::npos);
}

TEST(RecordReader, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xC3"));                  // cut short
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));          // surrogate U+D800
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));      // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\x80"));                  // continuation without lead
}

TEST(RecordReader, UnknownExtensionAndMissingInput) {
  TempDir dir;
  write_bytes(dir / "x.csv", "a,b\n");
  EXPECT_THROW(read_all((dir / "x.csv").string()), Error);
  EXPECT_THROW(read_all((dir / "missing.tsv").string()), Error);
  EXPECT_EQ(read_all((dir / "x.csv").string(), InputFormat::kTsv).size(), 1u);  // explicit format wins
}

TEST(GzLineReader, TruncatedGzipIsAnErrorNotShortData) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + " with some text to compress\n";
  splade::testing::write_gzip(dir / "full.gz", text);
  const std::string gz = splade::testing::read_bytes(dir / "full.gz");
  write_bytes(dir / "cut.gz", gz.substr(0, gz.size() / 2));
  GzLineReader full((dir / "full.gz").string());
  std::string line;
  int n = 0;
  while (full.next(line)) ++n;
  EXPECT_EQ(n, 20000);
  GzLineReader cut((dir / "cut.gz").string());
  EXPECT_THROW(
      {
        while (cut.next(line)) {
        }
      },
      Error);
}

}  // namespace
}  // namespace splade::encode
