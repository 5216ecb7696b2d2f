// A synthetic SPLADE-like corpus whose term statistics follow real SPLADE++ ED query vectors
// (used by the search property tests and by bench/generate_corpus). What is modelled:
//   - which terms: a token is drawn with probability proportional to the number of real
//     queries containing it, plus `unseen_weight` for every other WordPiece token of the
//     vocabulary (SPLADE expands documents into terms that no query uses);
//   - how many distinct terms a document has: log-normal (median `median_terms`, `sigma`),
//     clamped to [4, 600];
//   - impacts: drawn from the real queries' integer weights, times `impact_scale`, at least 1.
// Not modelled: topical co-occurrence (terms are drawn independently). All randomness comes
// from one mt19937_64 seeded by `seed`, so a spec names exactly one corpus.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace splade::testing {

// Walker's alias method: O(1) draws from a discrete distribution.
class AliasTable {
 public:
  explicit AliasTable(const std::vector<double>& weights);
  std::size_t sample(std::mt19937_64& rng) const;

 private:
  std::vector<double> probability_;
  std::vector<std::uint32_t> alias_;
};

struct TermModel {
  std::vector<std::string> tokens;
  std::vector<double> token_weights;        // sampling weight of each token
  std::vector<std::uint32_t> query_impacts;  // every integer weight seen in the real queries
  // From Anserini's query TSV (qid<TAB>tokens repeated by weight) and a vocab.txt.
  static TermModel from_query_vectors(const std::filesystem::path& queries, const std::filesystem::path& vocab,
                                      double unseen_weight = 0.02);
};

struct CorpusSpec {
  std::uint64_t num_docs = 1000;
  double median_terms = 110;
  double sigma = 0.45;
  double impact_scale = 0.25;
  std::uint64_t seed = 42;
};

using DocumentSink = std::function<void(std::string_view id, const std::vector<std::pair<std::string_view, std::uint32_t>>&)>;

// Documents with ids "0", "1", ... (MS MARCO style, so their byte order is not their order).
void generate_corpus(const TermModel& model, const CorpusSpec& spec, const DocumentSink& sink);

}  // namespace splade::testing
