// Hit and HitList for Python (hit_list.h). A HitList reads like the list of Hit it stands for:
// len, indexing (negative too), slices (a list), iteration, ==, repr; plus `docids` (list of
// str) and `scores` (numpy uint64 [n]) for whole-run work without a Python object per hit.
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <functional>
#include <string>
#include <vector>

#include "bindings.h"
#include "hit_list.h"

namespace nb = nanobind;

namespace splade::python {
namespace {

std::string repr_of(const PyHit& h) {
  return "Hit(docid=" + nb::cast<std::string>(nb::repr(nb::cast(h.docid))) + ", score=" + std::to_string(h.score) + ")";
}

// Python's index rules: -len <= i < len, negatives from the end.
std::size_t checked_index(const HitList& l, Py_ssize_t i) {
  const auto n = static_cast<Py_ssize_t>(l.hits.size());
  if (i < 0) i += n;
  if (i < 0 || i >= n) throw nb::index_error("HitList index out of range");
  return static_cast<std::size_t>(i);
}

nb::list to_list(const HitList& l) {
  nb::list out;
  for (std::size_t i = 0; i < l.hits.size(); ++i) out.append(nb::cast(l.at(i)));
  return out;
}

// A HitList equals another sequence whose items are equal Hits or (docid, score) pairs.
bool equals(const HitList& l, nb::handle other) {
  if (nb::isinstance<HitList>(other)) {
    const auto& o = nb::cast<const HitList&>(other);
    if (o.hits.size() != l.hits.size()) return false;
    for (std::size_t i = 0; i < l.hits.size(); ++i)
      if (o.hits[i].score != l.hits[i].score || o.index->doc_id(o.hits[i].doc) != l.index->doc_id(l.hits[i].doc))
        return false;
    return true;
  }
  if (!nb::isinstance<nb::list>(other) && !nb::isinstance<nb::tuple>(other)) return false;
  if (nb::len(other) != l.hits.size()) return false;
  for (std::size_t i = 0; i < l.hits.size(); ++i) {
    nb::object mine = nb::cast(l.at(i));
    if (!mine.equal(other[i])) return false;
  }
  return true;
}

}  // namespace

void bind_hits(nb::module_& m) {
  nb::class_<PyHit>(m, "Hit")
      .def(nb::init<std::string, std::uint64_t>(), nb::arg("docid"), nb::arg("score"))
      .def_ro("docid", &PyHit::docid, "the document's external id")
      .def_ro("score", &PyHit::score, "the integer dot product of query and document impacts")
      .def("__repr__", &repr_of)
      .def("__eq__", [](const PyHit& a, nb::handle b) {
        if (nb::isinstance<PyHit>(b)) {
          const auto& h = nb::cast<const PyHit&>(b);
          return a.docid == h.docid && a.score == h.score;
        }
        // A (docid, score) tuple, which a Hit unpacks as.
        return nb::isinstance<nb::tuple>(b) && nb::len(b) == 2 && nb::make_tuple(a.docid, a.score).equal(b);
      })
      .def("__hash__", [](const PyHit& h) { return std::hash<std::string>()(h.docid) ^ std::hash<std::uint64_t>()(h.score); })
      .def("__iter__", [](const PyHit& h) { return nb::iter(nb::make_tuple(h.docid, h.score)); })
      .def("__len__", [](const PyHit&) { return 2; })
      .def("__getitem__", [](const PyHit& h, int i) -> nb::object {
        if (i == 0 || i == -2) return nb::cast(h.docid);
        if (i == 1 || i == -1) return nb::cast(h.score);
        throw nb::index_error("Hit has 2 fields: docid, score");
      });

  nb::class_<HitList>(m, "HitList", "the hits of one search, best first: a read-only sequence of Hit")
      .def("__len__", [](const HitList& l) { return l.hits.size(); })
      .def("__getitem__", [](const HitList& l, Py_ssize_t i) { return l.at(checked_index(l, i)); })
      .def("__getitem__", [](const HitList& l, nb::slice s) {
        auto [start, stop, step, count] = s.compute(l.hits.size());
        nb::list out;
        for (std::size_t j = 0; j < count; ++j) out.append(nb::cast(l.at(static_cast<std::size_t>(start + static_cast<Py_ssize_t>(j) * step))));
        return out;
      })
      .def("__iter__", [](const HitList& l) { return nb::iter(to_list(l)); })
      .def("__eq__", &equals)
      .def("__ne__", [](const HitList& l, nb::handle o) { return !equals(l, o); })
      .def("__repr__", [](const HitList& l) {
        std::string out = "[";
        for (std::size_t i = 0; i < l.hits.size(); ++i) out += (i ? ", " : "") + repr_of(l.at(i));
        return out + "]";
      })
      .def("tolist", &to_list, "the hits as a list of Hit")
      .def_prop_ro("docids", [](const HitList& l) {
        std::vector<std::string> ids;
        ids.reserve(l.hits.size());
        for (const auto& h : l.hits) ids.emplace_back(l.index->doc_id(h.doc));
        return ids;
      }, "the docids, best first (list of str)")
      .def_prop_ro("scores", [](const HitList& l) {
        std::vector<std::uint64_t> scores;
        scores.reserve(l.hits.size());
        for (const auto& h : l.hits) scores.push_back(h.score);
        return to_numpy(std::move(scores));
      }, nb::rv_policy::move, "the scores, best first (numpy uint64 [n]; an array of its own)");
}

}  // namespace splade::python
