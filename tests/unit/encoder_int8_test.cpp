// splade::Encoder on int8 models: it runs a model the way int8_runtime says is exact on this
// CPU (ORT's U8U8 kernels for u8s8 weights where vpmaddubsw would saturate), and warns
// exactly then. Checked on whatever CPU runs the suite: the vectors equal those of the same
// model run with int8_runtime's session entries, and warnings() agrees with exact_on().
#include <gtest/gtest.h>

#include <fstream>

#include "cpu/cpu_features.h"
#include "onnx/model_io.h"
#include "ort/runner.h"
#include "quantize/int8_runtime.h"
#include "quantize/passes.h"
#include "splade/encoder.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

const std::vector<std::string> kVocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "sparse", "lexical",
                                         "retrieval", "with", "bert", "##s", "model", "int8", "kernels"};

// make_pooled_lookup_model with a constant projection between lookup and pooling:
// Gather(E) [batch, seq, V] -> MatMul(W [V, V]) -> ReduceMax over seq -> Relu.
onnx::ModelProto projected_model() {
  const auto v = static_cast<std::int64_t>(kVocab.size());
  auto m = testing::make_pooled_lookup_model(v, -3.0f);
  auto* g = m.mutable_graph();
  *g->add_initializer() = testing::make_float_tensor("W", {v, v}, -12.0f);
  for (auto& n : *g->mutable_node())
    if (n.op_type() == "ReduceMax") n.set_input(0, "projected");
  onnx::NodeProto mm;
  mm.set_op_type("MatMul");
  mm.set_name("project");
  mm.add_input("rows");
  mm.add_input("W");
  mm.add_output("projected");
  // After the Gather (node 0), before the ReduceMax.
  g->mutable_node()->Add(std::move(mm));
  g->mutable_node()->SwapElements(1, g->node_size() - 1);
  g->mutable_node()->SwapElements(2, g->node_size() - 1);
  return m;
}

class EncoderInt8Test : public ::testing::TestWithParam<quantize::Int8Format> {
 protected:
  void SetUp() override {
    std::ofstream vocab(dir / "vocab.txt");
    for (const auto& t : kVocab) vocab << t << "\n";
  }
  testing::TempDir dir;
};

TEST_P(EncoderInt8Test, RunsExactlyAndWarnsWhereTheFormatSaturates) {
  const auto format = GetParam();
  auto model = projected_model();
  EncoderOptions eo;
  eo.print_warnings = false;
  eo.threads = 1;
  onnxio::save_model(model, dir / "fp32.onnx");
  EXPECT_FALSE(Encoder::open((dir / "fp32.onnx").string(), (dir / "vocab.txt").string(), eo).int8());
  ASSERT_EQ(quantize::quantize_dynamic_int8(model, format, true).matmuls, 1);
  onnxio::save_model(model, dir / "model.onnx");
  const auto encoder = Encoder::open((dir / "model.onnx").string(), (dir / "vocab.txt").string(), eo);
  EXPECT_TRUE(encoder.int8());
  const auto runtime = quantize::int8_runtime(dir / "model.onnx");
  const bool exact = quantize::exact_on(format, cpu::cpu_features());
  EXPECT_EQ(runtime.exact_natively, exact);
  ASSERT_EQ(encoder.warnings().size(), exact ? 0u : 1u);
  if (!exact) {
    EXPECT_NE(encoder.warnings()[0].find("u8s8"), std::string::npos) << encoder.warnings()[0];
  }

  ort::RunnerOptions ro;
  ro.config_entries = runtime.session_entries;
  ort::Runner runner(dir / "model.onnx", ro);
  for (const char* text : {"sparse lexical retrieval", "bert models with int8 kernels", "model"}) {
    const auto got = encoder.encode(text);
    const auto ids = encoder.tokenizer().encode(text, EncodeOptions{}).ids;
    const std::int64_t n = static_cast<std::int64_t>(ids.size());
    ort::HostTensor tid{"input_ids", ort::HostTensor::Type::kInt64, {1, n}, {}, ids, {}};
    ort::HostTensor tmask{"attention_mask", ort::HostTensor::Type::kInt64, {1, n}, {}, std::vector<std::int64_t>(ids.size(), 1), {}};
    const auto want = runner.run({tid, tmask})[0].f;
    std::vector<std::pair<std::int64_t, float>> expected;
    for (std::size_t j = 0; j < want.size(); ++j)
      if (want[j] > 0 && j != 0 && j != 2 && j != 3) expected.emplace_back(static_cast<std::int64_t>(j), want[j]);
    ASSERT_EQ(got.ids.size(), expected.size()) << text;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(got.ids[i], expected[i].first) << text;
      EXPECT_EQ(got.weights[i], expected[i].second) << text;  // the same session config: bit for bit
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, EncoderInt8Test,
                         ::testing::Values(quantize::Int8Format::kU8U8, quantize::Int8Format::kU8S8));

}  // namespace
}  // namespace splade
