// Graph-pass properties on small graphs built through the protobuf schema.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "onnx/model_io.h"
#include "optimize/graph_view.h"
#include "optimize/passes.h"
#include "support/model_builder.h"

namespace splade {
namespace {

TEST(OptimizePasses, BiasAddPutsTheMatMulFirst) {
  auto model = testing::make_mlp_model();
  auto* add = model.mutable_graph()->mutable_node(1);
  ASSERT_EQ(add->op_type(), "Add");
  add->set_input(0, "b");
  add->set_input(1, "xw");  // torch's order
  EXPECT_EQ(optimize::canonicalize_bias_add(model), 1);
  EXPECT_EQ(add->input(0), "xw");
  EXPECT_EQ(add->input(1), "b");
  EXPECT_EQ(optimize::canonicalize_bias_add(model), 0);  // idempotent
}

TEST(OptimizePasses, DeadNodesAndUnusedInitializersGo) {
  auto model = testing::make_mlp_model();
  auto* g = model.mutable_graph();
  auto* dead = g->add_node();
  dead->set_op_type("Relu");
  dead->add_input("xw");
  dead->add_output("unused");
  *g->add_initializer() = graph::make_float_tensor("orphan", {2}, {1.0f, 2.0f});
  const int before = g->node_size();
  EXPECT_EQ(graph::remove_dead_nodes(*g), 1);
  EXPECT_EQ(g->node_size(), before - 1);
  for (const auto& t : g->initializer()) EXPECT_NE(t.name(), "orphan");
}

TEST(OptimizePasses, TopologicalSortOrdersProducersFirst) {
  auto model = testing::make_mlp_model();
  auto* nodes = model.mutable_graph()->mutable_node();
  nodes->SwapElements(0, 2);  // Relu before MatMul
  graph::topological_sort(*model.mutable_graph());
  std::set<std::string> defined{"x", "mask", "W", "b"};
  for (const auto& n : model.graph().node()) {
    for (const auto& in : n.input()) EXPECT_TRUE(defined.count(in)) << n.op_type() << " reads " << in << " too early";
    for (const auto& out : n.output()) defined.insert(out);
  }
}

TEST(OptimizePasses, NoAttentionInAnMlpIsANoOp) {
  auto model = testing::make_mlp_model();
  const std::string before = model.SerializeAsString();
  EXPECT_EQ(optimize::fuse_attention(model), 0);
  EXPECT_EQ(optimize::fuse_embed_layer_norm(model), 0);
  EXPECT_EQ(optimize::fuse_skip_layer_norm(model), 0);
  EXPECT_EQ(model.SerializeAsString(), before);
}

}  // namespace
}  // namespace splade
