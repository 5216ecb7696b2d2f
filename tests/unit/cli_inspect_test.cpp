// The `splade` binary itself: exit codes and one-line errors for bad input.
#include <gtest/gtest.h>

#include "support/cli_runner.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::run_cli;
using testing::TempDir;

TEST(CliInspect, BadInputsExitTwoWithOneLineNamingTheFile) {
  TempDir dir;
  testing::write_bytes(dir / "empty.onnx", "");
  testing::write_bytes(dir / "garbage.onnx", "\x08\x96\x01 garbage garbage");
  std::string good;
  testing::make_mlp_model().SerializeToString(&good);
  testing::write_bytes(dir / "truncated.onnx", good.substr(0, good.size() / 2));
  for (const std::string name : {"missing.onnx", "empty.onnx", "garbage.onnx", "truncated.onnx"}) {
    const auto path = (dir / name).string();
    const auto r = run_cli({"inspect", path});
    EXPECT_EQ(r.exit_code, 2) << name;
    EXPECT_TRUE(r.out.empty()) << name << ": " << r.out;
    ASSERT_FALSE(r.err.empty()) << name;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  }
}

TEST(CliInspect, ReportAndComparison) {
  TempDir dir;
  std::string a, b;
  testing::make_mlp_model().SerializeToString(&a);
  testing::make_contrib_model().SerializeToString(&b);
  testing::write_bytes(dir / "a.onnx", a);
  testing::write_bytes(dir / "b.onnx", b);

  auto r = run_cli({"inspect", (dir / "a.onnx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nodes: 4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("loads"), std::string::npos) << r.out;

  r = run_cli({"inspect", (dir / "a.onnx").string(), (dir / "b.onnx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("com.microsoft.FusedMatMul"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("before"), std::string::npos) << r.out;

  r = run_cli({"inspect", "--json", (dir / "a.onnx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.front(), '{');
}

TEST(CliInspect, UsageErrorsExitTwo) {
  EXPECT_EQ(run_cli({}).exit_code, 2);
  EXPECT_EQ(run_cli({"inspect"}).exit_code, 2);
  EXPECT_EQ(run_cli({"no-such-command"}).exit_code, 2);
}

TEST(Cli, VersionNamesOnnxRuntime) {
  const auto r = run_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("ONNX Runtime 1."), std::string::npos) << r.out;
}

}  // namespace
}  // namespace splade
