// Snapping impacts at recorded .5 ties (regression/recorded_ties.h): only a recorded tie's
// other neighbour moves back; everything else is copied byte for byte; a snapped line is
// exactly what `splade encode` would have written with the recorded impacts (same writer
// layout, tokens in vocabulary order, a token that rounded to 0 inserted in its place).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "encode/vector_writer.h"
#include "regression/recorded_ties.h"
#include "splade/error.h"
#include "splade/sparse_vector.h"
#include "support/temp_dir.h"

namespace splade::regression {
namespace {

const std::vector<std::string> kVocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "alpha", "beta", "gamma", "del\"ta"};

Tokenizer make_tokenizer(const std::filesystem::path& dir) {
  std::ofstream v(dir / "vocab.txt");
  for (const auto& t : kVocab) v << t << "\n";
  v.close();
  return Tokenizer::from_vocab_file((dir / "vocab.txt").string());
}

// The weight whose Anserini impact is `impact` (impact * 5 / 256 rounds back exactly).
float weight_of(std::int64_t impact) { return static_cast<float>(impact) * 5.0f / 256.0f; }

std::string line(const Tokenizer& tok, OutputFormat f, const std::string& id,
                 const std::vector<std::pair<std::int64_t, std::int64_t>>& id_impacts) {
  SparseVector v;
  for (auto [i, w] : id_impacts) v.ids.push_back(i), v.weights.push_back(weight_of(w));
  std::string out;
  encode::VectorFormatter(tok, f).append(out, id, "some \"text\"", v);
  return out;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(RecordedTies, OnlyTheOtherNeighbourOfARecordedTieMoves) {
  std::map<std::string, std::int64_t> v = {{"alpha", 7}, {"beta", 3}, {"gamma", 9}};
  const std::vector<RecordedTie> ties = {
      {"alpha", 6, 6.4987},  // ours 7, recorded 6 around 6.5: snapped
      {"beta", 3, 3.5012},   // same on both sides: unchanged
      {"gamma", 7, 7.4991},  // ours 9 is not a neighbour of 7.5: left (the sha256 check fails)
      {"delta", 1, 0.5003},  // absent here (0), recorded 1: inserted
  };
  EXPECT_EQ(snap_ties(v, ties), 2u);
  EXPECT_EQ(v.at("alpha"), 6);
  EXPECT_EQ(v.at("beta"), 3);
  EXPECT_EQ(v.at("gamma"), 9);
  EXPECT_EQ(v.at("delta"), 1);
}

TEST(RecordedTies, SnappedFilesAreWhatTheWriterWritesWithTheRecordedImpacts) {
  testing::TempDir dir;
  const Tokenizer tok = make_tokenizer(dir.path());
  using F = OutputFormat;
  // Ours: d1 has alpha 5, gamma 2; d2 untouched. Recorded: d1 alpha 4 (tie 4.5), del"ta 1 (tie 0.5).
  std::unordered_map<std::string, std::vector<RecordedTie>> ties = {
      {"d1", {{"alpha", 4, 4.5004}, {"del\"ta", 1, 0.4999}}}};
  for (F f : {F::kJsonVector, F::kQueryTsv}) {
    const std::string ours = line(tok, f, "d1", {{4, 5}, {6, 2}}) + line(tok, f, "d2", {{5, 3}});
    const std::string want = line(tok, f, "d1", {{4, 4}, {6, 2}, {7, 1}}) + line(tok, f, "d2", {{5, 3}});
    std::ofstream(dir / "ours.txt", std::ios::binary) << ours;
    const auto o = f == F::kJsonVector ? snap_json_vectors(dir / "ours.txt", dir / "snapped.txt", ties, tok)
                                       : snap_query_tsv(dir / "ours.txt", dir / "snapped.txt", ties, tok);
    EXPECT_EQ(o.records, 2u);
    EXPECT_EQ(o.impacts_snapped, 2u);
    EXPECT_EQ(read(dir / "snapped.txt"), want);
    // Without ties: a byte-for-byte copy.
    const auto none = f == F::kJsonVector ? snap_json_vectors(dir / "ours.txt", dir / "copy.txt", {}, tok)
                                          : snap_query_tsv(dir / "ours.txt", dir / "copy.txt", {}, tok);
    EXPECT_EQ(none.impacts_snapped, 0u);
    EXPECT_EQ(read(dir / "copy.txt"), ours);
  }
}

TEST(RecordedTies, FileErrorsNameTheLine) {
  testing::TempDir dir;
  std::ofstream(dir / "ok.tsv") << "corpus.vectors\td1\talpha\t4\t4.5004\nqueries.vectors\tq1\tbeta\t1\t0.4999\n";
  const auto r = read_recorded_ties(dir / "ok.tsv", 0.005);
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.by_role.at("queries.vectors").at("q1").front().token, "beta");
  // x not within the margin of a .5: not a tie.
  std::ofstream(dir / "bad.tsv") << "corpus.vectors\td1\talpha\t4\t4.5004\ncorpus.vectors\td1\tbeta\t4\t4.2\n";
  try {
    read_recorded_ties(dir / "bad.tsv", 0.005);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.tsv:2:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_recorded_ties(dir / "none.tsv", 0.005), Error);
}

}  // namespace
}  // namespace splade::regression
