// Exact top-k search of an impact index: score(q, d) = sum over terms of
// query_weight(t) * impact(t, d), integers. Ranking: score descending, then external doc
// id ascending in byte order, which is what Anserini's SearchCollection does
// (IndexSearcher.search with Sort(FIELD_SCORE, SortField(id, STRING_VAL))).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "splade/index.h"

namespace splade {

enum class SearchAlgorithm {
  kExhaustive,  // term-at-a-time into an accumulator per document; the reference
  kMaxScore,    // MaxScore over doc-id windows with per-block maximum impacts; same result
  kBlockMax,    // ranges of doc ids in falling order of their query bound (BMP); same result
  kAuto,        // per query, the exact algorithm of least estimated cost: block-max, or
                // impact-ordered at rho = 1 when the index's impact order is in memory
                // (Searcher::prepare(index, kAuto) builds it), else exhaustive; same result
  kImpactOrdered,  // postings in falling contribution order, then the best candidates scored
                   // exactly (score-at-a-time, JASS); same result at rho = 1, approximate below
};

struct SearchOptions {
  std::size_t k = 1000;
  SearchAlgorithm algorithm = SearchAlgorithm::kMaxScore;
  // Block-max only: a range of documents is visited while alpha * its score bound can beat
  // the k-th score. 1 is exact; below 1 is approximate (BMP's alpha), faster, lower recall.
  double alpha = 1.0;
  // Every algorithm: only the ceil(beta * n) query terms of largest weight are searched (BMP's
  // beta, query term pruning). 1 is exact; below 1 is approximate: faster, lower recall.
  double beta = 1.0;
  // Impact-ordered only: the fraction of the query terms' postings scored, those that
  // contribute most (JASS's rho); the max(k, candidates) documents of the best partial
  // scores are then scored exactly. 1 is exact; below 1 is approximate, faster, lower recall.
  // The first search of an Index with this algorithm builds its in-memory impact order and
  // forward index (about 8 bytes a posting; Searcher::prepare does it ahead of time).
  double rho = 1.0;
  std::size_t candidates = 50;
};

struct Hit {
  std::uint32_t doc = 0;     // internal doc id; Index::doc_id(doc) is the external id
  std::uint64_t score = 0;   // the integer dot product
};

// A query as (token, integer weight) pairs. Weights <= 0 and tokens the index does not
// know are ignored; a token given twice has its weights added.
using QueryVector = std::vector<std::pair<std::string, std::int64_t>>;

// One searcher per thread (it owns scratch buffers); the Index is shared.
class Searcher {
 public:
  explicit Searcher(const Index& index);
  ~Searcher();
  Searcher(Searcher&&) noexcept;
  std::vector<Hit> search(const QueryVector& query, const SearchOptions& options = {});
  // Builds what `algorithm` needs in memory on its first use (the impact-ordered layout, for
  // kImpactOrdered and kAuto), so that no timed search pays for it. Thread-safe; a no-op for
  // the other algorithms.
  static void prepare(const Index& index, SearchAlgorithm algorithm);
  // Whether prepare(index, algorithm) builds anything (the impact-ordered layout).
  static bool needs_preparation(SearchAlgorithm algorithm);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Topics: pre-encoded query vectors, or text for a QueryEncoder.
struct Topic {
  std::string id;
  std::string text;    // set when the topics file holds text (qid<TAB>text)
  QueryVector vector;  // set when it holds vectors
  bool has_vector = false;
};

enum class TopicFormat {
  kAuto,         // .jsonl(.gz) -> kJsonVector, otherwise kTsvTokens
  kTsvTokens,    // Anserini's query TSV: qid<TAB>tokens, each repeated by its integer weight
  kJsonVector,   // {"id": "...", "vector": {"tok": weight}} a line (weights truncated)
  kTsvText,      // qid<TAB>query text, for an encoder
};
// Reads topics in file order; .gz is decompressed. Throws splade::Error naming file:line.
std::vector<Topic> read_topics(const std::filesystem::path& path, TopicFormat format = TopicFormat::kAuto);

// Turns query text into a query vector (e.g. the ONNX SPLADE query encoder). Called from
// several threads at once, one Topic each.
class QueryEncoder {
 public:
  virtual ~QueryEncoder() = default;
  virtual QueryVector encode(std::string_view text) = 0;
};

struct BatchSearchOptions {
  SearchOptions search;
  int threads = 1;
  QueryEncoder* encoder = nullptr;  // required for topics without vectors
};

struct TopicResult {
  std::string topic_id;
  std::vector<Hit> hits;
  double encode_ms = 0;  // 0 without an encoder
  double search_ms = 0;      // wall clock
  double search_cpu_ms = 0;  // CPU time of the searching thread (robust on a loaded machine)
};

struct BatchSearchResult {
  std::vector<TopicResult> topics;  // in the order of the input topics
  double wall_seconds = 0;
};

BatchSearchResult search_topics(const Index& index, const std::vector<Topic>& topics,
                                const BatchSearchOptions& options);

struct LatencySummary {
  std::size_t queries = 0;
  double mean_ms = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
  double qps = 0;  // queries / wall seconds (all threads)
  double cpu_mean_ms = 0, cpu_p50_ms = 0, cpu_p99_ms = 0;  // search only: thread CPU time
};
LatencySummary summarize_search_latency(const BatchSearchResult& result);
LatencySummary summarize_encode_latency(const BatchSearchResult& result);

// How run scores are printed.
enum class RunScoreFormat {
  kAnserini,  // Anserini's run file byte for byte: the score as a Java float, passed through
              // ScoreTiesAdjusterReranker (rounded to 1e-4, ties lowered by 1e-6 each) and
              // printed by String.format("%f")
  kInteger,   // the exact integer score
};

// Writes a TREC run (`qid Q0 docid rank score tag`) atomically (temporary file + rename).
void write_trec_run(const std::filesystem::path& path, const Index& index, const BatchSearchResult& result,
                    const std::string& tag, RunScoreFormat format = RunScoreFormat::kAnserini);
// Anserini's adjusted scores of one ranked list (exposed for tests).
std::vector<float> anserini_adjusted_scores(const std::vector<Hit>& hits);
// Java's String.format(Locale.US, "%f", (double) x) for a float x.
std::string java_format_f(float x);

}  // namespace splade
