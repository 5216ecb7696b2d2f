// evaluate(): splade::evaluate (trec_eval's measures, `splade eval`'s code) on qrels and a run
// given as files or as Python dicts (pytrec_eval's shapes: {qid: {docid: relevance}} and
// {qid: {docid: score}}). Returns {measure: value} for the "all" lines, and per query with
// per_query=True.
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bindings.h"
#include "splade/error.h"
#include "splade/evaluator.h"

namespace nb = nanobind;

namespace splade::python {
namespace {

using namespace splade::eval;

bool is_path(const nb::handle& h) { return nb::isinstance<nb::str>(h) || nb::hasattr(h, "__fspath__"); }
std::filesystem::path as_path(const nb::handle& h) {
  return std::filesystem::path(nb::cast<std::string>(nb::module_::import_("os").attr("fspath")(h)));
}

// {key: {docid: value}} as (key, [(docid, value)]) in the mapping's order.
template <typename Value>
std::vector<std::pair<std::string, std::vector<std::pair<std::string, Value>>>> nested(const nb::handle& h,
                                                                                      const char* what) {
  if (!nb::hasattr(h, "items"))
    throw Error(ErrorCode::kInvalidArgument, std::string(what) + ": expected a path or a {qid: {docid: value}} dict");
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, Value>>>> out;
  for (nb::handle q : h.attr("items")()) {
    auto& [qid, docs] = out.emplace_back();
    qid = nb::cast<std::string>(nb::str(q[0]));
    nb::object inner = q[1];
    if (!nb::hasattr(inner, "items"))
      throw Error(ErrorCode::kInvalidArgument, std::string(what) + ": query " + qid + " is not a {docid: value} dict");
    for (nb::handle d : inner.attr("items")()) {
      try {
        docs.emplace_back(nb::cast<std::string>(nb::str(d[0])), nb::cast<Value>(d[1]));
      } catch (const nb::cast_error&) {
        throw Error(ErrorCode::kInvalidArgument, std::string(what) + ": query " + qid + ", document " +
                                                     nb::cast<std::string>(nb::str(d[0])) + ": its value is not a number");
      }
    }
  }
  return out;
}

Qrels qrels_of(const nb::handle& h) {
  if (is_path(h)) return read_qrels(as_path(h));
  Qrels q;
  for (auto& [qid, docs] : nested<long>(h, "qrels")) {
    auto& judged = q.queries[qid];
    for (auto& [doc, rel] : docs) judged.push_back({doc, rel});
    std::sort(judged.begin(), judged.end(), [](const Judgment& a, const Judgment& b) { return a.docno < b.docno; });
    for (std::size_t i = 1; i < judged.size(); ++i)
      if (judged[i].docno == judged[i - 1].docno)
        throw Error(ErrorCode::kCorrupt, "qrels: query " + qid + " judges " + judged[i].docno + " twice");
  }
  return q;
}

Run run_of(const nb::handle& h) {
  if (is_path(h)) return read_run(as_path(h));
  Run r;
  for (auto& [qid, docs] : nested<double>(h, "run")) {
    auto& retrieved = r.queries[qid];
    for (auto& [doc, score] : docs) retrieved.push_back({doc, score});
  }
  return r;
}

nb::dict values_of(const std::vector<MeasureValue>& values) {
  nb::dict d;
  for (const auto& v : values) {
    if (v.integral) d[nb::str(v.name.c_str())] = nb::int_(static_cast<long long>(v.value));
    else d[nb::str(v.name.c_str())] = nb::float_(v.value);
  }
  return d;
}

}  // namespace

void bind_eval(nb::module_& m) {
  m.def(
      "evaluate",
      [](nb::handle qrels, nb::handle run, const std::vector<std::string>& measures, long relevance_level,
         bool per_query) -> nb::object {
        const Qrels q = qrels_of(qrels);
        const Run r = run_of(run);
        EvalOptions o;
        o.measures = measures;
        o.relevance_level = relevance_level;
        Evaluation e;
        {
          nb::gil_scoped_release release;
          e = evaluate(q, r, o);
        }
        if (!per_query) return values_of(e.summary);
        nb::dict out;
        for (const auto& qe : e.queries) out[nb::str(qe.qid.c_str())] = values_of(qe.values);
        out["all"] = values_of(e.summary);
        return out;
      },
      nb::arg("qrels"), nb::arg("run"), nb::arg("measures"), nb::arg("relevance_level"), nb::arg("per_query"));
}

}  // namespace splade::python
