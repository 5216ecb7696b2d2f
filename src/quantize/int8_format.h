// The integer formats of dynamic int8 quantization (activations x weights), which of
// ONNX Runtime's CPU kernels (MLAS) compute each exactly, and the format of a model read
// back from its graph, whichever tool quantized it.
//
// Why formats matter: on x86-64 without VNNI (AVX2, AVX-512 without VNNI), MLAS' U8S8 GEMM
// multiplies pairs of uint8 activations and int8 weights with vpmaddubsw, which adds each
// pair in saturating int16: 255 * 127 * 2 = 64770 > 32767, so full-range int8 weights give
// wrong sums there. U8U8 runs on vpmaddwd over 16-bit lanes (exact), and int8 weights in
// [-64, 64] cannot saturate (255 * 64 * 2 = 32640). VNNI (vpdpbusds), AMX (tdpbusd) and
// ARM64 (udot, umlal) accumulate in int32: exact for every format.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "cpu/cpu_features.h"
#include "splade/quantize.h"

namespace splade::quantize {

enum class Int8Format {
  kU8U8,  // uint8 activations x uint8 weights (asymmetric, zero point per tensor or column)
  kU8S8,  // uint8 activations x int8 weights, full range (|w_q| <= 127, symmetric)
  kU8S7,  // uint8 activations x int8 weights in [-64, 64] (onnxruntime's reduce_range)
  kS8S8,  // int8 activations (other tools only; exact everywhere, slow on x86)
};
const char* to_string(Int8Format format);  // "u8u8", "u8s8", "u8s7", "s8s8"

// The format `splade quantize --target` writes (measured on AVX2, BENCHMARKS.md).
Int8Format format_for_target(Int8Target target);

// Whether ONNX Runtime's kernels compute `format` exactly on `cpu`.
bool exact_on(Int8Format format, const cpu::CpuFeatures& cpu);

// The MLAS GEMM kernel (and instruction) that runs `format` on `cpu`, for reports:
// "U8S8 AVX2 (vpmaddubsw: int16 pair sums saturate)".
std::string kernel_description(Int8Format format, const cpu::CpuFeatures& cpu);

// A quantized model's integer format, from its graph: the activation and weight types of
// every integer GEMM (MatMulInteger, DynamicQuantizeMatMul, MatMulIntegerToFloat,
// QAttention, QGemm) and the range of int8 weight values; plus what splade quantize
// recorded in metadata_props (splade_int8_target, splade_int8_format).
struct ModelInt8Format {
  int integer_gemms = 0;        // 0: not an int8 model
  int u8u8 = 0, u8s8 = 0, u8s7 = 0, s8s8 = 0;  // GEMMs of each format
  int max_abs_int8_weight = 0;  // over the int8 weights
  std::string recorded_target, recorded_format;  // "" when not recorded
  // The least exact format present: u8s8 if any, else u8s7, else s8s8, else u8u8.
  Int8Format worst() const;
};
ModelInt8Format read_int8_format(const onnx::ModelProto& model);

// One line for a model whose int8 kernels are not exact on `cpu` ("" when they are):
// what saturates and which --target to re-quantize with.
std::string saturation_warning(const std::string& model_path, const ModelInt8Format& f, const cpu::CpuFeatures& cpu);

// The target a user should pick on `cpu` (the fastest exact one measured).
Int8Target recommended_target(const cpu::CpuFeatures& cpu);

}  // namespace splade::quantize
