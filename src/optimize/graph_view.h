// Pattern-matching helpers over an onnx::GraphProto: who produces a tensor, who consumes
// it, constant values (initializers and Constant nodes), and dead-node removal. Every
// fusion pass in src/optimize/ and src/quantize/ works through these, so passes match by
// graph structure and op type, never by tensor names.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace splade::graph {

// An index over a graph that is rebuilt (refresh()) after each structural edit.
class GraphView {
 public:
  explicit GraphView(onnx::GraphProto& graph);
  void refresh();

  onnx::GraphProto& graph() { return graph_; }
  // The node producing `tensor`, or nullptr for graph inputs, initializers and "".
  onnx::NodeProto* producer(const std::string& tensor) const;
  // Every node reading `tensor` (in graph order).
  const std::vector<onnx::NodeProto*>& consumers(const std::string& tensor) const;
  bool is_graph_output(const std::string& tensor) const;
  bool is_graph_input(const std::string& tensor) const;
  const onnx::ValueInfoProto* graph_input(const std::string& tensor) const;
  // The initializer named `tensor`, or nullptr.
  onnx::TensorProto* initializer(const std::string& tensor) const;
  // The value of a constant tensor: an initializer or a Constant node's `value`.
  const onnx::TensorProto* constant(const std::string& tensor) const;
  // A constant read as doubles (see tensor_values), nullopt when not constant.
  std::optional<std::vector<double>> constant_values(const std::string& tensor) const;
  // A constant with exactly one element.
  std::optional<double> constant_scalar(const std::string& tensor) const;

  // The one consumer of `tensor` when it has exactly one and is not a graph output.
  onnx::NodeProto* only_consumer(const std::string& tensor) const;
  // A producer of op type `op` (domain "" or com.microsoft), else nullptr.
  onnx::NodeProto* producer_of_type(const std::string& tensor, const std::string& op) const;

  // A fresh tensor/node name with `stem` that is not used in the graph.
  std::string unique_name(const std::string& stem);

 private:
  onnx::GraphProto& graph_;
  std::unordered_map<std::string, onnx::NodeProto*> producer_;
  std::unordered_map<std::string, std::vector<onnx::NodeProto*>> consumers_;
  std::unordered_map<std::string, onnx::TensorProto*> initializer_;
  std::unordered_map<std::string, const onnx::ValueInfoProto*> inputs_;
  std::unordered_map<std::string, bool> outputs_;
  std::unordered_map<std::string, int> used_names_;
  std::int64_t name_counter_ = 0;
};

// Attribute access.
const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name);
std::optional<std::int64_t> int_attribute(const onnx::NodeProto& node, const std::string& name);
std::vector<std::int64_t> ints_attribute(const onnx::NodeProto& node, const std::string& name);
void set_int_attribute(onnx::NodeProto& node, const std::string& name, std::int64_t value);
void set_float_attribute(onnx::NodeProto& node, const std::string& name, float value);

// Reads a float/int tensor's elements (float, double, float16, int64, int32, int8, uint8;
// raw or typed data; not external data).
std::vector<float> tensor_floats(const onnx::TensorProto& t);
std::vector<double> tensor_values(const onnx::TensorProto& t);
std::int64_t tensor_elements(const onnx::TensorProto& t);
onnx::TensorProto make_float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                                    const std::vector<float>& values);

// Removes nodes whose outputs nobody reads (iteratively), then initializers nobody reads.
// Returns the number of nodes removed.
int remove_dead_nodes(onnx::GraphProto& graph);
// Reorders nodes so that every node follows the producers of its inputs (Kahn's order,
// stable). Fusion passes append new nodes at the end and rely on this.
void topological_sort(onnx::GraphProto& graph);
// Makes sure the model imports `domain` (e.g. "com.microsoft") at least at `version`.
void ensure_opset(onnx::ModelProto& model, const std::string& domain, std::int64_t version);
// The last step every fusion pass shares: appends its new nodes (and initializers), drops
// the nodes they made dead, restores topological order and imports com.microsoft.
void splice_fused_nodes(onnx::ModelProto& model, std::vector<onnx::NodeProto>& nodes,
                        std::vector<onnx::TensorProto> initializers = {});
// The node's op type qualified with its domain when not the default ("com.microsoft.Attention").
std::string qualified_op(const onnx::NodeProto& node);
bool is_op(const onnx::NodeProto* node, const char* op);

}  // namespace splade::graph
