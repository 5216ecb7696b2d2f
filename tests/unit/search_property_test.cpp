// Property: MaxScore (with block-max bounds) == block-max (BMP) == impact-ordered (rho 1) ==
// exhaustive evaluation ==
// a brute-force dot product over the documents as given, ranked by score desc then external id asc (bytes),
// Anserini's order. On random corpora built to have many ties, and on the real SPLADE++ ED
// MS MARCO dev query vectors against a synthetic corpus shaped after them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <unordered_map>

#include "splade/error.h"
#include "splade/index.h"
#include "splade/searcher.h"
#include "support/small_index.h"
#include "support/synthetic_corpus.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::TempDir;

struct Doc {
  std::string id;
  std::unordered_map<std::string, std::uint32_t> terms;
};

std::vector<std::pair<std::string, std::uint64_t>> brute_force(const std::vector<Doc>& docs, const QueryVector& query,
                                                                std::size_t k) {
  std::map<std::string, std::uint64_t> q;
  for (const auto& [t, w] : query)
    if (w > 0) q[t] += w;
  std::vector<std::pair<std::string, std::uint64_t>> all;
  for (const auto& d : docs) {
    std::uint64_t s = 0;
    for (const auto& [t, w] : q) {
      auto it = d.terms.find(t);
      if (it != d.terms.end()) s += w * it->second;
    }
    if (s > 0) all.emplace_back(d.id, s);
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (all.size() > k) all.resize(k);
  return all;
}

std::vector<std::pair<std::string, std::uint64_t>> named(const Index& index, const std::vector<Hit>& hits) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const auto& h : hits) out.emplace_back(std::string(index.doc_id(h.doc)), h.score);
  return out;
}

// reorder: doc ids by graph bisection, so internal order is not external-id order and ties
// must be broken by the external id's rank.
Index build(const TempDir& dir, const std::vector<Doc>& docs, bool reorder = false) {
  IndexBuildOptions options;
  options.reorder = reorder;
  options.block_max = true;
  Index index = testing::write_small_index(docs, dir / (reorder ? "index-reordered" : "index"), options);
  if (reorder && docs.size() > 64) EXPECT_TRUE(index.reordered());
  return index;
}

const SearchAlgorithm kAllAlgorithms[] = {SearchAlgorithm::kExhaustive, SearchAlgorithm::kMaxScore, SearchAlgorithm::kBlockMax,
                                           SearchAlgorithm::kAuto, SearchAlgorithm::kImpactOrdered};

