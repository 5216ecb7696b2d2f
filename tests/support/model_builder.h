// Small ONNX models built directly through the protobuf schema, for tests that need
// to know exactly what a model holds.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace splade::testing {

struct DimSpec {
  std::int64_t value = -1;  // >= 0: fixed
  std::string param;        // symbolic name when value < 0 and non-empty
};

onnx::ValueInfoProto make_value_info(const std::string& name, int elem_type, const std::vector<DimSpec>& dims);
onnx::TensorProto make_float_tensor(const std::string& name, const std::vector<std::int64_t>& dims, float start);

// x[batch, 4] (float) -> MatMul(W[4,3]) -> Add(b[3]) -> Relu -> y[batch, 3];
// plus a second int64 input mask[batch, seq] that is Cast and returned as a second output.
// opset 17, ir_version 8, producer "splade-tests" "1.0".
onnx::ModelProto make_mlp_model();

// A pooled-contract SPLADE stand-in over a vocabulary of `vocab` ids:
// input_ids[batch, seq] (int64) -> Gather(E[vocab, vocab]) -> ReduceMax over seq -> Relu
// -> weights[batch, vocab] (float); attention_mask[batch, seq] (int64) is an input it
// ignores. E[t][j] = start + 0.25 * (t * vocab + j) (make_float_tensor's filling), so the
// weight of id j is max(0, start + 0.25 * (max_t(t) * vocab + j)) over the ids given.
onnx::ModelProto make_pooled_lookup_model(std::int64_t vocab, float start);

// The same graph with one FusedMatMul from com.microsoft (domain opset 1) replacing MatMul.
onnx::ModelProto make_contrib_model();

}  // namespace splade::testing
