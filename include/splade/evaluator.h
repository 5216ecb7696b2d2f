// trec_eval-exact evaluation of TREC runs against TREC qrels: the semantics of trec_eval 9.0.8
// (usnistgov/trec_eval, the version Anserini and pytrec_eval run), for the measures num_q,
// num_ret, num_rel, num_rel_ret, map, recip_rank, P.k, recall.k and ndcg_cut.k, with the options
// -c (average over every qrels query), -M (retrieve at most N per query), -l (relevance level)
// and -J (judged documents only). ARCHITECTURE.md lists every rule taken from trec_eval's code.
#pragma once

#include <climits>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace splade::eval {

// One line of a qrels file: `qid iter docno relevance`.
struct Judgment {
  std::string docno;
  long relevance = 0;  // graded; trec_eval treats a negative value as "in the pool, unjudged"
};

// Judgments per query; within a query sorted by docno (byte order), without duplicates.
struct Qrels {
  std::map<std::string, std::vector<Judgment>> queries;
};

// One line of a run: `qid Q0 docno rank score tag` (rank is ignored, as trec_eval does).
struct Retrieved {
  std::string docno;
  double score = 0;
};

// Retrieved documents per query, in file order (evaluation re-ranks them by score).
struct Run {
  std::map<std::string, std::vector<Retrieved>> queries;
  std::string run_id;  // the tag of the last line, as trec_eval keeps it
};

// Readers: plain text or gzip (detected by magic). `source` names the input in error messages;
// malformed lines are reported with their 1-based line number. Blank lines are skipped.
// Throws splade::Error (kNotFound, kIo, kCorrupt).
Qrels read_qrels(const std::filesystem::path& path);
Qrels parse_qrels(std::string_view text, const std::string& source);
Run read_run(const std::filesystem::path& path);
Run parse_run(std::string_view text, const std::string& source);

struct EvalOptions {
  // trec_eval -m arguments: "map", "P.10", "recall.100,1000", "ndcg_cut.10", "num_q", ...; a
  // measure with cutoffs but none given takes trec_eval's defaults 5,10,15,20,30,100,200,500,1000.
  // Empty: the supported part of trec_eval's "official" set (num_q num_ret num_rel num_rel_ret
  // map recip_rank P). One measure named twice takes the union of its cutoffs.
  std::vector<std::string> measures;
  bool complete = false;          // -c: average over every query of the qrels, missing = 0
  long max_retrieved = LONG_MAX;  // -M: evaluate only the top N of each query
  long relevance_level = 1;       // -l: a judgment >= this is relevant (ndcg gains use the grade)
  bool judged_docs_only = false;  // -J: drop unjudged documents from the ranking first
};

struct MeasureValue {
  std::string name;   // trec_eval's name: "map", "P_10", "recall_1000", "ndcg_cut_10"
  double value = 0;
  bool integral = false;  // printed as an integer (num_q, num_ret, num_rel, num_rel_ret)
};

struct QueryEvaluation {
  std::string qid;
  std::vector<MeasureValue> values;  // trec_eval's measure order; num_q is not per query
};

struct Evaluation {
  std::vector<QueryEvaluation> queries;  // queries with results and judgments, by qid byte order
  std::vector<MeasureValue> summary;     // the "all" lines
};

// Throws splade::Error(kInvalidArgument) for an unknown measure or a bad cutoff, and
// splade::Error(kCorrupt) for a query with a document retrieved twice or judged twice, or when
// no query has both results and judgments (trec_eval's failures).
Evaluation evaluate(const Qrels& qrels, const Run& run, const EvalOptions& options);

// trec_eval's text layout: `%-22s\t%s\t%6.4f` (integers as %ld), per-query lines first when
// asked (-q), then the summary with qid "all".
std::string format_trec_eval(const Evaluation& evaluation, bool per_query);

// Writes a report to `path` atomically (a temporary file renamed when complete).
void write_report(const std::filesystem::path& path, const std::string& report);

}  // namespace splade::eval
