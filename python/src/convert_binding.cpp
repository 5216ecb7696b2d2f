// convert(): `splade convert` (splade::convert_model) for Python: a Hugging Face checkpoint
// directory into a model directory the encoder opens. Returns the report as a dict.
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/string.h>

#include <string>

#include "bindings.h"
#include "splade/converter.h"
#include "splade/error.h"

namespace nb = nanobind;

namespace splade::python {

void bind_convert(nb::module_& m) {
  m.def(
      "convert",
      [](const std::filesystem::path& model_dir, const std::filesystem::path& out_dir, const std::string& head,
         bool validate) {
        ConvertOptions o;
        o.head = parse_head(head);
        o.validate = validate;
        ConvertReport r;
        {
          nb::gil_scoped_release release;
          r = convert_model(model_dir, out_dir, o);
        }
        if (!r.passed)
          throw Error(ErrorCode::kRuntime, model_dir.string() + ": validation failed, max |onnx - reference| " +
                                               std::to_string(r.max_abs_diff) + "; nothing was written");
        nb::dict d;
        d["model_path"] = r.model_path.string();
        d["model_type"] = r.model_type;
        d["head"] = r.head;
        d["pooling"] = r.pooling;
        d["opset"] = r.opset;
        d["tied_decoder"] = r.tied_decoder;
        d["node_count"] = r.node_count;
        d["validated"] = r.validated;
        d["max_abs_diff"] = r.max_abs_diff;
        d["convert_seconds"] = r.convert_seconds;
        return d;
      },
      nb::arg("model_dir"), nb::arg("out_dir"), nb::arg("head"), nb::arg("validate"));
}

}  // namespace splade::python
