#include "quantize/int8_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "optimize/graph_view.h"

namespace splade::quantize {

const char* to_string(Int8Format format) {
  switch (format) {
    case Int8Format::kU8U8: return "u8u8";
    case Int8Format::kU8S8: return "u8s8";
    case Int8Format::kU8S7: return "u8s7";
    case Int8Format::kS8S8: return "s8s8";
  }
  return "?";
}

Int8Format format_for_target(Int8Target target) {
  switch (target) {
    // U8U8 is exact on every CPU; on AVX2 its fidelity is far above 7-bit weights (u8s7) and
    // its speed close to them (BENCHMARKS.md, "int8 formats"). AVX-512 without VNNI runs the
    // same two kernels (vpmaddwd vs vpmaddubsw) on wider registers.
    case Int8Target::kPortable:
    case Int8Target::kAvx2:
    case Int8Target::kAvx512: return Int8Format::kU8U8;
    // VNNI (vpdpbusds), AMX and ARM64 sum u8 x s8 products in int32: full-range int8
    // weights are exact there, and their U8S8 kernels are the fast ones.
    case Int8Target::kAvx512Vnni:
    case Int8Target::kArm64: return Int8Format::kU8S8;
  }
  return Int8Format::kU8U8;
}

namespace {

// MLAS (platform.cpp) replaces the vpmaddubsw U8S8 kernel with a VNNI one on AVX-VNNI and
// AVX-512 VNNI, and with AMX's dispatch where tiles are enabled.
bool u8s8_pairs_saturate(const cpu::CpuFeatures& cpu) {
  return cpu.x86_64 && !(cpu.avx512_vnni || cpu.avx_vnni || cpu.amx_int8);
}

}  // namespace

bool exact_on(Int8Format format, const cpu::CpuFeatures& cpu) {
  return format != Int8Format::kU8S8 || !u8s8_pairs_saturate(cpu);
}

std::string kernel_description(Int8Format format, const cpu::CpuFeatures& cpu) {
  if (cpu.arm64) {
    const char* how = cpu.arm_i8mm ? "ummla/smmla" : cpu.arm_dotprod ? "udot/sdot" : "umlal/smlal";
    return fmt::format("{} ARM64 ({}: int32 sums, exact)", format == Int8Format::kU8U8 ? "U8U8" : "U8S8", how);
  }
  if (!cpu.x86_64) return "unknown CPU";
  const char* isa = cpu.avx512_core ? "AVX-512" : cpu.avx2 ? "AVX2" : "SSE4.1";
  switch (format) {
    case Int8Format::kU8U8:
      return fmt::format("U8U8 {} (vpmaddwd on 16-bit lanes: exact)", isa);
    case Int8Format::kS8S8:
      return "S8S8 (MLAS' portable C kernel: exact, slow)";
    case Int8Format::kU8S7:
    case Int8Format::kU8S8:
      if (cpu.amx_int8) return "U8S8 AMX (tdpbusd: int32 sums, exact)";
      if (cpu.avx512_vnni) return "U8S8 AVX-512 VNNI (vpdpbusds: int32 sums, exact)";
      if (cpu.avx_vnni) return "U8S8 AVX-VNNI (vpdpbusds: int32 sums, exact)";
      return format == Int8Format::kU8S7
                 ? fmt::format("U8S8 {} (vpmaddubsw: int16 pair sums, exact for weights in [-64, 64])", isa)
                 : fmt::format("U8S8 {} (vpmaddubsw: int16 pair sums saturate for weights beyond [-64, 64])", isa);
  }
  return "?";
}

Int8Format ModelInt8Format::worst() const {
  if (u8s8) return Int8Format::kU8S8;
  if (u8s7) return Int8Format::kU8S7;
  if (s8s8) return Int8Format::kS8S8;
  return Int8Format::kU8U8;
}

namespace {

// (activation input, weight input) of each integer GEMM, by op.
struct GemmInputs {
  int activation, weight;
};
const std::map<std::string, GemmInputs>& integer_gemms() {
  static const std::map<std::string, GemmInputs> ops = {
      {"MatMulInteger", {0, 1}},        {"DynamicQuantizeMatMul", {0, 1}}, {"MatMulIntegerToFloat", {0, 1}},
      {"QAttention", {0, 1}},           {"QGemm", {0, 3}},                 {"QLinearMatMul", {0, 3}},
      {"DynamicQuantizeLSTM", {0, 1}},
  };
  return ops;
}

// The element type of `tensor`: an initializer's, a DynamicQuantizeLinear output's (uint8),
// a graph input's or a value_info's; 0 when unknown.
int element_type(graph::GraphView& g, const std::string& tensor) {
  if (const auto* t = g.constant(tensor)) return t->data_type();
  if (const auto* p = g.producer(tensor)) {
    if (p->op_type() == "DynamicQuantizeLinear" || p->op_type() == "QuantizeLinear") {
      if (p->op_type() == "DynamicQuantizeLinear") return onnx::TensorProto::UINT8;
      if (p->input_size() > 2)
        if (const auto* zp = g.constant(p->input(2))) return zp->data_type();
      return onnx::TensorProto::UINT8;
    }
  }
  if (const auto* in = g.graph_input(tensor)) return in->type().tensor_type().elem_type();
  for (const auto& vi : g.graph().value_info())
    if (vi.name() == tensor) return vi.type().tensor_type().elem_type();
  return 0;
}

int max_abs_int8(const onnx::TensorProto& t) {
  std::string_view bytes;
  std::string typed;
  if (t.has_raw_data()) {
    bytes = t.raw_data();
  } else {
    for (auto v : t.int32_data()) typed.push_back(static_cast<char>(v));
    bytes = typed;
  }
  int m = 0;
  for (char c : bytes) m = std::max(m, std::abs(static_cast<int>(static_cast<std::int8_t>(c))));
  return m;
}

}  // namespace

ModelInt8Format read_int8_format(const onnx::ModelProto& model) {
  ModelInt8Format f;
  for (const auto& p : model.metadata_props()) {
    if (p.key() == "splade_int8_target") f.recorded_target = p.value();
    if (p.key() == "splade_int8_format") f.recorded_format = p.value();
  }
  // GraphView takes a mutable graph; it is only read here.
  auto& graph = const_cast<onnx::GraphProto&>(model.graph());
  graph::GraphView g(graph);
  for (const auto& n : model.graph().node()) {
    auto it = integer_gemms().find(n.op_type());
    if (it == integer_gemms().end() || n.input_size() <= it->second.weight) continue;
    ++f.integer_gemms;
    const int a = element_type(g, n.input(it->second.activation));
    const std::string& w_name = n.input(it->second.weight);
    const int w = element_type(g, w_name);
    const bool a_signed = a == onnx::TensorProto::INT8;
    if (w == onnx::TensorProto::UINT8) {
      ++(a_signed ? f.s8s8 : f.u8u8);  // s8u8 is exact wherever s8s8 is
      continue;
    }
    if (a_signed) {
      ++f.s8s8;
      continue;
    }
    // int8 weights (or unknown: assume the worst). The raw stored values are what the
    // kernel multiplies, whatever their zero point.
    const auto* t = g.constant(w_name);
    const int m = t && w == onnx::TensorProto::INT8 ? max_abs_int8(*t) : 127;
    f.max_abs_int8_weight = std::max(f.max_abs_int8_weight, m);
    ++(m <= 64 ? f.u8s7 : f.u8s8);
  }
  return f;
}

Int8Target recommended_target(const cpu::CpuFeatures& cpu) {
  if (cpu.arm64) return Int8Target::kArm64;
  if (cpu.avx512_vnni || cpu.amx_int8 || cpu.avx_vnni) return Int8Target::kAvx512Vnni;
  if (cpu.avx512_core) return Int8Target::kAvx512;
  if (cpu.avx2) return Int8Target::kAvx2;
  return Int8Target::kPortable;
}

std::string saturation_warning(const std::string& model_path, const ModelInt8Format& f, const cpu::CpuFeatures& cpu) {
  if (f.integer_gemms == 0 || exact_on(f.worst(), cpu)) return "";
  const std::string origin = f.recorded_target.empty() ? "" : fmt::format(" (quantized with --target {})", f.recorded_target);
  return fmt::format("{}: int8 format u8s8{}: {} integer GEMMs with int8 weights up to {} would run on {} on this CPU "
                     "{}; running them with ONNX Runtime's exact U8U8 kernels instead (session.x64quantprecision, "
                     "slower); for full speed re-quantize the fp32 model with `splade quantize --target {}`",
                     model_path, origin, f.u8s8, f.max_abs_int8_weight, kernel_description(Int8Format::kU8S8, cpu),
                     cpu::describe(cpu),
                     to_string(recommended_target(cpu)));
}

}  // namespace splade::quantize
