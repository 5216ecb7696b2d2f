#include "model_comparison.h"

#include <fmt/format.h>

#include <set>

namespace splade::cli {

void print_model_comparison(const ModelInfo& a, const ModelInfo& b, OpRows op_rows, std::ostream& out) {
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
  bool header = false;
  for (const auto& op : ops) {
    const auto x = a.op_counts.count(op) ? a.op_counts.at(op) : 0;
    const auto y = b.op_counts.count(op) ? b.op_counts.at(op) : 0;
    if (op_rows == OpRows::kChanged && x == y) continue;
    if (!header) {
      out << (op_rows == OpRows::kAll ? "node counts by op type:\n" : "op counts that changed:\n");
      header = true;
    }
    out << fmt::format("  {:<38} {:>6} -> {:>6}\n", op, x, y);
  }
}

}  // namespace splade::cli
