// splade_cpp._core: the C++ library under the Python package (python/splade_cpp/). The
// Python layer gives the names users know (SparseEncoder, SparseEmbedding, Searcher, Hit);
// this module holds the calls, each releasing the GIL around the work it does in C++.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "splade/error.h"
#include "splade/version.h"

namespace nb = nanobind;

NB_MODULE(_core, m) {
  m.doc() = "splade.cpp's C++ library (use the splade_cpp package, not this module)";
  // splade::Error (the library's one exception type) as splade_cpp.Error, a RuntimeError
  // with the C++ message.
  nb::exception<splade::Error>(m, "Error", PyExc_RuntimeError);
  m.def("version", &splade::version, "splade.cpp's version");
  m.def("onnxruntime_version", &splade::onnxruntime_version, "the ONNX Runtime loaded");
  splade::python::bind_encoder(m);
  splade::python::bind_hits(m);
  splade::python::bind_search(m);
  splade::python::bind_eval(m);
  splade::python::bind_convert(m);
  splade::python::bind_model_tools(m);
}
