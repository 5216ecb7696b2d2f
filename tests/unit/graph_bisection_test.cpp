// Recursive graph bisection: a permutation; deterministic at any thread count; it finds a
// planted structure (documents drawn from disjoint vocabularies, interleaved, land in
// contiguous runs); and a reordered index holds exactly the postings it was given.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "index/reorder/graph_bisection.h"
#include "splade/index.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

// Documents of `clusters` topics, topic = doc % clusters; each draws 12 terms from its
// topic's 40 (disjoint across topics).
reorder::ForwardIndex planted(std::uint32_t docs, std::uint32_t clusters, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  reorder::ForwardIndex f;
  f.num_terms = clusters * 40;
  for (std::uint32_t d = 0; d < docs; ++d) {
    std::set<std::uint32_t> terms;
    while (terms.size() < 12) terms.insert((d % clusters) * 40 + static_cast<std::uint32_t>(rng() % 40));
    f.terms.insert(f.terms.end(), terms.begin(), terms.end());
    f.offsets.push_back(f.terms.size());
  }
  return f;
}

TEST(GraphBisection, SeparatesPlantedClustersIntoContiguousRuns) {
  const auto f = planted(4096, 8, 3);
  reorder::BisectionOptions o;
  const auto order = recursive_graph_bisection(f, o);
  std::vector<std::uint32_t> sorted(order);
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::uint32_t> identity(f.num_docs());
  std::iota(identity.begin(), identity.end(), 0u);
  ASSERT_EQ(sorted, identity) << "not a permutation";
  // Before: the topic changes at every position (d % 8). After: count the changes.
  std::size_t changes = 0;
  for (std::size_t i = 1; i < order.size(); ++i) changes += order[i] % 8 != order[i - 1] % 8;
  EXPECT_LT(changes, 64u) << "the eight topics are not in contiguous runs";
}

TEST(GraphBisection, SameOrderAtAnyThreadCount) {
  const auto f = planted(3000, 5, 11);
  reorder::BisectionOptions one, four;
  four.threads = 4;
  EXPECT_EQ(recursive_graph_bisection(f, one), recursive_graph_bisection(f, four));
}

TEST(GraphBisection, ReorderedIndexHoldsTheSamePostings) {
  std::mt19937_64 rng(5);
  IndexBuilder a, b;
  std::map<std::pair<std::string, std::string>, std::uint32_t> given;  // (doc id, term) -> impact
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::pair<std::string, std::uint32_t>> owned;
    const int topic = i % 4;
    for (int t = 0; t < 30; ++t)
      if (rng() % 3 == 0) owned.emplace_back("w" + std::to_string(topic * 30 + t), 1 + rng() % 200);
    std::vector<std::pair<std::string_view, std::uint32_t>> terms(owned.begin(), owned.end());
    const std::string id = "d" + std::to_string(rng() % 100000) + "-" + std::to_string(i);
    a.add_document(id, terms);
    b.add_document(id, terms);
    for (const auto& [t, w] : owned) given[{id, t}] = w;
  }
  testing::TempDir dir;
  IndexBuildOptions options;
  options.reorder = true;
  const IndexStats plain = a.write(dir / "plain");
  const IndexStats reordered = b.write(dir / "reordered", options);
  const Index x = Index::open(dir / "plain"), y = Index::open(dir / "reordered");
  EXPECT_FALSE(x.reordered());
  EXPECT_TRUE(y.reordered());
  EXPECT_GT(reordered.reorder_seconds, 0.0);
  for (const Index* index : {&x, &y}) {
    std::map<std::pair<std::string, std::string>, std::uint32_t> read;
    for (std::uint32_t t = 0; t < index->num_terms(); ++t)
      for (const auto& [doc, impact] : index->postings(t))
        read[{std::string(index->doc_id(doc)), std::string(index->term(t))}] = impact;
    EXPECT_EQ(read, given);
  }
  // Topic clusters put together: smaller postings than the ids' byte order gives.
  EXPECT_LT(reordered.bytes_on_disk, plain.bytes_on_disk);
}

}  // namespace
}  // namespace splade
