// splade collection export NAME --data DIR -o DIR    (NAME: cacm, vaswani, cranfield, cisi)
// splade collection stats NAME --data DIR
#include <iostream>
#include <memory>
#include <set>

#include "command.h"
#include "splade/collections.h"

namespace splade::cli {

void add_collection_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string name, data = "../shared/data", out;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("collection", "The small test collections (CACM, Vaswani, Cranfield, CISI) and BEIR SciFact");
  sub->require_subcommand(1);
  const std::string names = "cacm, vaswani, cranfield, cisi or scifact";

  CLI::App* exp = sub->add_subcommand("export", "Write corpus.jsonl ({\"id\",\"contents\"}), topics.tsv and qrels.txt");
  exp->add_option("name", args->name, names)->required();
  exp->add_option("--data", args->data, "The shared data folder holding collections/ and beir/ (default ../shared/data)");
  exp->add_option("-o,--output", args->out, "Output folder")->required();
  table.add(exp, [args]() {
    const auto c = collections::load_collection(args->name, args->data);
    const auto paths = collections::export_collection(c, args->out);
    std::cout << c.name << ": " << c.documents.size() << " documents -> " << paths.corpus.string() << "\n"
              << c.name << ": " << c.topics.size() << " topics -> " << paths.topics.string() << "\n"
              << c.name << ": " << c.qrels.size() << " judgments -> " << paths.qrels.string() << "\n";
    return kExitOk;
  });

  CLI::App* stats = sub->add_subcommand("stats", "Count documents, topics, judgments and judged topics");
  stats->add_option("name", args->name, names)->required();
  stats->add_option("--data", args->data, "The shared data folder holding collections/ and beir/ (default ../shared/data)");
  table.add(stats, [args]() {
    const auto c = collections::load_collection(args->name, args->data);
    std::set<std::string> judged, relevant;
    for (const auto& q : c.qrels) {
      judged.insert(q.qid);
      if (q.relevance > 0) relevant.insert(q.qid);
    }
    std::cout << "documents\t" << c.documents.size() << "\ntopics\t" << c.topics.size() << "\njudgments\t"
              << c.qrels.size() << "\njudged_topics\t" << judged.size() << "\ntopics_with_relevant\t" << relevant.size()
              << "\n";
    return kExitOk;
  });
}

}  // namespace splade::cli
