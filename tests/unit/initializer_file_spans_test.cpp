// Initializer spans read from protobuf's wire format, and graphs that refer ONNX Runtime to
// the model file for their weights. Oracles: protobuf's own parse of the same file (the bytes
// at each span are the parsed raw_data) and ONNX Runtime running the file as written.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <random>

#include "onnx/initializer_file_spans.h"
#include "onnx/model_io.h"
#include "optimize/graph_view.h"
#include "ort/inference_session.h"
#include "splade/error.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

constexpr std::int64_t kBatch = 2, kIn = 64, kOut = 300;  // W [64, 300] float: 76,800 bytes

std::vector<float> random_floats(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& e : v) e = u(rng);
  return v;
}

// y [2, 300] = x [2, 64] * W + b; W in raw_data (large), b [300] in raw_data (small),
// s [300] in float_data (typed, no raw_data).
onnx::ModelProto linear_model() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(14);
  auto& g = *model.mutable_graph();
  g.set_name("linear");
  *g.add_input() = testing::make_value_info("x", onnx::TensorProto::FLOAT, {{kBatch, ""}, {kIn, ""}});
  *g.add_output() = testing::make_value_info("y", onnx::TensorProto::FLOAT, {{kBatch, ""}, {kOut, ""}});
  *g.add_initializer() = graph::make_float_tensor("W", {kIn, kOut}, random_floats(kIn * kOut, 1));
  *g.add_initializer() = graph::make_float_tensor("b", {kOut}, random_floats(kOut, 2));
  auto* s = g.add_initializer();
  s->set_name("s");
  s->set_data_type(onnx::TensorProto::FLOAT);
  s->add_dims(kOut);
  for (float f : random_floats(kOut, 3)) s->add_float_data(f);
  auto node = [&](const char* op, std::vector<std::string> in, const char* out) {
    auto* n = g.add_node();
    n->set_op_type(op);
    for (auto& i : in) n->add_input(i);
    n->add_output(out);
  };
  node("MatMul", {"x", "W"}, "xw");
  node("Add", {"xw", "b"}, "xwb");
  node("Mul", {"xwb", "s"}, "y");
  return model;
}

std::vector<float> run(const ort::InferenceSession& session) {
  const auto x = random_floats(kBatch * kIn, 4);
  auto out = session.run({ort::TensorInput{"x", ort::ElementType::kFloat, x.data(), {kBatch, kIn}}}, {"y"});
  return {out.floats(0), out.floats(0) + out.element_count(0)};
}

std::string file_bytes(const std::filesystem::path& path, const onnxio::FileSpan& span) {
  std::ifstream in(path, std::ios::binary);
  std::string s(static_cast<std::size_t>(span.length), '\0');
  in.seekg(span.offset);
  in.read(s.data(), span.length);
  return s;
}

TEST(InitializerFileSpans, EverySpanHoldsTheRawDataProtobufParses) {
  testing::TempDir dir;
  const auto path = dir / "model.onnx";
  onnxio::save_model(linear_model(), path);
  const auto spans = onnxio::initializer_file_spans(path);
  const auto parsed = onnxio::load_model(path);
  int with_raw = 0;
  for (const auto& t : parsed.graph().initializer()) {
    if (!t.has_raw_data()) {
      EXPECT_EQ(spans.count(t.name()), 0u) << t.name() << " has no raw_data";
      continue;
    }
    ++with_raw;
    ASSERT_EQ(spans.count(t.name()), 1u) << t.name();
    EXPECT_EQ(file_bytes(path, spans.at(t.name())), t.raw_data()) << t.name();
  }
  EXPECT_EQ(with_raw, 2);
  EXPECT_EQ(spans.size(), 2u);
}

TEST(InitializerFileSpans, ANameGivenTwiceIsLeftOut) {
  testing::TempDir dir;
  auto model = linear_model();
  *model.mutable_graph()->add_initializer() = graph::make_float_tensor("b", {2}, {1.0f, 2.0f});
  testing::write_bytes(dir / "model.onnx", model.SerializeAsString());
  const auto spans = onnxio::initializer_file_spans(dir / "model.onnx");
  EXPECT_EQ(spans.count("b"), 0u);
  EXPECT_EQ(spans.count("W"), 1u);
}

