// _Index and _Searcher: splade::Index / IndexBuilder / Searcher / search_topics for Python.
// Query and document vectors come as lists of (token, weight): an int weight is taken as the
// impact; a float one is quantized as the encoder's weights are (Anserini's round(w / 5 * 256)).
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bindings.h"
#include "hit_list.h"
#include "splade/encoder.h"
#include "splade/error.h"
#include "splade/index.h"
#include "splade/query_encoder.h"
#include "splade/searcher.h"
#include "splade/sparse_vector.h"

namespace nb = nanobind;

namespace splade::python {
namespace {

// A weight from Python: int as is, float by Anserini's quantization; anything else refused.
std::int64_t impact_of(const nb::handle& w, const std::string& token, const char* what) {
  if (nb::isinstance<nb::bool_>(w))
    throw Error(ErrorCode::kInvalidArgument, std::string(what) + ": weight of '" + token + "' is a bool, expected int or float");
  if (nb::isinstance<nb::int_>(w)) return nb::cast<std::int64_t>(w);
  if (nb::isinstance<nb::float_>(w)) return anserini_impact(nb::cast<float>(w));
  throw Error(ErrorCode::kInvalidArgument, std::string(what) + ": weight of '" + token + "' is " +
                                               nb::cast<std::string>(nb::str(w.type())) + ", expected int or float");
}

// A dict's {str: int or float} entries read straight from CPython (PyDict_Next, the key's
// cached UTF-8) instead of items() tuples and casts: a 52-term SciFact query is then read and
// resolved from Python within 1-3 us of the CLI (BENCHMARKS.md, "The Python package"). Returns
// false at the first entry that is not a str key with an int (not bool) or float value; the
// general path then reads the whole mapping again and names what is wrong.
bool read_dict_fast(PyObject* dict, std::vector<std::pair<std::string, std::int64_t>>& out) {
  Py_ssize_t pos = 0;
  PyObject *key = nullptr, *value = nullptr;
  out.reserve(static_cast<std::size_t>(PyDict_Size(dict)));
  while (PyDict_Next(dict, &pos, &key, &value)) {
    if (!PyUnicode_Check(key) || PyBool_Check(value)) return false;
    std::int64_t w = 0;
    if (PyFloat_CheckExact(value)) {
      w = anserini_impact(static_cast<float>(PyFloat_AS_DOUBLE(value)));  // as impact_of
    } else if (PyLong_Check(value)) {
      int overflow = 0;
      w = PyLong_AsLongLongAndOverflow(value, &overflow);
      if (overflow != 0) return false;
    } else {
      return false;
    }
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(key, &size);
    if (!utf8) {  // a str that is not UTF-8 (a lone surrogate): the general path reports it
      PyErr_Clear();
      return false;
    }
    out.emplace_back(std::string(utf8, static_cast<std::size_t>(size)), w);
  }
  return true;
}

// {token: weight} (a dict, or any mapping with items()) as (token, weight) pairs.
std::vector<std::pair<std::string, std::int64_t>> read_vector(const nb::handle& vector, const char* what) {
  if (PyDict_CheckExact(vector.ptr())) {
    std::vector<std::pair<std::string, std::int64_t>> fast;
    if (read_dict_fast(vector.ptr(), fast)) return fast;
  }
  if (!nb::hasattr(vector, "items"))
    throw Error(ErrorCode::kInvalidArgument, std::string(what) + ": expected a {token: weight} mapping, got " +
                                                 nb::cast<std::string>(nb::str(vector.type())));
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (nb::handle item : vector.attr("items")()) {
    nb::object key = item[0];
    if (!nb::isinstance<nb::str>(key))
      throw Error(ErrorCode::kInvalidArgument, std::string(what) + ": a token is " +
                                                   nb::cast<std::string>(nb::str(key.type())) + ", expected str");
    const std::string token = nb::cast<std::string>(key);
    out.emplace_back(token, impact_of(item[1], token, what));
  }
  return out;
}

struct PyIndex {
  std::shared_ptr<Index> index;
};

// The searcher owns its Index handle (shared with the Python _Index) and, optionally, borrows
// the _Encoder kept alive by nb::keep_alive. splade::Searcher owns scratch buffers and serves
// one thread at a time, so calls (made with the GIL released, from any number of Python
// threads) take one from a pool and give it back: no per-call allocation of accumulators.
struct PySearcher {
  std::shared_ptr<Index> index;
  const Encoder* encoder = nullptr;
  SearchOptions options;  // algorithm, rho and candidates from __init__; k per call
  std::mutex mutex;
  std::vector<std::unique_ptr<Searcher>> idle;

