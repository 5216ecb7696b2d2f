// splade regression inputs FILE.yaml [--work DIR] [--data DIR]   what the regression reads; exit 1 if some are missing
// splade regression check FILE.yaml --run RUN [--work DIR] [--data DIR]   score a run, compare with the expected figures
#include <iostream>
#include <memory>

#include "command.h"
#include "splade/evaluator.h"
#include "splade/regression.h"

namespace splade::cli {

void add_regression_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string file, run, work = "work/regressions", data = "../shared/data";
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("regression", "Regressions (regressions/*.yaml): inputs, and checking a run against the expected figures");
  sub->require_subcommand(1);
  auto common = [&](CLI::App* c) {
    c->add_option("file", args->file, "The regression file (regressions/<name>.yaml)")->required();
    c->add_option("--work", args->work, "Folder of made inputs, {work} in the file (default work/regressions/<name>)");
    c->add_option("--data", args->data, "The shared data folder, {data} in the file (default ../shared/data)");
  };
  auto work_of = [args](const regression::RegressionSpec& s) {
    return args->work == "work/regressions" ? std::filesystem::path(args->work) / s.name : std::filesystem::path(args->work);
  };

  CLI::App* inputs = sub->add_subcommand("inputs", "List the files the regression reads; exit 1 when some are missing");
  common(inputs);
  table.add(inputs, [args, work_of]() {
    const auto spec = regression::load_regression(args->file);
    const auto work = work_of(spec);
    const auto missing = regression::missing_inputs(spec, work, args->data);
    for (const auto& in : spec.inputs) {
      bool absent = false;
      for (const auto& m : missing) absent |= m.role == in.role;
      std::cout << (absent ? "MISSING " : "ok      ") << in.role << ": " << regression::expand(in.path, work, args->data) << "\n";
      if (absent && !in.how_to_get.empty()) std::cout << "        to get it: " << regression::expand(in.how_to_get, work, args->data) << "\n";
    }
    return missing.empty() ? kExitOk : kExitFailure;
  });

  CLI::App* check = sub->add_subcommand("check", "Score a run with the regression's qrels and trec_eval arguments and compare");
  common(check);
  check->add_option("--run", args->run, "The TREC run to score")->required();
  table.add(check, [args, work_of]() {
    const auto spec = regression::load_regression(args->file);
    const auto qrels = eval::read_qrels(regression::expand(spec.qrels, work_of(spec), args->data));
    const auto run = eval::read_run(args->run);
    const auto report = regression::check_run(spec, qrels, run);
    std::cout << report.text();
    return report.passed() ? kExitOk : kExitFailure;
  });
}

}  // namespace splade::cli
