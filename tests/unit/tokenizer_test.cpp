// splade::Tokenizer on real data: every query of ../shared/data against its reference
// WordPiece tokenization (*.wp.tsv.gz, made with Hugging Face's bert-base-uncased tokenizer),
// Anserini's golden case and truncation rule, the loaders, invalid UTF-8, batches and threads.
// Parity with HF tokenizers itself on >100k strings is in tests/oracle/test_tokenizer_oracle.py.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/gz_line_reader.h"
#include "splade/error.h"
#include "splade/tokenizer.h"
#include "support/cli_runner.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

const std::string kData = SPLADE_SHARED_DATA_DIR;
const std::string kVocab = kData + "/vocab/bert-base-uncased-vocab.txt";

std::map<std::string, std::string> read_tsv(const std::string& path) {
  std::map<std::string, std::string> out;
  GzLineReader in(path);
  std::string line;
  while (in.next(line)) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos) out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

// The raw topics and their reference tokenization, for the seven topic sets of ../shared/data.
std::vector<std::pair<std::string, std::string>> topic_files() {
  std::vector<std::pair<std::string, std::string>> f;
  for (const char* t : {"topics.msmarco-passage.dev-subset", "topics.dl19-passage", "topics.dl20"})
    f.emplace_back(kData + "/msmarco-passage/" + t + ".txt", kData + "/msmarco-passage/" + t + ".wp.tsv.gz");
  for (const char* b : {"arguana", "fiqa", "nfcorpus", "scifact"}) {
    const std::string base = kData + "/beir/topics.beir-v1.0.0-" + b + ".test";
    f.emplace_back(base + ".tsv.gz", base + ".wp.tsv.gz");
  }
  return f;
}

std::vector<std::string> all_queries() {
  std::vector<std::string> q;
  for (const auto& [raw, ref] : topic_files())
    for (const auto& [id, text] : read_tsv(raw)) q.push_back(text);
  return q;
}

// tokenizer.json for bert-base-uncased, in the layout tokenizers serializes (what
// BertTokenizerFast.save_pretrained writes), built from the vocab file.
nlohmann::json bert_tokenizer_json() {
  nlohmann::json vocab = nlohmann::json::object();
  std::ifstream in(kVocab);
  std::string line;
  for (std::int64_t id = 0; std::getline(in, line); ++id) vocab[line] = id;
  nlohmann::json added = nlohmann::json::array();
  for (const auto& [t, id] : std::vector<std::pair<std::string, int>>{
           {"[PAD]", 0}, {"[UNK]", 100}, {"[CLS]", 101}, {"[SEP]", 102}, {"[MASK]", 103}})
    added.push_back({{"id", id}, {"content", t}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
                     {"normalized", false}, {"special", true}});
  return {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer",
       {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true}, {"strip_accents", nullptr},
        {"lowercase", true}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single",
         {{{"SpecialToken", {{"id", "[CLS]"}, {"type_id", 0}}}},
          {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
          {{"SpecialToken", {{"id", "[SEP]"}, {"type_id", 0}}}}}},
        {"pair", nlohmann::json::array()},
        {"special_tokens",
         {{"[CLS]", {{"id", "[CLS]"}, {"ids", {101}}, {"tokens", {"[CLS]"}}}},
          {"[SEP]", {{"id", "[SEP]"}, {"ids", {102}}, {"tokens", {"[SEP]"}}}}}}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
      {"model",
       {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"continuing_subword_prefix", "##"},
        {"max_input_chars_per_word", 100}, {"vocab", vocab}}},
  };
}

const Tokenizer& bert() {
  static const Tokenizer t = Tokenizer::from_vocab_file(kVocab);
  return t;
}

TEST(Tokenizer, EveryQueryMatchesItsReferenceWordPieces) {
  std::size_t total = 0;
  for (const auto& [raw, ref] : topic_files()) {
    const auto texts = read_tsv(raw);
    const auto expected = read_tsv(ref);
    ASSERT_FALSE(expected.empty()) << ref;
    std::size_t matched = 0;
    for (const auto& [qid, pieces] : expected) {
      auto it = texts.find(qid);
      ASSERT_NE(it, texts.end()) << ref << ": qid " << qid << " is not in " << raw;
      EXPECT_EQ(join(bert().word_pieces(it->second)), pieces) << raw << " qid " << qid << ": " << it->second;
      matched += join(bert().word_pieces(it->second)) == pieces;
    }
    EXPECT_EQ(matched, expected.size()) << raw;
    total += matched;
  }
  EXPECT_EQ(total, 6980u + 43 + 200 + 1406 + 648 + 323 + 300);  // the line counts of the seven .wp.tsv.gz
}

