// The runner's last stage: score a run with each metric's trec_eval arguments, compare with
// the expected figures, report.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "splade/error.h"
#include "splade/regression.h"

namespace splade::regression {
namespace {

long to_long(const std::string& s, const std::string& option) {
  long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw Error(ErrorCode::kInvalidArgument, "trec_eval option " + option + ": '" + s + "' is not an integer");
  return v;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

}  // namespace

std::string expand(const std::string& text, const std::filesystem::path& work, const std::filesystem::path& data) {
  std::string s = text;
  replace_all(s, "{work}", work.string());
  replace_all(s, "{data}", data.string());
  return s;
}

eval::EvalOptions parse_trec_eval_args(const std::vector<std::string>& args) {
  eval::EvalOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw Error(ErrorCode::kInvalidArgument, "trec_eval option " + a + " needs a value");
      return args[++i];
    };
    if (a == "-c") o.complete = true;
    else if (a == "-J") o.judged_docs_only = true;
    else if (a == "-q") continue;  // per-query printing: no effect on the figures
    else if (a == "-M") {
      o.max_retrieved = to_long(value(), "-M");
      if (o.max_retrieved <= 0) throw Error(ErrorCode::kInvalidArgument, "trec_eval option -M: expected a positive count");
    } else if (a == "-l") o.relevance_level = to_long(value(), "-l");
    else if (a == "-m") o.measures.push_back(value());
    else throw Error(ErrorCode::kInvalidArgument, "unsupported trec_eval option '" + a + "' (supported: -c -J -q -M N -l N -m MEASURE)");
  }
  if (o.measures.empty()) throw Error(ErrorCode::kInvalidArgument, "trec_eval arguments name no measure (-m)");
  return o;
}

bool RegressionReport::passed() const {
  for (const auto& o : outcomes)
    if (!o.ok) return false;
  return !outcomes.empty();
}

std::string RegressionReport::text() const {
  std::string out;
  char buf[512];
  for (const auto& o : outcomes) {
    std::string args;
    for (const auto& a : o.metric.trec_eval) args += (args.empty() ? "" : " ") + a;
    std::snprintf(buf, sizeof buf, "%-14s expected %s%.4f  actual %.6f  diff %+.6f  %s  (trec_eval %s)\n",
                  o.metric.name.c_str(), check == RegressionSpec::Check::kAtLeast ? ">= " : "", o.metric.expected,
                  o.actual, o.actual - o.metric.expected,
                  o.ok ? "OK" : "FAIL", args.c_str());
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "%s: %s (%s %g)\n", name.c_str(), passed() ? "PASS" : "FAIL",
                check == RegressionSpec::Check::kAtLeast ? "at least the expected figure, less" : "tolerance", tolerance);
  return out + buf;
}

RegressionReport check_run(const RegressionSpec& spec, const eval::Qrels& qrels, const eval::Run& run) {
  RegressionReport report{spec.name, spec.tolerance, spec.check, {}};
  for (const auto& m : spec.metrics) {
    const eval::Evaluation e = eval::evaluate(qrels, run, parse_trec_eval_args(m.trec_eval));
    const eval::MeasureValue* found = nullptr;
    for (const auto& v : e.summary)
      if (v.name == m.name) found = &v;
    if (!found)
      throw Error(ErrorCode::kCorrupt, spec.source.string() + ": metric '" + m.name + "' is not an output of trec_eval arguments of that metric");
    // The expected figures are trec_eval's 4-decimal output: a difference up to the tolerance
    // (plus the half-unit of that rounding when the tolerance is 0) passes.
    const double slack = spec.tolerance > 0 ? spec.tolerance : 0.00005;
    const bool ok = spec.check == RegressionSpec::Check::kAtLeast ? found->value >= m.expected - slack - 1e-12
                                                                  : std::fabs(found->value - m.expected) <= slack + 1e-12;
    report.outcomes.push_back({m, found->value, ok});
  }
  return report;
}

std::vector<Input> missing_inputs(const RegressionSpec& spec, const std::filesystem::path& work,
                                  const std::filesystem::path& data) {
  std::vector<Input> missing;
  for (const auto& in : spec.inputs) {
    std::error_code ec;
    if (!std::filesystem::exists(expand(in.path, work, data), ec)) missing.push_back(in);
  }
  return missing;
}

}  // namespace splade::regression
