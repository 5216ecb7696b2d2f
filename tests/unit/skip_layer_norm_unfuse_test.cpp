// The body rewrite that puts SkipLayerNormalization back as Add + LayerNormalization: ONNX
// Runtime runs the graph before and after, and its own SkipLayerNormalization kernel is the
// oracle for what the rewritten nodes must compute.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <random>

#include "encode/body/skip_layer_norm_unfuse.h"
#include "optimize/graph_view.h"
#include "ort/inference_session.h"
#include "support/model_builder.h"

namespace splade {
namespace {

constexpr std::int64_t kBatch = 2, kSeq = 5, kHidden = 8;

struct Variant {
  bool beta, bias, sum_output;
};

// x, skip [2, 5, 8] -> SkipLayerNormalization -> y [2, 5, 8] (and its input + skip + bias sum,
// when read), opset 14 as torch.onnx.export writes BERT: LayerNormalization's ONNX schema is
// opset 17, and the body must still load.
onnx::ModelProto skip_layer_norm_model(const Variant& v) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto* opset = model.add_opset_import();
  opset->set_version(14);
  auto* ms = model.add_opset_import();
  ms->set_domain("com.microsoft");
  ms->set_version(1);
  auto& g = *model.mutable_graph();
  g.set_name("skip_layer_norm");
  const std::vector<testing::DimSpec> dims = {{kBatch, ""}, {kSeq, ""}, {kHidden, ""}};
  *g.add_input() = testing::make_value_info("x", onnx::TensorProto::FLOAT, dims);
  *g.add_input() = testing::make_value_info("skip", onnx::TensorProto::FLOAT, dims);
  *g.add_output() = testing::make_value_info("y", onnx::TensorProto::FLOAT, dims);
  if (v.sum_output) *g.add_output() = testing::make_value_info("sum", onnx::TensorProto::FLOAT, dims);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  auto vec = [&] {
    std::vector<float> x(kHidden);
    for (auto& e : x) e = u(rng);
    return x;
  };
  *g.add_initializer() = graph::make_float_tensor("gamma", {kHidden}, vec());
  if (v.beta) *g.add_initializer() = graph::make_float_tensor("beta", {kHidden}, vec());
  if (v.bias) *g.add_initializer() = graph::make_float_tensor("bias", {kHidden}, vec());
  auto* n = g.add_node();
  n->set_op_type("SkipLayerNormalization");
  n->set_domain("com.microsoft");
  for (const char* in : {"x", "skip", "gamma"}) n->add_input(in);
  if (v.beta || v.bias) n->add_input(v.beta ? "beta" : "");
  if (v.bias) n->add_input("bias");
  n->add_output("y");
  if (v.sum_output) {
    n->add_output("");
    n->add_output("");
    n->add_output("sum");
  }
  graph::set_float_attribute(*n, "epsilon", 1e-12f);
  return model;
}

std::vector<std::vector<float>> run(const onnx::ModelProto& model, const std::vector<float>& x, const std::vector<float>& skip,
                                    std::vector<std::pair<std::string, std::string>> entries) {
  ort::SessionOptions so;
  so.intra_op_threads = 1;
  so.config_entries = std::move(entries);
  ort::InferenceSession session(model.SerializeAsString(), "test model", so);
  const std::vector<std::int64_t> dims = {kBatch, kSeq, kHidden};
  std::vector<std::string> names;
  for (const auto& o : model.graph().output()) names.push_back(o.name());
  auto out = session.run({ort::TensorInput{"x", ort::ElementType::kFloat, x.data(), dims},
                          ort::TensorInput{"skip", ort::ElementType::kFloat, skip.data(), dims}},
                         names);
  std::vector<std::vector<float>> values;
  for (std::size_t i = 0; i < out.size(); ++i) values.push_back(out.float_values(i));
  return values;
}

class SkipLayerNormUnfuse : public ::testing::TestWithParam<Variant> {};

TEST_P(SkipLayerNormUnfuse, OrtGivesTheFusedKernelsOutputs) {
  const auto fused = skip_layer_norm_model(GetParam());
  auto unfused = fused;
  ASSERT_EQ(encode::unfuse_skip_layer_norm(unfused), 1);
  int layer_norms = 0;
  for (const auto& n : unfused.graph().node()) {
    EXPECT_NE(n.op_type(), "SkipLayerNormalization");
    layer_norms += n.op_type() == "LayerNormalization";
  }
  EXPECT_EQ(layer_norms, 1);
  EXPECT_EQ(encode::unfuse_skip_layer_norm(unfused), 0);  // nothing left to rewrite

  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> x(kBatch * kSeq * kHidden), skip(x.size());
  for (auto& e : x) e = normal(rng);
  for (auto& e : skip) e = normal(rng);
  const auto want = run(fused, x, skip, {});
  const auto got = run(unfused, x, skip, {encode::keep_skip_layer_norm_unfused()});
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t o = 0; o < want.size(); ++o) {
    ASSERT_EQ(got[o].size(), want[o].size());
    for (std::size_t i = 0; i < want[o].size(); ++i)
      EXPECT_NEAR(got[o][i], want[o][i], 1e-5f * (1.0f + std::fabs(want[o][i]))) << "output " << o << " element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, SkipLayerNormUnfuse,
                         ::testing::Values(Variant{true, true, false}, Variant{true, true, true}, Variant{false, false, false},
                                           Variant{true, false, true}, Variant{false, true, true}));

TEST(SkipLayerNormUnfuseGraph, OtherNodesAndSimplifiedNormsStay) {
  auto model = testing::make_mlp_model();
  auto* simplified = model.mutable_graph()->add_node();
  simplified->set_op_type("SkipSimplifiedLayerNormalization");
  simplified->set_domain("com.microsoft");
  simplified->add_input("y");
  simplified->add_input("y");
  simplified->add_input("b");
  simplified->add_output("z");
  const std::string before = model.SerializeAsString();
  EXPECT_EQ(encode::unfuse_skip_layer_norm(model), 0);
  EXPECT_EQ(model.SerializeAsString(), before);
}

}  // namespace
}  // namespace splade
