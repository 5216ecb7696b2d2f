// Quantization graph passes. Each rewrites a ModelProto in place and returns how many
// nodes it converted.
#pragma once

#include <onnx/onnx_pb.h>

#include "quantize/int8_format.h"

#include <string>
#include <vector>

namespace splade::quantize {

struct Int8Stats {
  int matmuls = 0;      // MatMul/Gemm -> DynamicQuantizeLinear + MatMulInteger + Cast + Mul
  int attentions = 0;   // com.microsoft.Attention -> QAttention
  std::int64_t weights_quantized = 0;  // elements now stored as int8
  std::vector<std::string> skipped;    // "MatMul 'name': weight is not a constant", ...
};

// Dynamic int8 quantization in the standard-op form ONNX Runtime fuses into
// DynamicQuantizeMatMul / MatMulIntegerToFloat:
//   x -> DynamicQuantizeLinear -> (x_q uint8, x_scale, x_zp)     (one per activation)
//   MatMulInteger(x_q, W_q int8, x_zp, 0) -> Cast(float) -> Mul(x_scale * w_scale) [-> Add bias]
// for every MatMul/Gemm whose weight is a constant 2-D float tensor, and
// com.microsoft.Attention -> QAttention (per-tensor). Weights are, by `format`, symmetric
// int8 (u8s8: zero point 0, scale max|w|/127, as quantize_dynamic's QInt8) or asymmetric
// uint8 (u8u8: as quantize_dynamic's QUInt8), per tensor or per output column.
Int8Stats quantize_dynamic_int8(onnx::ModelProto& model, Int8Format format, bool per_channel);

// Embedding tables, as quantize_dynamic does them (uint8, asymmetric, per tensor:
// scale = (max(0, max) - min(0, min)) / 255, zero point = round(-min / scale)):
//   Gather(table, ids) -> Gather(table_q, ids) -> DequantizeLinear, for 2-D float tables
//   of at least `min_elements`;
//   com.microsoft.EmbedLayerNormalization -> QEmbedLayerNormalization (word, position,
//   segment tables, gamma and beta quantized).
// Returns the number of nodes converted.
int quantize_embeddings_uint8(onnx::ModelProto& model, std::int64_t min_elements = 1 << 16);

struct Fp16Stats {
  int initializers = 0;
  std::int64_t elements = 0;
};

// fp16 weights: every float initializer of at least `min_elements` elements that feeds a
// MatMul/Gemm/Gather/Attention-like op is stored as float16 and cast back to float32 at
// load; inputs, outputs and every op (LayerNorm, Softmax, relu/log1p/max included) stay fp32.
Fp16Stats convert_weights_fp16(onnx::ModelProto& model, std::int64_t min_elements = 1024);

}  // namespace splade::quantize
