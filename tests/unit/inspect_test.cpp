// splade::inspect_model against models built here through the protobuf schema: every
// reported field is compared with what the test put into the model.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

#include "onnx/model_io.h"
#include "splade/error.h"
#include "splade/model_info.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::TempDir;

std::string save(const onnx::ModelProto& model, const std::filesystem::path& path) {
  std::string bytes;
  model.SerializeToString(&bytes);
  testing::write_bytes(path, bytes);
  return path.string();
}

// Expects inspect_model to throw splade::Error with `code` and a message naming the file.
void expect_error(const std::string& path, ErrorCode code, const std::string& fragment) {
  try {
    inspect_model(path);
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message must be one line: " << msg;
  }
}

TEST(Inspect, ReportsEveryFieldOfTheBuiltModel) {
  TempDir dir;
  const onnx::ModelProto model = testing::make_mlp_model();
  const std::string path = save(model, dir / "mlp.onnx");
  const ModelInfo info = inspect_model(path);

  EXPECT_EQ(info.ir_version, model.ir_version());
  EXPECT_EQ(info.producer_name, model.producer_name());
  EXPECT_EQ(info.producer_version, model.producer_version());
  EXPECT_EQ(info.graph_name, model.graph().name());
  EXPECT_EQ(info.file_bytes, static_cast<std::int64_t>(model.ByteSizeLong()));
  ASSERT_EQ(info.opsets.size(), 1u);
  EXPECT_EQ(info.opsets.at(""), 17);

  ASSERT_EQ(info.inputs.size(), static_cast<size_t>(model.graph().input_size()));
  for (int i = 0; i < model.graph().input_size(); ++i) {
    const auto& want = model.graph().input(i);
    const auto& got = info.inputs[static_cast<size_t>(i)];
    EXPECT_EQ(got.name, want.name());
    EXPECT_EQ(got.element_type, onnxio::element_type_name(want.type().tensor_type().elem_type()));
    ASSERT_EQ(got.dims.size(), static_cast<size_t>(want.type().tensor_type().shape().dim_size()));
    for (int d = 0; d < want.type().tensor_type().shape().dim_size(); ++d) {
      const auto& dim = want.type().tensor_type().shape().dim(d);
      EXPECT_EQ(got.dims[static_cast<size_t>(d)],
                dim.has_dim_value() ? std::to_string(dim.dim_value()) : dim.dim_param());
    }
  }
  EXPECT_EQ(info.inputs[0].element_type, "float");
  EXPECT_EQ(info.inputs[1].element_type, "int64");
  EXPECT_EQ(info.inputs[1].dims, (std::vector<std::string>{"batch", "sequence"}));
  ASSERT_EQ(info.outputs.size(), 2u);
  EXPECT_EQ(info.outputs[0].name, "y");
  EXPECT_EQ(info.outputs[0].dims, (std::vector<std::string>{"batch", "3"}));

  EXPECT_EQ(info.node_count, model.graph().node_size());
  std::map<std::string, std::int64_t> ops;
  for (const auto& n : model.graph().node()) ++ops[n.op_type()];
  EXPECT_EQ(info.op_counts, ops);

  std::int64_t bytes = 0;
  for (const auto& t : model.graph().initializer()) bytes += static_cast<std::int64_t>(t.raw_data().size());
  EXPECT_EQ(info.initializer_count, model.graph().initializer_size());
  EXPECT_EQ(info.initializer_bytes, bytes);
  EXPECT_EQ(info.initializer_bytes, (4 * 3 + 3) * 4);
  ASSERT_EQ(info.initializers_by_type.size(), 1u);
  EXPECT_EQ(info.initializers_by_type.at("float").count, 2);
  EXPECT_FALSE(info.uses_external_data);

  ASSERT_TRUE(info.ort_loadable.has_value());
  EXPECT_TRUE(*info.ort_loadable) << info.ort_error;
}

