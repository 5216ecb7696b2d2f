// splade regression inputs FILE.yaml [--work DIR] [--data DIR]   what the regression reads; exit 1 if some are missing
// splade regression check FILE.yaml --run RUN [--work DIR] [--data DIR]   score a run, compare with the expected figures
// splade regression run FILE.yaml [--work DIR] [--data DIR] [--threads N] [--make]   the whole regression
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <set>

#include "command.h"
#include "splade/error.h"
#include "splade/evaluator.h"
#include "splade/regression.h"

namespace splade::cli {
namespace {

namespace fs = std::filesystem;

// Runs `command` with /bin/sh from `dir`, its stdout sent to our stderr (stdout carries the
// report). Returns the exit status (128 + signal when killed).
int run_shell(const std::string& command, const fs::path& dir) {
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(ErrorCode::kIo, "cannot start /bin/sh: fork failed");
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(127);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw Error(ErrorCode::kIo, "waiting for /bin/sh failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void print_missing(const std::vector<regression::Input>& missing, const fs::path& work, const fs::path& data) {
  for (const auto& in : missing) {
    std::cout << "MISSING " << in.role << ": " << regression::expand(in.path, work, data) << "\n";
    if (!in.how_to_get.empty()) std::cout << "        to get it: " << regression::expand(in.how_to_get, work, data) << "\n";
  }
}

}  // namespace

void add_regression_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string file, run, work = "work/regressions", data = "../shared/data";
    int threads = 0;
    bool make = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("regression", "Regressions (regressions/*.yaml): run one, list its inputs, or check a run against the expected figures");
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
      if (absent && regression::made_by_runner(spec, in)) std::cout << "        `splade regression run` makes it\n";
      else if (absent && !in.how_to_get.empty())
        std::cout << "        to get it: " << regression::expand(in.how_to_get, work, args->data) << "\n";
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

  CLI::App* run = sub->add_subcommand(
      "run", "Run the regression: collection export, convert, encode, index, search, score, compare (exit 1 on a failure)");
  common(run);
  run->add_option("--threads", args->threads, "ONNX Runtime, indexing and search threads (default: one per core)")
      ->check(CLI::Range(0, 256));
  run->add_flag("--make", args->make,
                "Run the `make` command of each missing input splade does not make itself (with /bin/sh, from the "
                "folder holding regressions/)");
  table.add(run, [args, work_of]() {
    const auto spec = regression::load_regression(args->file);
    const fs::path work = fs::absolute(work_of(spec)), data = fs::absolute(args->data);
    auto missing = regression::inputs_to_supply(spec, work, data);
    if (args->make && !missing.empty()) {
      // The repository root: make commands name scripts relative to it (scripts/...).
      const fs::path root = fs::absolute(args->file).parent_path().parent_path();
      const fs::path self = fs::read_symlink("/proc/self/exe");
      std::set<std::string> ran;
      for (const auto& in : missing) {
        if (in.make.empty()) continue;
        const std::string command = regression::make_command(in.make, work, data, self);
        if (!ran.insert(command).second) continue;
        std::cerr << "regression: make " << in.role << ": " << command << "\n";
        if (const int rc = run_shell(command, root); rc != 0)
          throw Error(ErrorCode::kRuntime, fmt::format("{}: the make command of {} failed (exit {}), run from {}: {}",
                                                       args->file, in.role, rc, root.string(), command));
      }
      missing = regression::inputs_to_supply(spec, work, data);
    }
    if (!missing.empty()) {
      print_missing(missing, work, data);
      std::cerr << fmt::format("regression: {} input(s) missing{}\n", missing.size(),
                               args->make ? " (no make command, or it did not create them)"
                                          : "; --make runs the make commands it can");
      return kExitFailure;
    }
    regression::RunOptions options;
    options.work = work;
    options.data = data;
    options.threads = args->threads;
    options.progress = [](const std::string& line) { std::cerr << "regression: " << line << "\n"; };
    const auto outcome = regression::run_regression(spec, options);
    if (!outcome.missing.empty()) {  // appeared missing between the check and the run
      print_missing(outcome.missing, work, data);
      return kExitFailure;
    }
    std::cout << outcome.text();
    return outcome.passed() ? kExitOk : kExitFailure;
  });
}

}  // namespace splade::cli
