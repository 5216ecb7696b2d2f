// Collection readers: format rules and errors. The four real collections are compared with an
// independent Python reader in tests/oracle/test_collections_oracle.py; here the counts of
// ../shared/data/README.md and the error paths.
#include <gtest/gtest.h>

#include <set>

#include "support/error_message.h"
#include "collections/beir_collection.h"
#include "collections/smart_format.h"
#include "collections/source_text.h"
#include "collections/trec_sgml.h"
#include "splade/collections.h"
#include "splade/error.h"
#include "support/cli_runner.h"
#include "support/gzip_file.h"
#include "support/temp_dir.h"

using namespace splade;
using namespace splade::collections;

using splade::testing::error_of;

TEST(Collections, CountsAsTheDataReadmeStates) {
  // ../shared/data/README.md: documents, topics, judged topics.
  const struct { const char* name; size_t docs, topics, judged; } want[] = {
      {"cacm", 3204, 64, 52}, {"vaswani", 11429, 93, 93}, {"cranfield", 1400, 225, 225}, {"cisi", 1460, 112, 76}};
  for (const auto& w : want) {
    const TestCollection c = load_collection(w.name, SPLADE_SHARED_DATA_DIR);
    EXPECT_EQ(c.documents.size(), w.docs) << w.name;
    EXPECT_EQ(c.topics.size(), w.topics) << w.name;
    std::set<std::string> judged, docs;
    for (const auto& q : c.qrels) judged.insert(q.qid);
    EXPECT_EQ(judged.size(), w.judged) << w.name;
    for (const auto& d : c.documents) docs.insert(d.id);
    for (const auto& q : c.qrels) EXPECT_TRUE(docs.count(q.docno)) << w.name << " qrels name unknown document " << q.docno;
  }
}

TEST(Collections, BeirSciFactAsTheDataReadmeStates) {
  // ../shared/data/README.md: SciFact, 5,183 documents, 300 test topics; BEIR's qrels.
  const TestCollection c = load_collection("scifact", SPLADE_SHARED_DATA_DIR);
  EXPECT_EQ(c.documents.size(), 5183u);
  EXPECT_EQ(c.topics.size(), 300u);
  std::set<std::string> docs;
  for (const auto& d : c.documents) docs.insert(d.id);
  for (const auto& q : c.qrels) EXPECT_TRUE(docs.count(q.docno)) << "qrels name unknown document " << q.docno;
}

TEST(Collections, BeirTextIsTitleSpaceTextVerbatim) {
  splade::testing::TempDir dir;
  splade::testing::write_gzip(dir / "corpus.beir-v1.0.0-toy.jsonl.gz",
                              "{\"_id\": \"d1\", \"title\": \"T  one\", \"text\": \"body\\nline\"}\n"
                              "{\"_id\": \"d2\", \"title\": \"\", \"text\": \"only text\"}\n"
                              "{\"_id\": \"d3\", \"title\": \"only title\", \"text\": \"\"}\n");
  splade::testing::write_gzip(dir / "topics.beir-v1.0.0-toy.test.tsv.gz", "q1\tfirst query\n");
  splade::testing::write_bytes(dir / "qrels.beir-v1.0.0-toy.test.txt", "q1 0 d2 1\n");
  const TestCollection c = load_beir("toy", dir.path());
  ASSERT_EQ(c.documents.size(), 3u);
  EXPECT_EQ(c.documents[0].text, "T  one body\nline");  // as record_reader joins a BEIR record
  EXPECT_EQ(c.documents[1].text, "only text");
  EXPECT_EQ(c.documents[2].text, "only title");
  ASSERT_EQ(c.topics.size(), 1u);
  EXPECT_EQ(c.topics[0].text, "first query");
  ASSERT_EQ(c.qrels.size(), 1u);
  EXPECT_EQ(c.qrels[0].docno, "d2");
  splade::testing::write_gzip(dir / "corpus.beir-v1.0.0-bad.jsonl.gz", "{\"title\": \"no id\"}\n");
  EXPECT_NE(error_of([&] { load_beir("bad", dir.path()); }).find("corpus.beir-v1.0.0-bad.jsonl.gz:1: no \"_id\" field"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_beir("absent", dir.path()); }).find("no such file"), std::string::npos);
}

TEST(Collections, SmartFormatRules) {
  const auto r = parse_smart(".I 7\n.T\nA  title\n.A\nX\n.A\nY\n.W\nline one\n.not a marker\n", "s");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, "7");
  EXPECT_EQ(r[0].fields.at('T'), "A  title");
  EXPECT_EQ(r[0].fields.at('A'), "X\nY");  // a repeated field continues
  EXPECT_EQ(r[0].fields.at('W'), "line one\n.not a marker");
  EXPECT_EQ(error_of([] { parse_smart("text\n.I 1\n", "s"); }), "s:1: text before the first '.I' record");
  EXPECT_EQ(error_of([] { parse_smart(".I\n", "s"); }), "s:1: record marker '.I' without an id");
  EXPECT_EQ(error_of([] { parse_smart(".I 1\nloose\n", "s"); }), "s:2: text before the first field of record 1");
}

TEST(Collections, SgmlRecordsAndErrors) {
  const auto r = parse_sgml_records("<DOC>\n<DOCNO> 12 </DOCNO>\nsome\n text &amp; more\n</DOC>\n", "x", "DOC", "DOCNO");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, "12");
  EXPECT_EQ(r[0].text, "some text & more");
  EXPECT_EQ(error_of([] { parse_sgml_records("\n<DOC><DOCNO>1</DOCNO>", "x", "DOC", "DOCNO"); }),
            "x:2: <doc> is never closed");
  EXPECT_EQ(error_of([] { parse_sgml_records("<top>text</top>", "x", "top", "num"); }),
            "x:1: record without <num>...</num>");
}

TEST(Collections, HtmlText) {
  EXPECT_EQ(html_to_text("<html><pre>\n a  1 <= m<br>b &lt;c&gt; &#65;&#x42; &bogus;\n</pre>"), "a 1 <= m b <c> AB &bogus;");
}

TEST(Collections, UnknownNameAndCliExport) {
  EXPECT_EQ(error_of([] { load_collection("trec7", SPLADE_SHARED_DATA_DIR); }),
            "unknown collection 'trec7' (expected cacm, vaswani, cranfield, cisi or scifact)");
  splade::testing::TempDir dir;
  auto r = splade::testing::run_cli({"collection", "export", "cisi", "--data", SPLADE_SHARED_DATA_DIR, "-o", dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"corpus.jsonl", "topics.tsv", "qrels.txt"}) EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  auto bad = splade::testing::run_cli({"collection", "export", "nope", "--data", SPLADE_SHARED_DATA_DIR, "-o", dir.path().string()});
  EXPECT_EQ(bad.exit_code, 2);
}
