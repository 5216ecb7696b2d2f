// splade inspect MODEL.onnx [MODEL2.onnx] [--json] [--no-ort]
#include <fmt/format.h>

#include <iostream>

#include "command.h"
#include "model_comparison.h"
#include "splade/model_info.h"
#include "splade/version.h"

namespace splade::cli {
namespace {

std::string human_bytes(std::int64_t bytes) {
  if (bytes >= (1 << 20)) return fmt::format("{:.1f} MB", bytes / 1e6);
  if (bytes >= 1000) return fmt::format("{:.1f} kB", bytes / 1e3);
  return fmt::format("{} B", bytes);
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

std::string shape_text(const TensorInfo& t) {
  if (!t.has_shape) return "(no shape)";
  std::string s = "[";
  for (size_t i = 0; i < t.dims.size(); ++i) s += (i ? ", " : "") + t.dims[i];
  return s + "]";
}

void print_report(const ModelInfo& m, std::ostream& out) {
  out << m.path << " (" << human_bytes(m.file_bytes) << ")\n";
  out << fmt::format("  ir_version {}, producer {} {}, graph '{}'\n", m.ir_version,
                     m.producer_name.empty() ? "(none)" : m.producer_name, m.producer_version, m.graph_name);
  out << "  opsets:";
  for (const auto& [domain, version] : m.opsets) out << " " << (domain.empty() ? "ai.onnx" : domain) << "=" << version;
  out << "\n  metadata:";
  if (m.metadata.empty()) out << " (none)";
  for (const auto& [k, v] : m.metadata) out << " " << k << "=" << v;
  out << "\ninputs:\n";
  for (const auto& t : m.inputs) out << fmt::format("  {:<24} {:<8} {}\n", t.name, t.element_type, shape_text(t));
  out << "outputs:\n";
  for (const auto& t : m.outputs) out << fmt::format("  {:<24} {:<8} {}\n", t.name, t.element_type, shape_text(t));
  out << "nodes: " << m.node_count << "\n";
  for (const auto& [op, n] : m.op_counts) out << fmt::format("  {:<40} {}\n", op, n);
  out << fmt::format("initializers: {} ({}){}\n", m.initializer_count, human_bytes(m.initializer_bytes),
                     m.uses_external_data ? ", external data" : "");
  for (const auto& [type, s] : m.initializers_by_type)
    out << fmt::format("  {:<10} {:>6} ({})\n", type, s.count, human_bytes(s.bytes));
  if (m.int8) {
    const auto& i = *m.int8;
    out << fmt::format("int8: format {} ({} integer GEMMs{}{}); on this CPU ({}): {}{}\n", i.format, i.integer_gemms,
                       i.max_abs_int8_weight ? fmt::format(", int8 weights up to {}", i.max_abs_int8_weight) : "",
                       i.recorded_target.empty() ? "" : ", quantized with --target " + i.recorded_target, i.cpu,
                       i.kernel, i.exact_here ? "" : "; splade runs it with ORT's exact U8U8 kernels instead");
  }
  if (m.ort_loadable.has_value()) {
    out << "onnxruntime " << onnxruntime_version() << ": "
        << (*m.ort_loadable ? "loads" : "cannot load: " + one_line(m.ort_error)) << "\n";
  }
}

// The seed's before/after summary, plus the op types whose count changed.
void print_comparison(const ModelInfo& a, const ModelInfo& b, std::ostream& out) {
  print_model_comparison(a, b, OpRows::kChanged, out);
  out << "before: " << a.path << "\nafter:  " << b.path << "\n";
}

}  // namespace

void add_inspect_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::vector<std::string> models;
    bool json = false;
    bool no_ort = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("inspect", "Describe an ONNX model (or compare two: before -> after)");
  sub->add_option("models", args->models, "MODEL.onnx, or BEFORE.onnx AFTER.onnx")->required()->expected(1, 2);
  sub->add_flag("--json", args->json, "Print one JSON object (an array of two when comparing)");
  sub->add_flag("--no-ort", args->no_ort, "Skip the ONNX Runtime load check");
  table.add(sub, [args]() {
    InspectOptions options;
    options.try_onnxruntime = !args->no_ort;
    std::vector<ModelInfo> infos;
    for (const auto& path : args->models) infos.push_back(inspect_model(path, options));
    if (args->json) {
      if (infos.size() == 1) std::cout << model_info_to_json(infos[0]) << "\n";
      else std::cout << "[" << model_info_to_json(infos[0]) << ",\n" << model_info_to_json(infos[1]) << "]\n";
    } else if (infos.size() == 1) {
      print_report(infos[0], std::cout);
    } else {
      print_comparison(infos[0], infos[1], std::cout);
    }
    return kExitOk;
  });
}

}  // namespace splade::cli