TEST(Tokenizer, AnseriniGoldenCase) {
  // Anserini's SpladePlusPlusEncoder test: "define: geon" -> [101, 9375, 1024, 20248, 2078, 102].
  const Encoding e = bert().encode("define: geon");
  EXPECT_EQ(e.ids, (std::vector<std::int64_t>{101, 9375, 1024, 20248, 2078, 102}));
  EXPECT_EQ(e.type_ids, std::vector<std::int64_t>(6, 0));
  EXPECT_EQ(e.attention_mask, std::vector<std::int64_t>(6, 1));
  // Offsets cut the input back into the pieces' text: "define", ":", "geo", "n".
  const std::string text = "define: geon";
  const std::vector<std::string> want = {"", "define", ":", "geo", "n", ""};
  for (std::size_t i = 0; i < e.ids.size(); ++i)
    EXPECT_EQ(text.substr(e.offsets[i].first, e.offsets[i].second - e.offsets[i].first), want[i]);
}

TEST(Tokenizer, TruncationHuggingFaceAndAnserini) {
  std::string text;
  for (int i = 0; i < 700; ++i) text += "goldfish ";  // 2 pieces a word: 1400 pieces
  const Encoding full = bert().encode(text, {.truncation = Truncation::kNone});
  ASSERT_EQ(full.ids.size(), 1402u);
  // HF: max_length counts the special tokens: 510 pieces + [CLS] + [SEP].
  const Encoding hf = bert().encode(text);
  ASSERT_EQ(hf.ids.size(), 512u);
  EXPECT_EQ(hf.ids.back(), bert().sep_id());
  EXPECT_TRUE(std::equal(hf.ids.begin(), hf.ids.end() - 1, full.ids.begin()));
  // Anserini's SpladeEncoder.java: ([CLS] + pieces) cut to 510, then [SEP]: 511 ids.
  const Encoding ans = bert().encode(text, {.truncation = Truncation::kAnserini});
  ASSERT_EQ(ans.ids.size(), 511u);
  EXPECT_EQ(ans.ids.front(), bert().cls_id());
  EXPECT_EQ(ans.ids.back(), bert().sep_id());
  EXPECT_TRUE(std::equal(ans.ids.begin(), ans.ids.end() - 1, full.ids.begin()));
  // Short texts are not touched by either.
  EXPECT_EQ(bert().encode("define: geon", {.truncation = Truncation::kAnserini}).ids, bert().encode("define: geon").ids);
  EXPECT_EQ(bert().encode(text, {.max_length = 16}).ids.size(), 16u);
  EXPECT_THROW(bert().encode(text, {.max_length = 1}), Error);
}

TEST(Tokenizer, LoadersAgree) {
  testing::TempDir dir;
  const nlohmann::json j = bert_tokenizer_json();
  testing::write_bytes(dir / "tokenizer.json", j.dump());
  const Tokenizer from_json = Tokenizer::from_directory(dir.path().string());
  const Tokenizer from_text = Tokenizer::from_tokenizer_json_text(j.dump());
  testing::TempDir vocab_dir;
  testing::write_bytes(vocab_dir / "vocab.txt", testing::read_bytes(kVocab));
  const Tokenizer from_vocab_dir = Tokenizer::from_directory(vocab_dir.path().string());
  for (const auto* t : {&from_json, &from_text, &from_vocab_dir}) {
    EXPECT_EQ(t->vocab_size(), 30522u);
    EXPECT_EQ(t->cls_id(), bert().cls_id());
    EXPECT_EQ(t->sep_id(), bert().sep_id());
    EXPECT_EQ(t->pad_id(), bert().pad_id());
    EXPECT_EQ(t->unk_id(), bert().unk_id());
    EXPECT_EQ(t->model_max_length(), 512);
  }
  EXPECT_EQ(bert().id_to_token(bert().cls_id()), "[CLS]");
  EXPECT_EQ(bert().token_to_id("[MASK]"), std::optional<std::int64_t>(103));
  EXPECT_EQ(bert().token_to_id("no-such-token"), std::nullopt);
  EXPECT_THROW(bert().id_to_token(30522), Error);
  for (const auto& q : all_queries()) {
    const Encoding a = from_json.encode(q), b = from_vocab_dir.encode(q), c = bert().encode(q);
    ASSERT_EQ(a.ids, c.ids) << q;
    ASSERT_EQ(a.offsets, c.offsets) << q;
    ASSERT_EQ(b.ids, c.ids) << q;
  }
}

