// splade search --index DIR --topics F --output RUN [--hits 1000] [--threads N]
// Query encoding plugs in as a splade::QueryEncoder (BatchSearchOptions::encoder): a
// `--model DIR` option only has to construct one and read the topics as kTsvText.
#include <fmt/format.h>

#include <iostream>

#include "command.h"
#include "splade/searcher.h"

namespace splade::cli {

void add_search_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string index, topics, output, tag = "splade", algorithm = "maxscore", score_format = "anserini",
                                       topic_format = "auto";
    std::size_t hits = 1000;
    int threads = 1;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("search", "Search an impact index with pre-encoded queries; write a TREC run");
  sub->add_option("--index", args->index, "Index directory")->required();
  sub->add_option("--topics", args->topics,
                  "Query vectors: Anserini's query TSV (qid<TAB>tokens repeated by weight) or JSONL {\"id\",\"vector\"}")
      ->required();
  sub->add_option("--topic-format", args->topic_format, "auto (by extension), tsv or jsonl")
      ->check(CLI::IsMember({"auto", "tsv", "jsonl"}));
  sub->add_option("--output", args->output, "TREC run file to write")->required();
  sub->add_option("--hits", args->hits, "Results per query (k)");
  sub->add_option("--threads", args->threads, "Search threads (queries in parallel)")->check(CLI::Range(1, 256));
  sub->add_option("--algorithm", args->algorithm, "maxscore (default) or exhaustive; both give the same run")
      ->check(CLI::IsMember({"maxscore", "exhaustive"}));
  sub->add_option("--score-format", args->score_format,
                  "anserini: scores as Anserini prints them (ties adjusted, %f); integer: exact dot products")
      ->check(CLI::IsMember({"anserini", "integer"}));
  sub->add_option("--tag", args->tag, "Run tag (last column)");
  table.add(sub, [args]() {
    const Index index = Index::open(args->index);
    const TopicFormat tf = args->topic_format == "tsv"     ? TopicFormat::kTsvTokens
                           : args->topic_format == "jsonl" ? TopicFormat::kJsonVector
                                                           : TopicFormat::kAuto;
    const auto topics = read_topics(args->topics, tf);
    BatchSearchOptions options;
    options.threads = args->threads;
    options.search.k = args->hits;
    options.search.algorithm = args->algorithm == "exhaustive" ? SearchAlgorithm::kExhaustive : SearchAlgorithm::kMaxScore;
    const auto result = search_topics(index, topics, options);
    write_trec_run(args->output, index, result, args->tag,
                   args->score_format == "integer" ? RunScoreFormat::kInteger : RunScoreFormat::kAnserini);
    const auto s = summarize_search_latency(result);
    std::cerr << fmt::format(
        "search: {} queries, {} threads, k={}, {}: retrieval mean {:.3f} ms, p50 {:.3f} ms, p99 {:.3f} ms, "
        "max {:.3f} ms; {:.1f} QPS; CPU mean {:.3f} ms, p50 {:.3f} ms, p99 {:.3f} ms\n",
        s.queries, args->threads, args->hits, args->algorithm, s.mean_ms, s.p50_ms, s.p99_ms, s.max_ms, s.qps,
        s.cpu_mean_ms, s.cpu_p50_ms, s.cpu_p99_ms);
    return kExitOk;
  });
}

}  // namespace splade::cli