TEST(Inspect, InitializersListedAsInputsAreNotReportedAsInputs) {
  TempDir dir;
  onnx::ModelProto model = testing::make_mlp_model();
  *model.mutable_graph()->add_input() = testing::make_value_info("W", onnx::TensorProto::FLOAT, {{4, ""}, {3, ""}});
  const ModelInfo info = inspect_model(save(model, dir / "m.onnx"));
  ASSERT_EQ(info.inputs.size(), 2u);
  EXPECT_EQ(info.inputs[0].name, "x");
  EXPECT_EQ(info.inputs[1].name, "mask");
}

TEST(Inspect, MetadataPropsInFileOrder) {
  TempDir dir;
  onnx::ModelProto model = testing::make_mlp_model();
  const std::vector<std::pair<std::string, std::string>> props = {
      {"model_type", "bert"}, {"num_heads", "12"}, {"hidden_size", "768"}};
  for (const auto& [k, v] : props) {
    auto* p = model.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  const ModelInfo info = inspect_model(save(model, dir / "meta.onnx"));
  EXPECT_EQ(info.metadata, props);
}

TEST(Inspect, ContribOpsAreDomainQualified) {
  TempDir dir;
  const onnx::ModelProto model = testing::make_contrib_model();
  const ModelInfo info = inspect_model(save(model, dir / "contrib.onnx"));
  EXPECT_EQ(info.op_counts.at("com.microsoft.FusedMatMul"), 1);
  EXPECT_EQ(info.op_counts.count("MatMul"), 0u);
  EXPECT_EQ(info.opsets.at("com.microsoft"), 1);
  ASSERT_TRUE(info.ort_loadable.has_value());
  EXPECT_TRUE(*info.ort_loadable) << info.ort_error;  // FusedMatMul is a real ORT contrib op
}

TEST(Inspect, ModelOrtCannotLoadIsReportedNotThrown) {
  TempDir dir;
  onnx::ModelProto model = testing::make_mlp_model();
  auto* opset = model.add_opset_import();
  opset->set_domain("com.example");
  opset->set_version(1);
  auto* n = model.mutable_graph()->mutable_node(2);  // Relu -> an op no runtime has
  n->set_op_type("Frobnicate");
  n->set_domain("com.example");
  const ModelInfo info = inspect_model(save(model, dir / "unknown.onnx"));
  EXPECT_EQ(info.op_counts.at("com.example.Frobnicate"), 1);
  ASSERT_TRUE(info.ort_loadable.has_value());
  EXPECT_FALSE(*info.ort_loadable);
  EXPECT_NE(info.ort_error.find("Frobnicate"), std::string::npos) << info.ort_error;

  InspectOptions no_ort;
  no_ort.try_onnxruntime = false;
  EXPECT_FALSE(inspect_model((dir / "unknown.onnx").string(), no_ort).ort_loadable.has_value());
}

TEST(Inspect, MissingFile) {
  TempDir dir;
  expect_error((dir / "nope.onnx").string(), ErrorCode::kNotFound, "no such file");
}

TEST(Inspect, EmptyFile) {
  TempDir dir;
  testing::write_bytes(dir / "empty.onnx", "");
  expect_error((dir / "empty.onnx").string(), ErrorCode::kCorrupt, "empty");
}

TEST(Inspect, GarbageIsNotAModel) {
  TempDir dir;
  testing::write_bytes(dir / "text.onnx", "this is a text file, not a protobuf\n");
  expect_error((dir / "text.onnx").string(), ErrorCode::kCorrupt, "not an ONNX model");
  std::mt19937 rng(42);
  for (int trial = 0; trial < 50; ++trial) {
    std::string bytes(1 + rng() % 4096, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    testing::write_bytes(dir / "random.onnx", bytes);
    EXPECT_THROW(inspect_model((dir / "random.onnx").string()), Error) << "trial " << trial;
  }
}

TEST(Inspect, EveryTruncationIsDetected) {
  // Without metadata_props (whose entries can end on a field boundary), every proper
  // prefix of a model must be refused: either protobuf fails or the structure check does.
  TempDir dir;
  for (const auto& model : {testing::make_mlp_model(), testing::make_contrib_model()}) {
    std::string bytes;
    model.SerializeToString(&bytes);
    const auto path = dir / "cut.onnx";
    for (size_t cut = 1; cut < bytes.size(); ++cut) {
      testing::write_bytes(path, bytes.substr(0, cut));
      EXPECT_THROW(inspect_model(path.string()), Error) << "prefix of " << cut << " of " << bytes.size() << " bytes";
    }
  }
}

TEST(Inspect, TruncatedRawDataNamesTheInitializer) {
  TempDir dir;
  onnx::ModelProto model = testing::make_mlp_model();
  auto* w = model.mutable_graph()->mutable_initializer(0);
  w->set_raw_data(w->raw_data().substr(0, 20));
  expect_error(save(model, dir / "short.onnx"), ErrorCode::kCorrupt, "initializer 'W'");
}

TEST(Inspect, ExternalData) {
  TempDir dir;
  onnx::ModelProto model = testing::make_mlp_model();
  auto* w = model.mutable_graph()->mutable_initializer(0);
  const std::string data = w->raw_data();
  w->clear_raw_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* loc = w->add_external_data();
  loc->set_key("location");
  loc->set_value("weights.bin");
  auto* len = w->add_external_data();
  len->set_key("length");
  len->set_value(std::to_string(data.size()));
  const std::string path = save(model, dir / "ext.onnx");

  expect_error(path, ErrorCode::kNotFound, "weights.bin");
  testing::write_bytes(dir / "weights.bin", data.substr(0, 8));
  expect_error(path, ErrorCode::kCorrupt, "weights.bin");
  testing::write_bytes(dir / "weights.bin", data);
  const ModelInfo info = inspect_model(path);
  EXPECT_TRUE(info.uses_external_data);
  EXPECT_EQ(info.initializer_bytes, static_cast<std::int64_t>(data.size()) + 3 * 4);
  ASSERT_TRUE(info.ort_loadable.has_value());
  EXPECT_TRUE(*info.ort_loadable) << info.ort_error;
}

TEST(Inspect, OverTwoGibIsRefusedBeforeReading) {
  TempDir dir;
  const auto path = dir / "huge.onnx";
  testing::write_bytes(path, "x");
  std::filesystem::resize_file(path, (std::uintmax_t{5} << 29));  // 2.5 GiB, sparse
  expect_error(path.string(), ErrorCode::kUnsupported, "2 GiB");
}

TEST(Inspect, DirectoryIsRefused) {
  TempDir dir;
  expect_error(dir.path().string(), ErrorCode::kInvalidArgument, "directory");
}

TEST(Inspect, JsonCarriesTheSameReport) {
  TempDir dir;
  onnx::ModelProto model = testing::make_contrib_model();
  auto* p = model.add_metadata_props();
  p->set_key("model_type");
  p->set_value("bert");
  const ModelInfo info = inspect_model(save(model, dir / "j.onnx"));
  const auto j = nlohmann::json::parse(model_info_to_json(info));
  EXPECT_EQ(j["ir_version"], info.ir_version);
  EXPECT_EQ(j["node_count"], info.node_count);
  EXPECT_EQ(j["opsets"]["ai.onnx"], 17);
  EXPECT_EQ(j["opsets"]["com.microsoft"], 1);
  EXPECT_EQ(j["metadata"]["model_type"], "bert");
  EXPECT_EQ(j["op_counts"]["com.microsoft.FusedMatMul"], 1);
  EXPECT_EQ(j["inputs"][1]["shape"], nlohmann::json({"batch", "sequence"}));
  EXPECT_EQ(j["initializers_by_type"]["float"]["bytes"], info.initializer_bytes);
  EXPECT_EQ(j["onnxruntime"]["loadable"], true);
}

}  // namespace
}  // namespace splade
