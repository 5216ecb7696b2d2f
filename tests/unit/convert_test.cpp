// splade convert on crafted tiny BERT checkpoints: bad checkpoints are refused before
// anything is written; good ones convert and pass the built-in validation (ONNX Runtime
// against the independent reference forward pass), which the tests re-check here.
#include <gtest/gtest.h>

#include "convert/model_spec.h"
#include "convert/validate.h"
#include "hf/config.h"
#include "hf/weights.h"
#include "onnx/model_io.h"
#include "splade/converter.h"
#include "splade/error.h"
#include "support/cli_runner.h"
#include "support/hf_files.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::TempDir;

std::string convert_error(const std::filesystem::path& model_dir, const std::filesystem::path& out,
                          ErrorCode expected_code) {
  try {
    convert_model(model_dir, out);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), expected_code) << e.what();
    EXPECT_FALSE(std::filesystem::exists(out)) << "nothing is written on failure";
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(ConvertModel, ShapeThatDisagreesWithConfigIsRefused) {
  TempDir dir;
  testing::TinyBertOptions options;
  options.reshape = "bert.encoder.layer.0.intermediate.dense.weight";
  testing::write_tiny_bert(dir / "m", options);
  const auto msg = convert_error(dir / "m", dir / "out", ErrorCode::kCorrupt);
  EXPECT_NE(msg.find("'bert.encoder.layer.0.intermediate.dense.weight' has shape [16, 9]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("implies [16, 8]"), std::string::npos) << msg;
}

TEST(ConvertModel, MissingTensorIsRefused) {
  TempDir dir;
  testing::TinyBertOptions options;
  options.omit = "bert.encoder.layer.0.attention.self.key.bias";
  testing::write_tiny_bert(dir / "m", options);
  const auto msg = convert_error(dir / "m", dir / "out", ErrorCode::kNotFound);
  EXPECT_NE(msg.find("'bert.encoder.layer.0.attention.self.key.bias' is missing"), std::string::npos) << msg;
}

TEST(ConvertModel, ConfigThatIsNotJsonIsRefused) {
  TempDir dir;
  testing::write_tiny_bert(dir / "m");
  testing::write_bytes(dir / "m" / "config.json", "model_type: bert\n");
  const auto msg = convert_error(dir / "m", dir / "out", ErrorCode::kCorrupt);
  EXPECT_NE(msg.find("config.json: not valid JSON"), std::string::npos) << msg;
}

TEST(ConvertModel, EveryHeadAndOpsetValidatesAgainstTheReference) {
  TempDir dir;
  for (const char* dtype : {"F32", "F16", "BF16"}) {
    testing::TinyBertOptions options;
    options.dtype = dtype;
    testing::write_tiny_bert(dir / dtype, options);
    for (auto head : {ConvertHead::kHidden, ConvertHead::kLogits, ConvertHead::kSplade, ConvertHead::kSpladePooled})
      for (int opset : {14, 17}) {
        ConvertOptions o;
        o.head = head;
        o.opset = opset;
        const auto out = dir / (std::string(dtype) + head_name(head) + std::to_string(opset));
        const auto r = convert_model(dir / dtype, out, o);
        ASSERT_TRUE(r.validated);
        EXPECT_TRUE(r.passed) << head_name(head) << " opset " << opset << " max abs " << r.max_abs_diff;
        EXPECT_EQ(r.validation.size(), 3u);
        EXPECT_LE(r.max_abs_diff, 1e-4);
        EXPECT_TRUE(r.tied_decoder);
        // The file is a complete, loadable model (the integrity checks of onnxio).
        const auto m = onnxio::load_model(out / "model.onnx");
        EXPECT_EQ(m.opset_import(0).version(), opset);
        EXPECT_TRUE(std::filesystem::exists(out / "vocab.txt"));
      }
  }
}

TEST(ConvertModel, ReportedDifferencesAreTheComparedOnes) {
  // Property of compare(): identical vectors give 0; a known offset gives it back.
  EXPECT_EQ(convert::compare({1, 2, 3}, {1, 2, 3}).max_abs_diff, 0);
  const auto r = convert::compare({1, 2, 3.5f}, {1, 2, 3});
  EXPECT_DOUBLE_EQ(r.max_abs_diff, 0.5);
  EXPECT_DOUBLE_EQ(r.mean_abs_diff, 0.5 / 3);
}

TEST(ConvertCli, ExitCodesAndMessages) {
  TempDir dir;
  testing::write_tiny_bert(dir / "m");
  auto ok = testing::run_cli({"convert", (dir / "m").string(), "-o", (dir / "out").string(), "--head", "logits"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("max abs"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("(validated)"), std::string::npos) << ok.out;
  // Converting again replaces the directory.
  ok = testing::run_cli({"convert", (dir / "m").string(), "-o", (dir / "out").string(), "--no-validate"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("(not validated)"), std::string::npos);

  auto missing = testing::run_cli({"convert", (dir / "nope").string(), "-o", (dir / "o2").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("splade: error:"), std::string::npos);
  auto bad_head = testing::run_cli({"convert", (dir / "m").string(), "-o", (dir / "o3").string(), "--head", "pooler"});
  EXPECT_EQ(bad_head.exit_code, 2);
  auto bad_opset = testing::run_cli({"convert", (dir / "m").string(), "-o", (dir / "o4").string(), "--opset", "9"});
  EXPECT_EQ(bad_opset.exit_code, 2);
  auto onto_input = testing::run_cli({"convert", (dir / "m").string(), "-o", dir.path().string()});
  EXPECT_EQ(onto_input.exit_code, 2);
  EXPECT_NE(onto_input.err.find("would replace the model directory"), std::string::npos) << onto_input.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "m" / "model.safetensors"));
  auto strict = testing::run_cli({"convert", (dir / "m").string(), "-o", (dir / "o5").string(), "--atol", "0"});
  EXPECT_EQ(strict.exit_code, 1) << strict.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "o5"));
}

}  // namespace
}  // namespace splade
