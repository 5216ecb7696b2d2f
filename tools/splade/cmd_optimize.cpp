// splade optimize IN.onnx [-o OUT.onnx] [--stats] [--tolerance X]
#include <fmt/format.h>

#include <iostream>
#include <set>

#include "command.h"
#include "splade/model_info.h"
#include "splade/optimize.h"

namespace splade::cli {
namespace {

// The seed's before/after summary and the op counts by type.
void print_stats(const ModelInfo& a, const ModelInfo& b, std::ostream& out) {
  out << fmt::format("{:<16} {:>12}    {:>12}\n", "", "before", "after");
  auto row = [&](const char* label, std::int64_t x, std::int64_t y) {
    out << fmt::format("{:<16} {:>12} -> {:>12}\n", label, x, y);
  };
  row("nodes", a.node_count, b.node_count);
  row("inputs", static_cast<std::int64_t>(a.inputs.size()), static_cast<std::int64_t>(b.inputs.size()));
  row("outputs", static_cast<std::int64_t>(a.outputs.size()), static_cast<std::int64_t>(b.outputs.size()));
  row("initializers", a.initializer_count, b.initializer_count);
  row("file bytes", a.file_bytes, b.file_bytes);
  std::set<std::string> ops;
  for (const auto& [op, n] : a.op_counts) ops.insert(op);
  for (const auto& [op, n] : b.op_counts) ops.insert(op);
  out << "node counts by op type:\n";
  for (const auto& op : ops) {
    auto x = a.op_counts.count(op) ? a.op_counts.at(op) : 0;
    auto y = b.op_counts.count(op) ? b.op_counts.at(op) : 0;
    out << fmt::format("  {:<38} {:>6} -> {:>6}\n", op, x, y);
  }
}

}  // namespace

void add_optimize_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string input, output;
    bool stats = false;
    double tolerance = 1e-4;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("optimize", "Fuse a transformer ONNX model (Attention, SkipLayerNormalization, "
                                                 "BiasGelu, ...) and check it against the input");
  sub->add_option("model", args->input, "IN.onnx")->required();
  sub->add_option("-o,--output", args->output, "OUT.onnx (default: <base>-optimized.onnx)");
  sub->add_flag("--stats", args->stats, "Print nodes/inputs/outputs/initializers before -> after, and op counts");
  sub->add_option("--tolerance", args->tolerance, "Max abs output difference allowed (default 1e-4)");
  table.add(sub, [args]() {
    const std::filesystem::path out = args->output.empty() ? derived_model_path(args->input, "-optimized") : std::filesystem::path(args->output);
    OptimizeOptions options;
    options.tolerance = args->tolerance;
    auto r = optimize_model(args->input, out, options);
    std::cout << fmt::format("wrote {} ({} -> {} nodes)\n", out.string(), r.nodes_before, r.nodes_after);
    std::cout << "fused:";
    for (const auto& [name, n] : r.fused) std::cout << " " << name << "=" << n;
    std::cout << "\n";
    for (const auto& note : r.notes) std::cout << "note: " << note << "\n";
    std::cout << fmt::format("check: max abs output difference {:.3g} over {} built-in input sets (tolerance {:g})\n",
                             r.max_abs_diff, r.checked_input_sets, args->tolerance);
    if (args->stats) {
      InspectOptions io;
      io.try_onnxruntime = false;
      print_stats(inspect_model(args->input, io), inspect_model(out.string(), io), std::cout);
    }
    return kExitOk;
  });
}

}  // namespace splade::cli
