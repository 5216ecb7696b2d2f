// Impact-ordered search below rho = 1 against an independent model of what it promises
// (search/impact_ordered_search.h), computed from the documents as given:
//   theta = the ceil(rho x n)-th largest contribution (query weight x impact) among the n
//   postings of the query's terms; a document's lower bound = the sum of its contributions
//   >= theta; the candidates = the max(k, candidates) documents of the best lower bounds
//   (ties: external id, bytes ascending); the result = the k best candidates by exact score.
// rho = 1 (exact) is covered with every other algorithm in search_property_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "splade/error.h"
#include "splade/index.h"
#include "splade/searcher.h"
#include "support/small_index.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::TempDir;
using Ranked = std::vector<std::pair<std::string, std::uint64_t>>;

struct Doc {
  std::string id;
  std::map<std::string, std::uint32_t> terms;
};

// Score descending, then external id ascending (bytes): the searcher's order.
void rank(Ranked& r) {
  std::sort(r.begin(), r.end(),
            [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
}

// Each document's contributions to one query, from the documents as given.
struct Contributions {
  std::vector<std::pair<std::string, std::vector<std::uint64_t>>> docs;  // documents with any
  std::vector<std::uint64_t> all;                                        // falling
};

Contributions contributions_of(const std::vector<Doc>& docs, const std::map<std::string, std::uint64_t>& query) {
  Contributions c;
  for (const auto& d : docs) {
    std::vector<std::uint64_t> mine;
    for (const auto& [t, impact] : d.terms)
      if (auto it = query.find(t); it != query.end()) mine.push_back(it->second * impact);
    if (mine.empty()) continue;
    c.all.insert(c.all.end(), mine.begin(), mine.end());
    c.docs.emplace_back(d.id, std::move(mine));
  }
  std::sort(c.all.rbegin(), c.all.rend());
  return c;
}

Ranked model(const Contributions& c, std::size_t k, double rho, std::size_t candidates) {
  if (c.all.empty()) return {};
  const auto target = static_cast<std::size_t>(std::ceil(rho * static_cast<double>(c.all.size())));
  const std::uint64_t theta = c.all[target - 1];
  Ranked lower;
  std::map<std::string, std::uint64_t> exact_of;
  for (const auto& [id, mine] : c.docs) {
    std::uint64_t lb = 0, score = 0;
    for (const std::uint64_t x : mine) {
      score += x;
      if (x >= theta) lb += x;
    }
    if (lb > 0) lower.emplace_back(id, lb);
    exact_of[id] = score;
  }
  rank(lower);
  lower.resize(std::min(lower.size(), std::max(k, candidates)));
  Ranked exact;
  for (const auto& [id, lb] : lower) exact.emplace_back(id, exact_of[id]);
  rank(exact);
  exact.resize(std::min(exact.size(), k));
  return exact;
}

Ranked named(const Index& index, const std::vector<Hit>& hits) {
  Ranked out;
  for (const auto& h : hits) out.emplace_back(std::string(index.doc_id(h.doc)), h.score);
  return out;
}

Index build(const TempDir& dir, const std::vector<Doc>& docs, bool reorder, const std::string& name) {
  IndexBuildOptions options;
  options.reorder = reorder;
  return testing::write_small_index(docs, dir / name, options);
}

// Small vocabularies and impact ranges (many equal contributions at theta, many equal lower
// bounds), a wide impact range (impacts over 2^20: the 64-bit forward entries and the
// sorting path of the layout), plain and reordered doc ids.
TEST(ImpactOrderedSearch, ApproximateSearchIsItsModel) {
  std::mt19937_64 rng(41);
  std::size_t checked = 0, differs_from_exact = 0;
  for (int round = 0; round < 4; ++round) {
    const std::size_t num_docs = std::vector<std::size_t>{40, 900, 5000, 3000}[round];
    const int vocab = std::vector<int>{6, 50, 300, 80}[round];
    const std::uint32_t max_impact = std::vector<std::uint32_t>{3, 20, 255, 1u << 24}[round];
    std::vector<Doc> docs(num_docs);
    for (std::size_t i = 0; i < num_docs; ++i) {
      docs[i].id = "d" + std::to_string(rng() % 100000) + "-" + std::to_string(i);
      const int len = 1 + static_cast<int>(rng() % 40);
      for (int j = 0; j < len; ++j)
        docs[i].terms["t" + std::to_string(std::min(rng() % vocab, rng() % vocab))] = 1 + rng() % max_impact;
    }
    TempDir dir;
    for (const bool reorder : {false, true}) {
      const Index index = build(dir, docs, reorder, reorder ? "reordered" : "plain");
      Searcher searcher(index);
      std::mt19937_64 qrng(round);
      for (int qn = 0; qn < 30; ++qn) {
        std::map<std::string, std::uint64_t> query;
        for (int j = 0; j < 1 + qn % 14; ++j) query["t" + std::to_string(qrng() % vocab)] += 1 + qrng() % 40;
        const QueryVector q(query.begin(), query.end());
        const Contributions c = contributions_of(docs, query);
        for (const double rho : {0.02, 0.1, 0.3, 0.7}) {
          for (const std::size_t k : {1u, 10u, 100u}) {
            const Ranked exact = model(c, k, 1.0, 1);
            for (const std::size_t candidates : {1u, 20u, 100000u}) {
              SearchOptions o{k, SearchAlgorithm::kImpactOrdered};
              o.rho = rho;
              o.candidates = candidates;
              const auto got = named(index, searcher.search(q, o));
              ASSERT_EQ(got, model(c, k, rho, candidates))
                  << "round " << round << " reorder " << reorder << " query " << qn << " rho " << rho << " k " << k
                  << " candidates " << candidates;
              differs_from_exact += got != exact;
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 4u * 2 * 30 * 4 * 3 * 3);
  EXPECT_GT(differs_from_exact, 100u) << "rho < 1 never changed a result: the test does not exercise approximation";
}

TEST(ImpactOrderedSearch, OptionsOutsideTheirRangeAreRefused) {
  TempDir dir;
  const Index index = build(dir, {{"a", {{"x", 2}}}, {"b", {{"x", 1}}}}, false, "index");
  Searcher searcher(index);
  for (const double rho : {0.0, -0.5, 1.5}) {
    SearchOptions o{10, SearchAlgorithm::kImpactOrdered};
    o.rho = rho;
    EXPECT_THROW(searcher.search({{"x", 1}}, o), Error) << rho;
  }
  SearchOptions other{10, SearchAlgorithm::kExhaustive};
  other.rho = 0.5;
  EXPECT_THROW(searcher.search({{"x", 1}}, other), Error) << "rho < 1 with an exact algorithm";
  SearchOptions none{10, SearchAlgorithm::kImpactOrdered};
  none.candidates = 0;
  EXPECT_THROW(searcher.search({{"x", 1}}, none), Error);
  SearchOptions ok{10, SearchAlgorithm::kImpactOrdered};
  ok.rho = 0.5;  // the one posting of the larger contribution
  EXPECT_EQ(named(index, searcher.search({{"x", 1}}, ok)), (Ranked{{"a", 2}}));
}

}  // namespace
}  // namespace splade
