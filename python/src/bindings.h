// One function a concept registers its classes and functions on the module; and what the
// bindings share (to_numpy).
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <utility>
#include <vector>

namespace splade::python {

void bind_encoder(nanobind::module_& m);  // encoder_binding.cpp: _Encoder
void bind_hits(nanobind::module_& m);     // hits_binding.cpp: Hit, HitList
void bind_search(nanobind::module_& m);   // search_binding.cpp: _Index, _Searcher
void bind_eval(nanobind::module_& m);     // eval_binding.cpp: evaluate
void bind_convert(nanobind::module_& m);  // convert_binding.cpp: convert
void bind_model_tools(nanobind::module_& m);  // model_tools_binding.cpp: optimize, quantize, inspect_json

// A 1-D numpy array that owns `values` (moved into it, freed with the array).
template <typename T>
nanobind::ndarray<nanobind::numpy, T, nanobind::ndim<1>> to_numpy(std::vector<T>&& values) {
  auto* owned = new std::vector<T>(std::move(values));
  nanobind::capsule free(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nanobind::ndarray<nanobind::numpy, T, nanobind::ndim<1>>(owned->data(), {owned->size()}, free);
}

}  // namespace splade::python
