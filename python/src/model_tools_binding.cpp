// optimize(), quantize() and inspect(): `splade optimize`, `splade quantize` (without its
// fidelity report) and `splade inspect --json` for Python, each returning its report as a dict.
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/string.h>

#include <string>

#include "bindings.h"
#include "splade/model_info.h"
#include "splade/optimize.h"
#include "splade/quantize.h"

namespace nb = nanobind;

namespace splade::python {

void bind_model_tools(nb::module_& m) {
  m.def(
      "optimize",
      [](const std::filesystem::path& input, const std::filesystem::path& output, bool verify) {
        OptimizeOptions o;
        o.verify = verify;
        OptimizeResult r;
        {
          nb::gil_scoped_release release;
          r = optimize_model(input, output, o);
        }
        nb::dict fused;
        for (const auto& [pass, n] : r.fused) fused[nb::str(pass.c_str())] = n;
        nb::dict d;
        d["output"] = r.output.string();
        d["nodes_before"] = r.nodes_before;
        d["nodes_after"] = r.nodes_after;
        d["fused"] = fused;
        d["max_abs_diff"] = r.max_abs_diff;
        d["checked_input_sets"] = r.checked_input_sets;
        return d;
      },
      nb::arg("input"), nb::arg("output"), nb::arg("verify"));
  m.def(
      "quantize",
      [](const std::filesystem::path& input, const std::filesystem::path& output, const std::string& target,
         bool per_channel, bool fp16) {
        QuantizeOptions o;
        o.mode = fp16 ? QuantizeMode::kFp16 : QuantizeMode::kInt8;
        o.target = parse_int8_target(target);
        o.per_channel = per_channel;
        QuantizeResult r;
        {
          nb::gil_scoped_release release;
          r = quantize_model(input, output, o);
        }
        nb::dict d;
        d["output"] = r.output.string();
        d["matmuls_quantized"] = r.matmuls_quantized;
        d["attentions_quantized"] = r.attentions_quantized;
        d["embeddings_quantized"] = r.embeddings_quantized;
        d["fp16_initializers"] = r.fp16_initializers;
        d["weight_elements"] = r.weight_elements;
        d["int8_format"] = r.int8_format;
        return d;
      },
      nb::arg("input"), nb::arg("output"), nb::arg("target"), nb::arg("per_channel"), nb::arg("fp16"));
  // The JSON text of `splade inspect --json`; the Python layer parses it.
  m.def(
      "inspect_json",
      [](const std::filesystem::path& path) {
        nb::gil_scoped_release release;
        return model_info_to_json(inspect_model(path.string()));
      },
      nb::arg("path"));
}

}  // namespace splade::python
