#include "encode/body/skip_layer_norm_unfuse.h"

#include <onnx/onnx_pb.h>

#include "optimize/graph_view.h"

namespace splade::encode {
namespace {

bool read(const onnx::NodeProto& n, int output) { return n.output_size() > output && !n.output(output).empty(); }

}  // namespace

int unfuse_skip_layer_norm(onnx::ModelProto& model) {
  auto& graph = *model.mutable_graph();
  graph::GraphView g(graph);
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  int rewritten = 0;
  for (auto& n : *graph.mutable_node()) {
    const bool skip_ln = n.op_type() == "SkipLayerNormalization" && n.domain() == "com.microsoft" &&
                         n.input_size() >= 3 && read(n, 0);
    if (!skip_ln) {
      *nodes.Add() = std::move(n);
      continue;
    }
    const std::string stem = n.name().empty() ? "SkipLayerNorm" : n.name();
    const bool has_beta = n.input_size() > 3 && !n.input(3).empty();
    const bool has_bias = n.input_size() > 4 && !n.input(4).empty();
    // The sum LayerNormalization reads: output 3's name when that output is read.
    const std::string sum = read(n, 3) ? n.output(3) : g.unique_name(stem + "_sum");
    const std::string skipped = has_bias ? g.unique_name(stem + "_input_skip") : sum;
    auto* add = nodes.Add();
    add->set_op_type("Add");
    add->set_name(g.unique_name(stem + "_add_skip"));
    add->add_input(n.input(0));
    add->add_input(n.input(1));
    add->add_output(skipped);
    if (has_bias) {
      auto* add_bias = nodes.Add();
      add_bias->set_op_type("Add");
      add_bias->set_name(g.unique_name(stem + "_add_bias"));
      add_bias->add_input(skipped);
      add_bias->add_input(n.input(4));
      add_bias->add_output(sum);
    }
    auto* ln = nodes.Add();
    ln->set_op_type("LayerNormalization");
    ln->set_name(g.unique_name(stem + "_layer_norm"));
    ln->add_input(sum);
    ln->add_input(n.input(2));
    if (has_beta) ln->add_input(n.input(3));
    ln->add_output(n.output(0));
    // Mean and inverse standard deviation are LayerNormalization's outputs 1 and 2 as well.
    const int stats = read(n, 2) ? 2 : read(n, 1) ? 1 : 0;
    for (int i = 1; i <= stats; ++i) ln->add_output(n.output(i));
    graph::set_int_attribute(*ln, "axis", -1);
    const auto* eps = graph::find_attribute(n, "epsilon");
    graph::set_float_attribute(*ln, "epsilon", eps ? eps->f() : 1e-12f);  // SkipLayerNormalization's default
    ++rewritten;
  }
  graph.mutable_node()->Swap(&nodes);  // every node was moved into `nodes`
  return rewritten;
}

std::pair<std::string, std::string> keep_skip_layer_norm_unfused() {
  return {"optimization.disable_specified_optimizers", "SkipLayerNormFusion"};
}

}  // namespace splade::encode
