// _Encoder: splade::Encoder for Python. encode() takes a list of str and returns, per text,
// (indices uint32 [n], values float32 [n]) as numpy arrays, vocabulary ids ascending.
// splade::Encoder is safe to call from several threads at once (ONNX Runtime's Run is), so
// the GIL is released for the whole batch.
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "splade/encoder.h"
#include "splade/error.h"
#include "splade/tokenizer.h"

namespace nb = nanobind;

namespace splade::python {
namespace {

Encoder open_encoder(const std::string& model_dir, int threads, std::optional<int> max_length,
                     const std::string& truncation, bool fused_head, bool mmap) {
  EncoderOptions o;
  o.threads = threads;
  if (max_length) {
    if (*max_length <= 0)
      throw Error(ErrorCode::kInvalidArgument, "max_length " + std::to_string(*max_length) + ", expected > 0 or None");
    o.max_length = *max_length;
  }
  if (truncation == "hf") o.truncation = Truncation::kHuggingFace;
  else if (truncation == "anserini") o.truncation = Truncation::kAnserini;
  else throw Error(ErrorCode::kInvalidArgument, "truncation '" + truncation + "', expected 'hf' or 'anserini'");
  o.fused_head = fused_head;
  o.map_model_file = mmap;
  o.print_warnings = false;  // warnings() carries them to Python
  return Encoder::open(model_dir, o);
}

}  // namespace

void bind_encoder(nb::module_& m) {
  nb::class_<Encoder>(m, "_Encoder")
      .def("__init__",
           [](Encoder* self, const std::string& model_dir, int threads, std::optional<int> max_length,
              const std::string& truncation, bool fused_head, bool mmap) {
             nb::gil_scoped_release release;
             new (self) Encoder(open_encoder(model_dir, threads, max_length, truncation, fused_head, mmap));
           },
           nb::arg("model_dir"), nb::arg("threads"), nb::arg("max_length").none(), nb::arg("truncation"),
           nb::arg("fused_head"), nb::arg("mmap"))
      .def("encode",
           [](const Encoder& e, const std::vector<std::string>& texts) {
             std::vector<SparseVector> vectors;
             {
               nb::gil_scoped_release release;
               std::vector<std::string_view> views(texts.begin(), texts.end());
               vectors = e.encode_batch(views);
             }
             nb::list out;
             for (auto& v : vectors) {
               std::vector<std::uint32_t> ids(v.ids.begin(), v.ids.end());
               out.append(nb::make_tuple(to_numpy(std::move(ids)), to_numpy(std::move(v.weights))));
             }
             return out;
           },
           nb::arg("texts"))
      .def("vocabulary",
           [](const Encoder& e) {
             std::vector<std::string> tokens;
             const auto& t = e.tokenizer();
             for (std::size_t i = 0; i < t.vocab_size(); ++i) tokens.push_back(t.id_to_token(static_cast<std::int64_t>(i)));
             return tokens;
           })
      .def_prop_ro("fused_head", &Encoder::fused_head)
      .def_prop_ro("fused_head_kernel", &Encoder::fused_head_kernel)
      .def_prop_ro("unfused_reason", &Encoder::unfused_reason)
      .def_prop_ro("warnings", &Encoder::warnings)
      .def_prop_ro("contract", [](const Encoder& e) { return std::string(to_string(e.contract())); });
}

}  // namespace splade::python
