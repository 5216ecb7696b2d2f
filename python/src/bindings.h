// One function a concept registers its classes and functions on the module.
#pragma once

#include <nanobind/nanobind.h>

namespace splade::python {

void bind_encoder(nanobind::module_& m);  // encoder_binding.cpp: _Encoder
void bind_hits(nanobind::module_& m);     // hits_binding.cpp: Hit, HitList
void bind_search(nanobind::module_& m);   // search_binding.cpp: _Index, _Searcher
void bind_eval(nanobind::module_& m);     // eval_binding.cpp: evaluate
void bind_convert(nanobind::module_& m);  // convert_binding.cpp: convert
void bind_model_tools(nanobind::module_& m);  // model_tools_binding.cpp: optimize, quantize, inspect_json

}  // namespace splade::python
