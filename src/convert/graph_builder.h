// A thin helper for writing ONNX graphs node by node through the protobuf schema:
// unique names, attributes, initializers, and the opset-dependent forms (LayerNorm).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace splade::convert {

struct Attr {
  std::string name;
  enum Kind { kInt, kFloat, kInts, kInt64Tensor } kind = kInt;
  std::int64_t i = 0;
  float f = 0;
  std::vector<std::int64_t> ints;
};
inline Attr attr_i(std::string n, std::int64_t v) { return {std::move(n), Attr::kInt, v, 0, {}}; }
inline Attr attr_f(std::string n, float v) { return {std::move(n), Attr::kFloat, 0, v, {}}; }
inline Attr attr_ints(std::string n, std::vector<std::int64_t> v) { return {std::move(n), Attr::kInts, 0, 0, std::move(v)}; }
// A 1-D int64 tensor attribute (ConstantOfShape's value).
inline Attr attr_int64_tensor(std::string n, std::vector<std::int64_t> v) {
  return {std::move(n), Attr::kInt64Tensor, 0, 0, std::move(v)};
}

class GraphBuilder {
 public:
  GraphBuilder(onnx::GraphProto* graph, int opset) : g_(graph), opset_(opset) {}
  int opset() const { return opset_; }

  // Adds a node named `name` (made unique); its one output is called `name` too unless
  // `output` is given. Returns the output name.
  std::string op(const std::string& op_type, const std::string& name, std::vector<std::string> inputs,
                 std::vector<Attr> attrs = {}, std::string output = "");

  // Initializers. Returns the name.
  std::string float_tensor(const std::string& name, std::vector<std::int64_t> dims, const std::vector<float>& values);
  // An fp32 initializer whose raw bytes the caller fills (avoids a second copy of big weights).
  onnx::TensorProto* float_tensor_raw(const std::string& name, std::vector<std::int64_t> dims, float** data);
  std::string scalar(const std::string& name, float v);
  std::string int64_tensor(const std::string& name, std::vector<std::int64_t> dims, const std::vector<std::int64_t>& v);

  // LayerNormalization over the last axis: the native op from opset 17, else the
  // ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add form that ONNX Runtime fuses.
  std::string layer_norm(const std::string& name, const std::string& x, const std::string& gamma,
                         const std::string& beta, double eps);

  // Inputs/outputs with dims: a number is fixed, a string names a dynamic axis.
  void input(const std::string& name, int elem_type, std::vector<std::string> dims);
  void output(const std::string& name, int elem_type, std::vector<std::string> dims);
  // A value_info shape hint for an intermediate tensor: ONNX Runtime's shape inference
  // loses the sequence axis after the position_ids Slice, and its SkipLayerNormalization
  // fusion needs the shapes of the residual Adds.
  void hint(const std::string& name, int elem_type, std::vector<std::string> dims);

  std::int64_t node_count() const { return g_->node_size(); }

 private:
  std::string unique(const std::string& name);
  onnx::GraphProto* g_;
  int opset_;
  std::vector<std::string> used_;
};

}  // namespace splade::convert
