// splade eval --qrels F --run F [-m MEASURE ...] [-c] [-M N] [-l N] [-J] [-q] [--json] [-o FILE]
// trec_eval's evaluation and output layout (see include/splade/evaluator.h).
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "command.h"
#include "splade/evaluator.h"

namespace splade::cli {

void add_eval_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string qrels, run, output;
    std::vector<std::string> measures;
    bool complete = false, per_query = false, judged_only = false, json = false;
    long max_retrieved = LONG_MAX;
    long relevance_level = 1;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("eval", "Evaluate a TREC run against TREC qrels, exactly as trec_eval does");
  sub->add_option("--qrels", args->qrels, "Qrels file 'qid iter docno relevance' (.gz accepted)")->required();
  sub->add_option("--run", args->run, "Run file 'qid Q0 docno rank score tag' (.gz accepted)")->required();
  sub->add_option("-m,--measure", args->measures,
                  "Measure, as trec_eval -m: map, recip_rank, P.k, recall.k, ndcg_cut.k, num_q, num_ret, num_rel, "
                  "num_rel_ret, official (repeatable; k: comma-separated cutoffs)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_flag("-c,--complete", args->complete, "Average over every query of the qrels (missing ones score 0)");
  sub->add_option("-M,--max-retrieved", args->max_retrieved, "Evaluate only the top N documents of each query")
      ->check(CLI::PositiveNumber);
  sub->add_option("-l,--relevance-level", args->relevance_level, "Lowest grade that counts as relevant (default 1)");
  sub->add_flag("-J,--judged-only", args->judged_only, "Drop unjudged documents from each ranking first");
  sub->add_flag("-q,--per-query", args->per_query, "Print each query's values before the summary");
  sub->add_flag("--json", args->json,
                "Print {\"queries\": {qid: {measure: value}}, \"all\": {measure: value}} at full precision");
  sub->add_option("-o,--output", args->output, "Write the report to this file (atomically) instead of stdout");
  table.add(sub, [args]() {
    const eval::Qrels qrels = eval::read_qrels(args->qrels);
    const eval::Run run = eval::read_run(args->run);
    eval::EvalOptions options;
    options.measures = args->measures;
    options.complete = args->complete;
    options.max_retrieved = args->max_retrieved;
    options.relevance_level = args->relevance_level;
    options.judged_docs_only = args->judged_only;
    const eval::Evaluation result = eval::evaluate(qrels, run, options);
    std::string report;
    if (args->json) {
      nlohmann::ordered_json j;
      j["queries"] = nlohmann::ordered_json::object();
      for (const auto& q : result.queries)
        for (const auto& m : q.values) j["queries"][q.qid][m.name] = m.value;
      for (const auto& m : result.summary) j["all"][m.name] = m.value;
      report = j.dump(1) + "\n";
    } else {
      report = eval::format_trec_eval(result, args->per_query);
    }
    if (args->output.empty()) std::cout << report;
    else eval::write_report(args->output, report);
    return kExitOk;
  });
}

}  // namespace splade::cli