  std::unique_ptr<Searcher> take() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!idle.empty()) {
        auto s = std::move(idle.back());
        idle.pop_back();
        return s;
      }
    }
    return std::make_unique<Searcher>(*index);
  }
  void give_back(std::unique_ptr<Searcher> s) {
    std::lock_guard<std::mutex> lock(mutex);
    idle.push_back(std::move(s));
  }
};

// A Searcher taken from the pool for one call and given back however the call ends.
class PooledSearcher {
 public:
  explicit PooledSearcher(PySearcher& pool) : pool_(pool), searcher_(pool.take()) {}
  ~PooledSearcher() { pool_.give_back(std::move(searcher_)); }
  PooledSearcher(const PooledSearcher&) = delete;
  PooledSearcher& operator=(const PooledSearcher&) = delete;
  Searcher* operator->() const { return searcher_.get(); }

 private:
  PySearcher& pool_;
  std::unique_ptr<Searcher> searcher_;
};

SearchOptions options_for(const PySearcher& s, std::size_t k) {
  SearchOptions o = s.options;
  o.k = k;
  return o;
}

// `splade search --algorithm`'s names.
SearchAlgorithm algorithm_named(const std::string& name) {
  if (name == "exhaustive") return SearchAlgorithm::kExhaustive;
  if (name == "impact-ordered") return SearchAlgorithm::kImpactOrdered;
  if (name == "maxscore") return SearchAlgorithm::kMaxScore;
  if (name == "block-max") return SearchAlgorithm::kBlockMax;
  if (name == "auto") return SearchAlgorithm::kAuto;
  throw Error(ErrorCode::kInvalidArgument, "Searcher: algorithm '" + name +
                                               "', expected exhaustive, impact-ordered, maxscore, block-max or auto");
}

// A topic from Python: str (text for the encoder) or {token: weight}.
Topic topic_of(const PySearcher& s, const std::string& id, const nb::handle& query) {
  Topic t;
  t.id = id;
  if (nb::isinstance<nb::str>(query)) {
    if (!s.encoder) throw Error(ErrorCode::kInvalidArgument, "a text query needs Searcher(index, encoder=SparseEncoder(...))");
    t.text = nb::cast<std::string>(query);
  } else {
    t.vector = read_vector(query, "query");
    t.has_vector = true;
  }
  return t;
}

}  // namespace

