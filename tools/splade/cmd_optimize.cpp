// splade optimize IN.onnx [-o OUT.onnx] [--stats] [--tolerance X]
#include <fmt/format.h>

#include <iostream>

#include "command.h"
#include "model_comparison.h"
#include "splade/model_info.h"
#include "splade/optimize.h"

namespace splade::cli {
namespace {

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
      print_model_comparison(inspect_model(args->input, io), inspect_model(out.string(), io), OpRows::kAll, std::cout);
    }
    return kExitOk;
  });
}

}  // namespace splade::cli