// Random corpora: small vocabularies and impact ranges give long lists and many equal scores.
TEST(SearchProperty, MaxScoreEqualsExhaustiveEqualsBruteForceOnRandomCorpora) {
  std::mt19937_64 rng(7);
  int checked = 0;
  for (int round = 0; round < 6; ++round) {
    const std::size_t num_docs = std::vector<std::size_t>{1, 50, 700, 3000, 9000, 20000}[round];
    const int vocab = std::vector<int>{3, 20, 60, 200, 40, 500}[round];
    const std::uint32_t max_impact = std::vector<std::uint32_t>{1, 3, 255, 5, 2, 40}[round];
    std::uniform_int_distribution<int> term_dist(0, vocab - 1);
    std::uniform_int_distribution<std::uint32_t> impact_dist(1, max_impact);
    std::vector<Doc> docs(num_docs);
    for (std::size_t i = 0; i < num_docs; ++i) {
      docs[i].id = "d" + std::to_string(rng() % 1000000) + "-" + std::to_string(i);  // unsorted input order
      const int len = 1 + static_cast<int>(rng() % 30);
      for (int j = 0; j < len; ++j) {
        // Skewed: low term numbers are frequent.
        const int t = std::min(term_dist(rng), term_dist(rng));
        docs[i].terms["t" + std::to_string(t)] = impact_dist(rng);
      }
    }
    TempDir dir;
    for (const bool reorder : {false, true}) {
      const Index index = build(dir, docs, reorder);
      Searcher searcher(index);
      std::mt19937_64 qrng(round);  // the same queries on both indexes
      for (int qn = 0; qn < 40; ++qn) {
        QueryVector q;
        const int len = 1 + static_cast<int>(qrng() % 12);
        for (int j = 0; j < len; ++j)
          q.emplace_back("t" + std::to_string(term_dist(qrng)), 1 + static_cast<std::int64_t>(qrng() % 4));
        q.emplace_back("absent-term", 3);
        for (std::size_t k : {1u, 7u, 100u, 1000u}) {
          const auto expected = brute_force(docs, q, k);
          for (const auto algorithm : kAllAlgorithms)
            ASSERT_EQ(named(index, searcher.search(q, {k, algorithm})), expected)
                << "round " << round << " reorder " << reorder << " query " << qn << " k " << k << " algorithm "
                << static_cast<int>(algorithm);
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 2 * 6 * 40 * 4);
}

// Scores beyond 32 bits (large impacts and query weights): the searcher's 64-bit
// accumulators, interleaved with queries that fit 32 bits on the same Searcher.
TEST(SearchProperty, ScoresBeyond32BitsMatchBruteForce) {
  std::mt19937_64 rng(17);
  std::vector<Doc> docs(800);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    docs[i].id = "doc" + std::to_string(rng() % 100000) + "-" + std::to_string(i);
    for (int j = 0; j < 6; ++j) docs[i].terms["t" + std::to_string(rng() % 25)] = 1 + static_cast<std::uint32_t>(rng() % (1u << 30));
  }
  TempDir dir;
  const Index index = build(dir, docs);
  Searcher searcher(index);
  for (int qn = 0; qn < 30; ++qn) {
    const bool wide = qn % 2 == 0;
    QueryVector q;
    // Narrow: one term, weight <= 3, so the bound (<= 3 * 2^30) fits 32 bits with scores near it.
    for (int j = 0; j < (wide ? 5 : 1); ++j)
      q.emplace_back("t" + std::to_string(rng() % 25), 1 + static_cast<std::int64_t>(rng() % (wide ? 1u << 20 : 3u)));
    for (std::size_t k : {5u, 300u}) {
      const auto expected = brute_force(docs, q, k);
      if (wide) ASSERT_GT(expected.front().second, 0xFFFFFFFFull) << "the query must need 64-bit scores";
      ASSERT_EQ(named(index, searcher.search(q, {k, SearchAlgorithm::kExhaustive})), expected) << "query " << qn;
      ASSERT_EQ(named(index, searcher.search(q, {k, SearchAlgorithm::kMaxScore})), expected) << "query " << qn;
      ASSERT_EQ(named(index, searcher.search(q, {k, SearchAlgorithm::kBlockMax})), expected) << "query " << qn;
      ASSERT_EQ(named(index, searcher.search(q, {k, SearchAlgorithm::kImpactOrdered})), expected) << "query " << qn;
    }
  }
}

TEST(SearchProperty, EqualScoresRankByExternalIdBytes) {
  // Same vector everywhere: the order must be the byte order of the ids, not input order.
  std::vector<Doc> docs;
  for (const char* id : {"b", "a10", "a9", "B", "\xc3\xa9", "a1"}) docs.push_back({id, {{"x", 2}}});
  TempDir dir;
  const Index index = build(dir, docs);
  Searcher searcher(index);
  for (auto algo : kAllAlgorithms) {
    const auto hits = named(index, searcher.search({{"x", 1}}, {4, algo}));
    const std::vector<std::pair<std::string, std::uint64_t>> expected = {{"B", 2}, {"a1", 2}, {"a10", 2}, {"a9", 2}};
    EXPECT_EQ(hits, expected);
  }
}

// In a reordered index the internal order is not the ids' byte order; ties still rank by
// external id. Two clusters of documents with disjoint terms, ids interleaved, so graph
// bisection must separate ids that are neighbours in byte order; every score tied.
TEST(SearchProperty, ReorderedIndexStillRanksTiesByExternalId) {
  std::vector<Doc> docs;
  for (int i = 0; i < 600; ++i) {
    Doc d{"doc" + std::to_string(1000 + i), {}};
    for (int t = 0; t < 8; ++t) d.terms[(i % 2 ? "odd" : "even") + std::to_string((i / 2 + t) % 20)] = 1;
    d.terms["shared"] = 3;
    docs.push_back(d);
  }
  TempDir dir;
  const Index index = build(dir, docs, true);
  ASSERT_TRUE(index.reordered());
  std::size_t moved = 0;
  for (std::uint32_t d = 0; d < index.num_docs(); ++d) moved += index.doc_id(d) != "doc" + std::to_string(1000 + d);
  EXPECT_GT(moved, 300u) << "bisection left the byte order in place: the test would not test tie-breaking";
  Searcher searcher(index);
  for (std::size_t k : {1u, 10u, 333u, 600u, 1000u})
    for (auto algo : kAllAlgorithms)
      ASSERT_EQ(named(index, searcher.search({{"shared", 2}, {"odd3", 1}}, {k, algo})),
                brute_force(docs, {{"shared", 2}, {"odd3", 1}}, k))
          << "k " << k << " algorithm " << static_cast<int>(algo);
}

// An index of a synthetic corpus shaped after real SPLADE++ ED query vectors (tests/support/synthetic_corpus.h).
Index build_synthetic_index(const std::filesystem::path& queries, const testing::CorpusSpec& spec, const TempDir& dir,
                            bool reorder = false) {
  const std::filesystem::path data = SPLADE_SHARED_DATA_DIR;
  const auto model = testing::TermModel::from_query_vectors(queries, data / "vocab/bert-base-uncased-vocab.txt");
  IndexBuilder builder;
  testing::generate_corpus(model, spec, [&](std::string_view id, const auto& terms) { builder.add_document(id, terms); });
  IndexBuildOptions options;
  options.reorder = reorder;
  options.block_max = true;
  options.threads = 2;
  const auto path = dir / (reorder ? "index-reordered" : "index");
  builder.write(path, options);
  return Index::open(path);
}

TEST(SearchProperty, RealSpladeQueryVectorsOnSyntheticCorpus) {
  const std::filesystem::path data = SPLADE_SHARED_DATA_DIR;
  const auto queries = data / "msmarco-passage/topics.msmarco-passage.dev-subset.splade-pp-ed.tsv.gz";
  testing::CorpusSpec spec;
  spec.num_docs = 30000;
  spec.median_terms = 60;
  TempDir dir;
  const Index index = build_synthetic_index(queries, spec, dir);
  const Index reordered_index = build_synthetic_index(queries, spec, dir, true);
  const auto topics = read_topics(queries);
  ASSERT_EQ(topics.size(), 6980u);  // the MS MARCO dev subset
  Searcher searcher(index), reordered_searcher(reordered_index);
  std::size_t nonempty = 0;
  for (std::size_t i = 0; i < topics.size(); i += 7) {  // ~1,000 real queries
    for (std::size_t k : {10u, 1000u}) {
      const auto exhaustive = searcher.search(topics[i].vector, {k, SearchAlgorithm::kExhaustive});
      const auto maxscore = searcher.search(topics[i].vector, {k, SearchAlgorithm::kMaxScore});
      const auto block_max = searcher.search(topics[i].vector, {k, SearchAlgorithm::kBlockMax});
      const auto reordered = reordered_searcher.search(topics[i].vector, {k, SearchAlgorithm::kBlockMax});
      const auto impact_ordered = reordered_searcher.search(topics[i].vector, {k, SearchAlgorithm::kImpactOrdered});
      ASSERT_EQ(named(index, maxscore), named(index, exhaustive)) << "query " << topics[i].id << " k " << k;
      ASSERT_EQ(named(index, block_max), named(index, exhaustive)) << "query " << topics[i].id << " k " << k;
      ASSERT_EQ(named(reordered_index, reordered), named(index, exhaustive)) << "query " << topics[i].id << " k " << k;
      ASSERT_EQ(named(reordered_index, impact_ordered), named(index, exhaustive)) << "query " << topics[i].id << " k " << k;
      nonempty += !exhaustive.empty();
    }
  }
  EXPECT_GT(nonempty, 1900u);
}

// Approximate block-max (alpha < 1) skips a range only when alpha * its bound is below the
// k-th score it has found, so every document it misses scores below that k-th score / alpha;
// what it returns is a correctly ranked list of true scores.
TEST(SearchProperty, ApproximateBlockMaxKeepsItsBound) {
  std::mt19937_64 rng(29);
  std::vector<Doc> docs(6000);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    docs[i].id = "doc" + std::to_string(i);
    const int len = 1 + static_cast<int>(rng() % 40);
    for (int j = 0; j < len; ++j) docs[i].terms["t" + std::to_string(std::min(rng() % 300, rng() % 300))] = 1 + rng() % 200;
  }
  TempDir dir;
  const Index index = build(dir, docs);
  Searcher searcher(index);
  std::size_t missed = 0, compared = 0;
  for (int qn = 0; qn < 60; ++qn) {
    QueryVector q;
    for (int j = 0; j < 1 + qn % 15; ++j) q.emplace_back("t" + std::to_string(rng() % 300), 1 + static_cast<std::int64_t>(rng() % 50));
    const std::size_t k = qn % 2 ? 10 : 100;
    const auto exact = brute_force(docs, q, k);
    for (double alpha : {1.0, 0.9, 0.7, 0.4}) {
      SearchOptions o{k, SearchAlgorithm::kBlockMax, alpha};
      const auto approx = named(index, searcher.search(q, o));
      if (alpha == 1.0) {
        ASSERT_EQ(approx, exact) << "query " << qn;
        continue;
      }
      const auto all = brute_force(docs, q, docs.size());
      std::map<std::string, std::uint64_t> truth(all.begin(), all.end());
      for (std::size_t i = 0; i < approx.size(); ++i) {
        ASSERT_EQ(approx[i].second, truth.at(approx[i].first)) << "query " << qn << ": a wrong score";
        if (i) ASSERT_TRUE(approx[i - 1].second > approx[i].second ||
                           (approx[i - 1].second == approx[i].second && approx[i - 1].first < approx[i].first));
      }
      ASSERT_LE(approx.size(), exact.size());
      std::map<std::string, std::uint64_t> got(approx.begin(), approx.end());
      const double kth = approx.size() == k ? static_cast<double>(approx.back().second) : 0.0;
      for (const auto& [id, score] : exact) {
        ++compared;
        if (got.count(id)) continue;
        ++missed;
        ASSERT_LT(static_cast<double>(score), kth / alpha) << "query " << qn << " alpha " << alpha << ": missed " << id;
      }
    }
  }
  EXPECT_GT(compared, 5000u);
  EXPECT_GT(missed, 0u) << "alpha < 1 never skipped anything: the test does not exercise approximation";
}

// Query term pruning (beta < 1) is, for every algorithm, the exact search of the query's
// ceil(beta * n) heaviest terms (ties: the lower term ordinal; here the terms' names sort as
// their ordinals, as the builder assigns them in byte order); beta = 1 is exact search.
TEST(SearchProperty, BetaSearchesTheHeaviestTermsExactly) {
  std::mt19937_64 rng(31);
  std::vector<Doc> docs(3000);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    docs[i].id = "doc" + std::to_string(i);
    const int len = 1 + static_cast<int>(rng() % 30);
    for (int j = 0; j < len; ++j) docs[i].terms["t" + std::to_string(100 + std::min(rng() % 200, rng() % 200))] = 1 + rng() % 100;
  }
  TempDir dir;
  const Index index = build(dir, docs);
  Searcher searcher(index);
  std::size_t shorter = 0;
  for (int qn = 0; qn < 40; ++qn) {
    std::map<std::string, std::int64_t> terms;  // distinct terms, as resolve() sums repeats
    for (int j = 0; j < 1 + qn % 12; ++j) terms["t" + std::to_string(100 + rng() % 200)] = 1 + static_cast<std::int64_t>(rng() % 8);
    const QueryVector q(terms.begin(), terms.end());
    for (const double beta : {1.0, 0.75, 0.5, 0.2}) {
      // The oracle's pruning: by weight descending, then name (ordinal) ascending.
      std::vector<std::pair<std::string, std::int64_t>> by_weight(q.begin(), q.end());
      std::stable_sort(by_weight.begin(), by_weight.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      by_weight.resize(static_cast<std::size_t>(std::ceil(beta * static_cast<double>(by_weight.size()))));
      shorter += by_weight.size() < q.size();
      const auto want = brute_force(docs, QueryVector(by_weight.begin(), by_weight.end()), 50);
      for (const auto algorithm : kAllAlgorithms) {
        SearchOptions o{50, algorithm};
        o.beta = beta;
        ASSERT_EQ(named(index, searcher.search(q, o)), want) << "query " << qn << " beta " << beta;
      }
    }
  }
  EXPECT_GT(shorter, 50u);
  for (const double beta : {0.0, -0.1, 1.01}) {
    SearchOptions o{10, SearchAlgorithm::kExhaustive};
    o.beta = beta;
    EXPECT_THROW(searcher.search({{"t100", 1}}, o), Error) << beta;
  }
}

// An index built without --block-max: block-max search is refused by name, auto falls back
// to exhaustive evaluation (same results).
TEST(SearchProperty, BlockMaxWithoutItsDataIsRefusedAndAutoIsExhaustive) {
  std::vector<Doc> docs = {{"a", {{"x", 2}}}, {"b", {{"x", 3}, {"y", 1}}}};
  TempDir dir;
  IndexBuilder builder;
  for (const auto& d : docs) {
    std::vector<std::pair<std::string_view, std::uint32_t>> terms(d.terms.begin(), d.terms.end());
    builder.add_document(d.id, terms);
  }
  builder.write(dir / "plain");
  const Index index = Index::open(dir / "plain");
  EXPECT_FALSE(index.has_block_max());
  EXPECT_FALSE(std::filesystem::exists(dir / "plain" / "blockmax.bin"));
  Searcher searcher(index);
  try {
    searcher.search({{"x", 1}}, {10, SearchAlgorithm::kBlockMax});
    ADD_FAILURE() << "block-max ran without its data";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--block-max"), std::string::npos) << e.what();
  }
  EXPECT_EQ(named(index, searcher.search({{"x", 1}}, {10, SearchAlgorithm::kAuto})), brute_force(docs, {{"x", 1}}, 10));
}

// Auto over a prepared impact order: with block-max data it chooses per query between
// block-max and impact-ordered search (rho 1); without it, impact-ordered is its only
// candidate. Both indexes, before and after Searcher::prepare, equal brute force, with ties
// (impacts 1..3) and k beyond the matches.
TEST(SearchProperty, AutoWithAPreparedImpactOrderEqualsBruteForce) {
  std::mt19937_64 rng(23);
  std::vector<Doc> docs(5000);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    docs[i].id = "p" + std::to_string(rng() % 100000) + "-" + std::to_string(i);
    for (int j = 0; j < 1 + static_cast<int>(rng() % 20); ++j)
      docs[i].terms["t" + std::to_string(std::min(rng() % 300, rng() % 300))] = 1 + static_cast<std::uint32_t>(rng() % 3);
  }
  TempDir dir;
  for (const bool block_max : {true, false}) {
    IndexBuildOptions options;
    options.block_max = block_max;
    options.reorder = block_max;
    const Index index = testing::write_small_index(docs, dir / (block_max ? "bm" : "plain"), options);
    Searcher searcher(index);
    for (const bool prepared : {false, true}) {
      if (prepared) Searcher::prepare(index, SearchAlgorithm::kAuto);
      std::mt19937_64 qrng(5);
      for (int qn = 0; qn < 30; ++qn) {
        QueryVector q;
        for (int j = 0; j < 1 + qn % 15; ++j)
          q.emplace_back("t" + std::to_string(qrng() % 300), 1 + static_cast<std::int64_t>(qrng() % 5));
        for (std::size_t k : {1u, 10u, 1000u, 10000u})
          ASSERT_EQ(named(index, searcher.search(q, {k, SearchAlgorithm::kAuto})), brute_force(docs, q, k))
              << "block_max " << block_max << " prepared " << prepared << " query " << qn << " k " << k;
      }
    }
  }
}