TEST(Tokenizer, TokenizerConfigSettings) {
  testing::TempDir dir;
  testing::write_bytes(dir / "vocab.txt", testing::read_bytes(kVocab));
  testing::write_bytes(dir / "tokenizer_config.json",
                       R"({"do_lower_case": false, "model_max_length": 128, "tokenizer_class": "BertTokenizer"})");
  const Tokenizer cased = Tokenizer::from_directory(dir.path().string());
  EXPECT_EQ(cased.model_max_length(), 128);
  // Without lowercasing (and so without accent stripping) "Paris" is not in the uncased vocab.
  EXPECT_EQ(cased.word_pieces("Paris"), std::vector<std::string>{"[UNK]"});
  EXPECT_EQ(bert().word_pieces("Paris"), std::vector<std::string>{"paris"});
  // transformers writes model_max_length 1e30 for "unknown": the BERT default stays.
  testing::write_bytes(dir / "tokenizer_config.json", R"({"model_max_length": 1000000000000000019884624838656})");
  EXPECT_EQ(Tokenizer::from_directory(dir.path().string()).model_max_length(), 512);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Tokenizer, UnsupportedComponentsAreNamed) {
  auto with = [](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = bert_tokenizer_json();
    edit(j);
    return j.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {with([](auto& j) { j["normalizer"] = {{"type", "Sequence"}, {"normalizers", nlohmann::json::array()}}; }),
       "normalizer.type 'Sequence'"},
      {with([](auto& j) { j["model"]["type"] = "BPE"; }), "model.type 'BPE'"},
      {with([](auto& j) { j["pre_tokenizer"] = {{"type", "Whitespace"}}; }), "pre_tokenizer.type 'Whitespace'"},
      {with([](auto& j) { j["post_processor"] = {{"type", "RobertaProcessing"}}; }),
       "post_processor.type 'RobertaProcessing'"},
      {with([](auto& j) { j["added_tokens"][4]["normalized"] = true; }), "added_tokens[4] ('[MASK]') with normalized=true"},
      {with([](auto& j) { j["truncation"] = {{"direction", "Left"}, {"max_length", 512}}; }),
       "truncation.direction 'Left'"},
  };
  for (const auto& [text, needle] : cases) {
    const std::string msg = error_of([&] { Tokenizer::from_tokenizer_json_text(text); });
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  EXPECT_NE(error_of([] { Tokenizer::from_tokenizer_json_text("{not json"); }).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of([] { Tokenizer::from_directory("/nonexistent/dir"); }).find("not a directory"), std::string::npos);
  testing::TempDir dir;
  testing::write_bytes(dir / "vocab.txt", testing::read_bytes(kVocab));
  testing::write_bytes(dir / "tokenizer_config.json", R"({"tokenizer_class": "RobertaTokenizer"})");
  EXPECT_NE(error_of([&] { Tokenizer::from_directory(dir.path().string()); }).find("tokenizer_class 'RobertaTokenizer'"),
            std::string::npos);
}

TEST(Tokenizer, InvalidUtf8IsReplacedCountedAndKeepsOffsets) {
  // Unicode 15 §3.9, Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 reads as
  // a FFFD FFFD FFFD b FFFD c FFFD FFFD d (one U+FFFD per maximal subpart): six replacements.
  const std::string bad = "a\xF1\x80\x80\xE1\x80\xC2" "b\x80" "c\x80\xBF" "d";
  const Encoding e = bert().encode(bad);
  EXPECT_EQ(e.invalid_utf8, 6u);
  // clean_text removes U+FFFD, so the letters join into one word, as HF does with the
  // decoded string; its offsets span the original bytes.
  EXPECT_EQ(e.ids, bert().encode("abcd").ids);
  ASSERT_EQ(e.offsets.size(), bert().encode("abcd").offsets.size());
  EXPECT_EQ(e.offsets[1].first, 0u);
  EXPECT_EQ(e.offsets.end()[-2].second, bad.size());
  EXPECT_EQ(bert().encode("caf\xC3\xA9").invalid_utf8, 0u);
}

TEST(Tokenizer, BatchesThreadsAndPadding) {
  const auto queries = all_queries();
  std::vector<Encoding> one;
  for (const auto& q : queries) one.push_back(bert().encode(q));
  const auto four = bert().encode_batch(queries, {}, 4);
  ASSERT_EQ(four.size(), one.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    ASSERT_EQ(four[i].ids, one[i].ids) << queries[i];
    ASSERT_EQ(four[i].offsets, one[i].offsets) << queries[i];
  }
  const std::vector<std::string> texts = {"a", "what is the meaning of life", ""};
  const auto padded = bert().encode_batch(texts, {.padding = Padding::kLongest});
  const std::size_t longest = bert().encode(texts[1]).ids.size();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const Encoding plain = bert().encode(texts[i]);
    ASSERT_EQ(padded[i].ids.size(), longest);
    for (std::size_t k = 0; k < longest; ++k) {
      const bool real = k < plain.ids.size();
      EXPECT_EQ(padded[i].ids[k], real ? plain.ids[k] : bert().pad_id());
      EXPECT_EQ(padded[i].attention_mask[k], real ? 1 : 0);
    }
  }
  const Encoding fixed = bert().encode("a", {.padding = Padding::kFixed, .pad_to = 8});
  EXPECT_EQ(fixed.ids.size(), 8u);
  EXPECT_EQ(std::count(fixed.attention_mask.begin(), fixed.attention_mask.end(), 1), 3);
}