TEST(InitializerFileSpans, ATruncatedFileIsCorrupt) {
  testing::TempDir dir;
  const std::string bytes = linear_model().SerializeAsString();
  testing::write_bytes(dir / "model.onnx", bytes.substr(0, bytes.size() / 2));
  try {
    onnxio::initializer_file_spans(dir / "model.onnx");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("model.onnx"), std::string::npos) << e.what();
  }
}

TEST(InitializerFileSpans, OnnxRuntimeReadsTheReferredWeightsAndComputesTheSame) {
  testing::TempDir dir;
  const auto path = dir / "model.onnx";
  onnxio::save_model(linear_model(), path);
  ort::SessionOptions so;
  so.intra_op_threads = 1;
  const auto expected = run(ort::InferenceSession(path, so));

  auto model = onnxio::load_model(path);
  const std::size_t inline_size = model.ByteSizeLong();
  EXPECT_EQ(onnxio::refer_initializers_to_file(model, path, 64 << 10), kIn * kOut * 4);
  EXPECT_LT(model.ByteSizeLong() + kIn * kOut * 4, inline_size + 200);  // W left the graph
  for (const auto& t : model.graph().initializer())
    EXPECT_EQ(t.data_location() == onnx::TensorProto::EXTERNAL, t.name() == "W") << t.name();
  so.config_entries = {{"session.model_external_initializers_file_folder_path", dir.path().string()}};
  EXPECT_EQ(run(ort::InferenceSession(model.SerializeAsString(), "referred", so)), expected);
}

TEST(InitializerFileSpans, ATensorChangedAfterTheParseStaysInline) {
  testing::TempDir dir;
  const auto path = dir / "model.onnx";
  onnxio::save_model(linear_model(), path);
  auto model = onnxio::load_model(path);
  auto& w = *model.mutable_graph()->mutable_initializer(0);
  ASSERT_EQ(w.name(), "W");
  (*w.mutable_raw_data())[w.raw_data().size() / 2] ^= 1;  // same name, same length
  EXPECT_EQ(onnxio::refer_initializers_to_file(model, path, 1), kOut * 4);  // b only
  EXPECT_NE(w.data_location(), onnx::TensorProto::EXTERNAL);
  EXPECT_EQ(w.raw_data().size(), static_cast<std::size_t>(kIn * kOut * 4));
}

TEST(LoadExternalData, ATensorIsReadBackFromItsDataFile) {
  testing::TempDir dir;
  auto model = linear_model();
  auto& w = *model.mutable_graph()->mutable_initializer(0);
  const std::string bytes = w.raw_data();
  testing::write_bytes(dir / "weights.bin", "1234567" + bytes);  // at offset 7
  w.clear_raw_data();
  w.set_data_location(onnx::TensorProto::EXTERNAL);
  for (auto [key, value] : {std::pair<const char*, std::string>{"location", "weights.bin"}, {"offset", "7"},
                            {"length", std::to_string(bytes.size())}}) {
    auto* e = w.add_external_data();
    e->set_key(key);
    e->set_value(value);
  }
  onnxio::save_model(model, dir / "model.onnx");
  auto loaded = onnxio::load_model(dir / "model.onnx");
  auto& t = *loaded.mutable_graph()->mutable_initializer(0);
  onnxio::load_external_data(t, dir / "model.onnx");
  EXPECT_EQ(t.raw_data(), bytes);
  EXPECT_NE(t.data_location(), onnx::TensorProto::EXTERNAL);
  EXPECT_EQ(t.external_data_size(), 0);

  auto again = onnxio::load_model(dir / "model.onnx");
  std::filesystem::remove(dir / "weights.bin");
  try {
    onnxio::load_external_data(*again.mutable_graph()->mutable_initializer(0), dir / "model.onnx");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("weights.bin"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace splade
