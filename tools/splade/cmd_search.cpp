// splade search --index DIR --topics F --output RUN [--hits 1000] [--threads N] [--model DIR]
// With --model, topics are qid<TAB>text and each is encoded on the fly (Anserini's -encoder).
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <optional>

#include "command.h"
#include "splade/encoder.h"
#include "splade/query_encoder.h"
#include "splade/searcher.h"

namespace splade::cli {

void add_search_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string index, topics, output, tag = "splade", algorithm = "maxscore", score_format = "anserini",
                                       topic_format = "auto";
    std::size_t hits = 1000;
    int threads = 1;
    std::string model, truncation = "hf";
    int encode_threads = 1;
    bool no_fused_head = false, no_mmap = false;
    double alpha = 1.0;
    double beta = 1.0;
    double rho = 1.0;
    std::size_t candidates = SearchOptions{}.candidates;
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
  sub->add_option("--algorithm", args->algorithm,
                  "maxscore (default), block-max, exhaustive, auto (per query, the exact algorithm of least "
                  "estimated cost: block-max, or impact-ordered at rho 1 over the impact order it builds first) "
                  "or impact-ordered (score-at-a-time); all give the same run (unless --alpha, "
                  "--beta or --rho < 1)")
      ->check(CLI::IsMember({"maxscore", "block-max", "exhaustive", "auto", "impact-ordered"}));
  sub->add_option("--alpha", args->alpha,
                  "With --algorithm block-max: visit a range of documents while alpha x its score bound beats the "
                  "k-th score; 1 = exact, below 1 = approximate (faster, lower recall; BMP's alpha)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--beta", args->beta,
                  "Any algorithm: search only the ceil(beta x n) query terms of largest weight; 1 = exact, below 1 = "
                  "approximate (faster, lower recall; BMP's beta)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--rho", args->rho,
                  "With --algorithm impact-ordered: score the fraction rho of the query's postings that contribute "
                  "most, then the best candidates exactly; 1 = exact, below 1 = approximate (faster, lower recall; "
                  "JASS's rho)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--candidates", args->candidates,
                  "With --algorithm impact-ordered and --rho < 1: documents scored exactly, at least --hits (default 50)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  sub->add_option("--score-format", args->score_format,
                  "anserini: scores as Anserini prints them (ties adjusted, %f); integer: exact dot products")
      ->check(CLI::IsMember({"anserini", "integer"}));
  sub->add_option("--tag", args->tag, "Run tag (last column)");
  sub->add_option("--model", args->model,
                  "Encode queries on the fly with this model directory (topics: qid<TAB>text, as Anserini's -encoder)");
  sub->add_option("--truncation", args->truncation, "With --model: hf or anserini (510 pieces + [CLS] + [SEP])")
      ->check(CLI::IsMember({"hf", "anserini"}));
  sub->add_option("--encode-threads", args->encode_threads, "With --model: ONNX Runtime threads per query");
  sub->add_flag("--no-fused-head", args->no_fused_head, "With --model: run the SPLADE head in ONNX Runtime as written");
  sub->add_flag("--no-mmap", args->no_mmap, std::string("With --model. ") + kNoMmapHelp);
  table.add(sub, [args]() {
    const Index index = Index::open(args->index);
    const TopicFormat tf = args->topic_format == "tsv"     ? TopicFormat::kTsvTokens
                           : args->topic_format == "jsonl" ? TopicFormat::kJsonVector
                                                           : TopicFormat::kAuto;
    std::optional<Encoder> encoder;
    std::optional<SpladeQueryEncoder> query_encoder;
    if (!args->model.empty()) {
      EncoderOptions eo;
      eo.threads = args->encode_threads;
      eo.fused_head = !args->no_fused_head;
      eo.map_model_file = !args->no_mmap;
      eo.truncation = args->truncation == "anserini" ? Truncation::kAnserini : Truncation::kHuggingFace;
      encoder.emplace(Encoder::open(args->model, eo));
      query_encoder.emplace(*encoder);
    }
    const auto topics = read_topics(args->topics, encoder ? TopicFormat::kTsvText : tf);
    BatchSearchOptions options;
    if (query_encoder) options.encoder = &*query_encoder;
    options.threads = args->threads;
    options.search.k = args->hits;
    options.search.algorithm = args->algorithm == "exhaustive"  ? SearchAlgorithm::kExhaustive
                               : args->algorithm == "block-max" ? SearchAlgorithm::kBlockMax
                               : args->algorithm == "auto"      ? SearchAlgorithm::kAuto
                               : args->algorithm == "impact-ordered" ? SearchAlgorithm::kImpactOrdered
                                                                : SearchAlgorithm::kMaxScore;
    options.search.alpha = args->alpha;
    options.search.beta = args->beta;
    options.search.rho = args->rho;
    options.search.candidates = args->candidates;
    if (Searcher::needs_preparation(options.search.algorithm)) {
      // Built once per index, before any query is timed (search_topics would do it too).
      const auto t0 = std::chrono::steady_clock::now();
      Searcher::prepare(index, options.search.algorithm);
      std::cerr << fmt::format("search: impact order and forward index of {} postings built in {:.2f} s\n",
                               index.num_postings(),
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    const auto result = search_topics(index, topics, options);
    write_trec_run(args->output, index, result, args->tag,
                   args->score_format == "integer" ? RunScoreFormat::kInteger : RunScoreFormat::kAnserini);
    const auto s = summarize_search_latency(result);
    std::cerr << fmt::format(
        "search: {} queries, {} threads, k={}, {}: retrieval mean {:.3f} ms, p50 {:.3f} ms, p99 {:.3f} ms, "
        "max {:.3f} ms; {:.1f} QPS; CPU mean {:.3f} ms, p50 {:.3f} ms, p99 {:.3f} ms\n",
        s.queries, args->threads, args->hits, args->algorithm, s.mean_ms, s.p50_ms, s.p99_ms, s.max_ms, s.qps,
        s.cpu_mean_ms, s.cpu_p50_ms, s.cpu_p99_ms);
    if (encoder) {
      const auto e = summarize_encode_latency(result);
      std::cerr << fmt::format("encode: query encoding mean {:.3f} ms, p50 {:.3f} ms, p99 {:.3f} ms\n", e.mean_ms,
                               e.p50_ms, e.p99_ms);
    }
    return kExitOk;
  });
}

}  // namespace splade::cli