TEST(Tokenizer, OffsetsCutTheInputIntoThePieces) {
  // Property on the real queries: the bytes an offset covers, lowercased with accents
  // stripped, are the piece (without "##") for pieces from ASCII text.
  for (const auto& q : all_queries()) {
    if (std::any_of(q.begin(), q.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) continue;
    const Encoding e = bert().encode(q, {.truncation = Truncation::kNone, .add_special_tokens = false});
    for (std::size_t i = 0; i < e.ids.size(); ++i) {
      std::string piece = bert().id_to_token(e.ids[i]);
      if (piece.rfind("##", 0) == 0) piece = piece.substr(2);
      std::string span = q.substr(e.offsets[i].first, e.offsets[i].second - e.offsets[i].first);
      std::transform(span.begin(), span.end(), span.begin(), [](unsigned char c) { return std::tolower(c); });
      if (piece != "[UNK]") {
        ASSERT_EQ(span, piece) << q;
      }
    }
  }
}

TEST(CliTokenize, GzInputAtomicOutputAndErrors) {
  testing::TempDir dir;
  const std::string ref = kData + "/msmarco-passage/topics.dl19-passage.wp.tsv.gz";
  const auto out = (dir / "out.tsv").string();
  auto r = testing::run_cli({"tokenize", "--vocab", kVocab, "--input", kData + "/msmarco-passage/topics.dl19-passage.txt",
                             "--output", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_tsv(out), read_tsv(ref));
  std::set<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(dir.path())) files.insert(f.path().filename().string());
  EXPECT_EQ(files, std::set<std::string>{"out.tsv"}) << "no temporary file is left behind";

  // .gz input, stdin/stdout, ids.
  r = testing::run_cli({"tokenize", "--vocab", kVocab, "--input", kData + "/beir/topics.beir-v1.0.0-scifact.test.tsv.gz"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  testing::write_bytes(dir / "got.tsv", r.out);
  EXPECT_EQ(read_tsv((dir / "got.tsv").string()), read_tsv(kData + "/beir/topics.beir-v1.0.0-scifact.test.wp.tsv.gz"));
  r = testing::run_cli({"tokenize", "--vocab", kVocab, "--ids"}, "q1\tdefine: geon\n");
  EXPECT_EQ(r.out, "q1\t101 9375 1024 20248 2078 102\n");

  // A line without a tab: exit 2, one line naming the input line.
  r = testing::run_cli({"tokenize", "--vocab", kVocab, "--output", out}, "q1\tok\nno tab here\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("<stdin>:2"), std::string::npos) << r.err;
  EXPECT_EQ(read_tsv(out), read_tsv(ref)) << "a failed run leaves the old output untouched";
  r = testing::run_cli({"tokenize", "--model", (dir / "missing").string()}, "");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace splade