TEST(SearchProperty, AlphaOutsideItsRangeOrWithoutBlockMaxIsRefused) {
  std::vector<Doc> docs = {{"a", {{"x", 2}}}};
  TempDir dir;
  const Index index = build(dir, docs);
  Searcher searcher(index);
  for (double alpha : {0.0, -0.5, 1.5})
    EXPECT_THROW(searcher.search({{"x", 1}}, {10, SearchAlgorithm::kBlockMax, alpha}), Error) << alpha;
  EXPECT_THROW(searcher.search({{"x", 1}}, {10, SearchAlgorithm::kMaxScore, 0.5}), Error);
}

TEST(SearchProperty, ThreadsDoNotChangeResults) {
  const std::filesystem::path data = SPLADE_SHARED_DATA_DIR;
  const auto queries = data / "msmarco-passage/topics.dl19-passage.splade-pp-ed.tsv.gz";
  testing::CorpusSpec spec;
  spec.num_docs = 5000;
  TempDir dir;
  const Index index = build_synthetic_index(queries, spec, dir);
  const auto topics = read_topics(queries);
  BatchSearchOptions one, four;
  four.threads = 4;
  const auto a = search_topics(index, topics, one);
  const auto b = search_topics(index, topics, four);
  ASSERT_EQ(a.topics.size(), topics.size());
  ASSERT_EQ(b.topics.size(), topics.size());
  for (std::size_t i = 0; i < topics.size(); ++i) {
    EXPECT_EQ(a.topics[i].topic_id, topics[i].id);
    EXPECT_EQ(b.topics[i].topic_id, topics[i].id);
    EXPECT_EQ(named(index, a.topics[i].hits), named(index, b.topics[i].hits));
  }
}

TEST(SearchProperty, QueryWeightsOutOfRangeAreRefused) {
  TempDir dir;
  const Index index = build(dir, {{"a", {{"x", 1}}}});
  Searcher searcher(index);
  EXPECT_THROW(searcher.search({{"x", -1}}), Error);
  EXPECT_TRUE(searcher.search({{"x", 0}}).empty());
  EXPECT_TRUE(searcher.search({{"y", 5}}).empty());
  EXPECT_TRUE(searcher.search({{"x", 5}}, {0}).empty());
}

}  // namespace
}  // namespace splade
