// Builds the ONNX model of an encoder described by a ModelSpec, with one of the heads.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <string>

#include "convert/model_spec.h"
#include "hf/tensor_store.h"
#include "splade/converter.h"

namespace splade::convert {

// The graph, written in the patterns ONNX Runtime's transformer fusions match:
//   embeddings: Gather(word) + Gather(token_type) + Gather(position, Slice(position_ids))
//               -> LayerNorm
//   mask:       Mul(Sub(1, Cast(Unsqueeze(attention_mask, [1, 2]))), -10000) [batch,1,1,seq]
//   attention:  Add(MatMul(x, W), b) -> Reshape [0,0,heads,head_size] -> Transpose;
//               Softmax(Add(Div(MatMul(q, k^T), sqrt(head_size)), mask)) -> MatMul(v)
//               -> Transpose -> Reshape [0,0,hidden] -> Add(MatMul, b) -> Add(residual)
//               -> LayerNorm
//   gelu:       x * 0.5 * (1 + erf(x / sqrt 2)) as Div, Erf, Add, Mul, Mul
//   gelu_tanh:  0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
// Weights are read from `store` as fp32 (MatMul weights transposed to [in, out]) and each
// tensor's file pages are released after it is copied. `metadata` goes to metadata_props.
// The splade heads pool as `pooling` says (max: the pool-first form, see ARCHITECTURE.md).
onnx::ModelProto build_onnx_model(const ModelSpec& spec, const hf::TensorStore& store, ConvertHead head, int opset,
                                  const std::map<std::string, std::string>& metadata,
                                  const SpladePooling& pooling = SpladePooling{});

}  // namespace splade::convert