void bind_search(nb::module_& m) {
  // splade index's options (include/splade/index.h); threads 0 is one per core, as elsewhere
  // in the package.
  nb::class_<IndexBuildOptions>(m, "_IndexBuildOptions")
      .def("__init__",
           [](IndexBuildOptions* self, int threads, bool overwrite, bool reorder, bool block_max) {
             if (threads < 0) throw Error(ErrorCode::kInvalidArgument, "threads " + std::to_string(threads) + ", expected >= 0");
             new (self) IndexBuildOptions();
             self->threads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
             self->overwrite = overwrite;
             self->reorder = reorder;
             self->block_max = block_max;
           },
           nb::arg("threads"), nb::arg("overwrite"), nb::arg("reorder"), nb::arg("block_max"));

  nb::class_<PyIndex>(m, "_Index")
      .def_static("open",
                  [](const std::filesystem::path& path) {
                    nb::gil_scoped_release release;
                    return PyIndex{std::make_shared<Index>(Index::open(path))};
                  },
                  nb::arg("path"))
      .def_static("build_from_vectors",
                  [](nb::iterable docs, const std::filesystem::path& path, const IndexBuildOptions& o) {
                    IndexBuilder builder;
                    std::size_t n = 0;
                    for (nb::handle item : docs) {
                      ++n;
                      if (!nb::isinstance<nb::tuple>(item) || nb::len(item) != 2)
                        throw Error(ErrorCode::kInvalidArgument, "document " + std::to_string(n) +
                                                                     ": expected a (docid, {token: impact}) pair");
                      nb::object id = item[0];
                      if (!nb::isinstance<nb::str>(id))
                        throw Error(ErrorCode::kInvalidArgument, "document " + std::to_string(n) + ": its docid is not a str");
                      const auto vector = read_vector(item[1], "document vector");
                      std::vector<std::pair<std::string_view, std::uint32_t>> terms;
                      for (const auto& [t, w] : vector)
                        if (w > 0) terms.emplace_back(t, static_cast<std::uint32_t>(std::min<std::int64_t>(w, UINT32_MAX)));
                      builder.add_document(nb::cast<std::string>(id), terms);
                    }
                    nb::gil_scoped_release release;
                    builder.write(path, o);
                    return PyIndex{std::make_shared<Index>(Index::open(path))};
                  },
                  nb::arg("docs"), nb::arg("path"), nb::arg("options"))
      .def_static("build_from_files",
                  [](const std::filesystem::path& input, const std::filesystem::path& path, const IndexBuildOptions& o) {
                    nb::gil_scoped_release release;
                    build_index_from_json_vectors(input, path, o);
                    return PyIndex{std::make_shared<Index>(Index::open(path))};
                  },
                  nb::arg("input"), nb::arg("path"), nb::arg("options"))
      .def("__len__", [](const PyIndex& i) { return i.index->num_docs(); })
      .def_prop_ro("num_terms", [](const PyIndex& i) { return i.index->num_terms(); })
      .def_prop_ro("num_postings", [](const PyIndex& i) { return i.index->num_postings(); })
      .def_prop_ro("path", [](const PyIndex& i) { return i.index->path(); });

  nb::class_<PySearcher>(m, "_Searcher")
      .def("__init__",
           [](PySearcher* self, const PyIndex& index, const Encoder* encoder, const std::string& algorithm, double rho,
              std::size_t candidates) {
             SearchOptions o;
             o.algorithm = algorithm_named(algorithm);
             o.rho = rho;
             o.candidates = candidates;
             if (!(rho > 0.0 && rho <= 1.0))
               throw Error(ErrorCode::kInvalidArgument, "Searcher: rho " + std::to_string(rho) + ", expected 0 < rho <= 1");
             if (rho < 1.0 && o.algorithm != SearchAlgorithm::kImpactOrdered)
               throw Error(ErrorCode::kInvalidArgument, "Searcher: rho < 1 (approximate) needs algorithm='impact-ordered'");
             if (candidates == 0) throw Error(ErrorCode::kInvalidArgument, "Searcher: candidates 0, expected >= 1");
             const auto index_handle = index.index;
             {
               nb::gil_scoped_release release;
               Searcher::prepare(*index_handle, o.algorithm);  // the impact order, built once per index
             }
             new (self) PySearcher();
             self->index = index_handle;
             self->encoder = encoder;
             self->options = o;
           },
           nb::arg("index"), nb::arg("encoder").none(), nb::arg("algorithm"), nb::arg("rho"), nb::arg("candidates"),
           nb::keep_alive<1, 3>())
      .def("search",
           [](PySearcher& s, nb::handle query, std::size_t k) {
             Topic t = topic_of(s, "q", query);
             HitList hits{s.index, {}};
             {
               nb::gil_scoped_release release;
               if (!t.has_vector) t.vector = SpladeQueryEncoder(*s.encoder).encode(t.text);
               PooledSearcher searcher(s);
               hits.hits = searcher->search(t.vector, options_for(s, k));
             }
             return hits;
           },
           nb::arg("query"), nb::arg("k"))
      .def("batch_search",
           [](PySearcher& s, nb::list queries, const std::vector<std::string>& qids, std::size_t k, int threads) {
             if (nb::len(queries) != qids.size())
               throw Error(ErrorCode::kInvalidArgument, std::to_string(nb::len(queries)) + " queries but " +
                                                            std::to_string(qids.size()) + " qids");
             if (threads < 1) throw Error(ErrorCode::kInvalidArgument, "threads " + std::to_string(threads) + ", expected >= 1");
             std::vector<Topic> topics;
             for (std::size_t i = 0; i < qids.size(); ++i) topics.push_back(topic_of(s, qids[i], queries[i]));
             BatchSearchResult r;
             {
               nb::gil_scoped_release release;
               std::optional<SpladeQueryEncoder> qe;
               BatchSearchOptions o;
               o.search = options_for(s, k);
               o.threads = threads;
               if (s.encoder) o.encoder = &qe.emplace(*s.encoder);
               r = search_topics(*s.index, topics, o);
             }
             nb::dict out;
             for (auto& t : r.topics) out[nb::str(t.topic_id.c_str())] = nb::cast(HitList{s.index, std::move(t.hits)});
             return out;
           },
           nb::arg("queries"), nb::arg("qids"), nb::arg("k"), nb::arg("threads"));
}

}  // namespace splade::python
