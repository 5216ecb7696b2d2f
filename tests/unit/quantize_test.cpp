// Quantization passes on models built through the protobuf schema, run by ONNX Runtime:
// the int8 error is bounded by the analytic rounding bound of symmetric int8 weights and
// asymmetric uint8 activations; fp16 weights round as IEEE 754 binary16 does.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "onnx/model_io.h"
#include "optimize/half_float.h"
#include "ort/runner.h"
#include "quantize/passes.h"
#include "splade/error.h"
#include "splade/quantize.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::TempDir;

// x [2, 4] through the mlp model (y = relu(x W + b)); mask is a [2, 3] int64 passthrough.
std::vector<float> run_mlp(const std::filesystem::path& path, const std::vector<float>& x) {
  ort::Runner runner(path);
  ort::HostTensor tx{"x", ort::HostTensor::Type::kFloat, {2, 4}, x, {}, {}};
  ort::HostTensor tm{"mask", ort::HostTensor::Type::kInt64, {2, 3}, {}, {1, 1, 1, 1, 1, 0}, {}};
  auto out = runner.run({tx, tm});
  return out[0].f;
}

std::set<std::string> op_types(const onnx::ModelProto& m) {
  std::set<std::string> s;
  for (const auto& n : m.graph().node()) s.insert(n.op_type());
  return s;
}

const std::vector<float> kX = {0.3f, -1.2f, 2.5f, 0.7f, -0.4f, 1.9f, -2.2f, 0.05f};

// |relu(a) - relu(b)| <= |a - b|, and for y = sum_k x_k w_k with x rounded to step sx/2
// and w to step sw/2: |dy| <= sum_k (|x_k| sw/2 + |w_k| sx/2 + sx sw / 4).
double int8_bound(const std::vector<float>& x, int row, const std::vector<float>& w, int col, double sw) {
  double lo = 0, hi = 0;
  for (float v : std::vector<float>(x.begin(), x.end())) lo = std::min<double>(lo, v), hi = std::max<double>(hi, v);
  const double sx = (hi - lo) / 255.0;
  double b = 0;
  for (int k = 0; k < 4; ++k)
    b += std::abs(x[row * 4 + k]) * sw / 2 + std::abs(w[k * 3 + col]) * sx / 2 + sx * sw / 4;
  return b * 1.001 + 1e-6;
}

void check_int8(bool per_channel) {
  TempDir dir;
  auto model = testing::make_mlp_model();
  onnxio::save_model(model, dir / "fp32.onnx");
  auto stats = quantize::quantize_dynamic_int8(model, per_channel);
  EXPECT_EQ(stats.matmuls, 1);
  EXPECT_EQ(stats.weights_quantized, 12);
  const auto ops = op_types(model);
  for (const char* op : {"DynamicQuantizeLinear", "MatMulInteger", "Cast", "Mul"}) EXPECT_TRUE(ops.count(op)) << op;
  EXPECT_FALSE(ops.count("MatMul"));
  onnxio::save_model(model, dir / "int8.onnx");
  const auto ref = run_mlp(dir / "fp32.onnx", kX), got = run_mlp(dir / "int8.onnx", kX);
  // W = -1 + 0.25 i (model_builder): per-tensor max |w| = 1.75; per column c: max(|w_c|, |w_{9+c}|).
  std::vector<float> w(12);
  for (int i = 0; i < 12; ++i) w[i] = -1.0f + 0.25f * static_cast<float>(i);
  ASSERT_EQ(ref.size(), 6u);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) {
      double absmax = 0;
      for (int k = 0; k < 4; ++k)
        for (int cc = 0; cc < 3; ++cc)
          if (!per_channel || cc == c) absmax = std::max<double>(absmax, std::abs(w[k * 3 + cc]));
      EXPECT_LE(std::abs(ref[r * 3 + c] - got[r * 3 + c]), int8_bound(kX, r, w, c, absmax / 127.0)) << r << "," << c;
    }
}

TEST(QuantizeInt8, PerTensorWithinRoundingBound) { check_int8(false); }
TEST(QuantizeInt8, PerChannelWithinRoundingBound) { check_int8(true); }

TEST(QuantizeInt8, RejectsQuantizedModelAndDynamicWeights) {
  TempDir dir;
  auto model = testing::make_mlp_model();
  quantize::quantize_dynamic_int8(model, false);
  onnxio::save_model(model, dir / "q.onnx");
  try {
    quantize_model(dir / "q.onnx", dir / "qq.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("already quantized"), std::string::npos) << e.what();
  }
  // The weight as a graph input: nothing to quantize.
  auto dynamic = testing::make_mlp_model();
  auto* g = dynamic.mutable_graph();
  *g->add_input() = testing::make_value_info("W", onnx::TensorProto::FLOAT, {{4, ""}, {3, ""}});
  g->mutable_initializer()->erase(g->mutable_initializer()->begin());
  onnxio::save_model(dynamic, dir / "dyn.onnx");
  try {
    quantize_model(dir / "dyn.onnx", dir / "dyn-8bit.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("nothing to quantize"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "dyn-8bit.onnx"));
}

TEST(QuantizeFp16, WeightsRoundAsBinary16AndComputeStaysFp32) {
  TempDir dir;
  auto model = testing::make_mlp_model();
  onnxio::save_model(model, dir / "fp32.onnx");
  auto stats = quantize::convert_weights_fp16(model, 1);
  EXPECT_EQ(stats.initializers, 2);  // W and b
  for (const auto& t : model.graph().initializer()) EXPECT_EQ(t.data_type(), onnx::TensorProto::FLOAT16);
  for (const auto& v : model.graph().output()) EXPECT_EQ(v.type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);
  onnxio::save_model(model, dir / "fp16.onnx");
  // Every weight of the builder (k/4 - 1, k/4 + 0.5) is exact in binary16: same outputs.
  const auto ref = run_mlp(dir / "fp32.onnx", kX), got = run_mlp(dir / "fp16.onnx", kX);
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_FLOAT_EQ(ref[i], got[i]);
}

// IEEE 754 binary16: 1.0 = 0x3C00, largest finite 65504 = 0x7BFF, smallest subnormal
// 2^-24 = 0x0001, -2 = 0xC000; every non-NaN half survives half -> float -> half.
TEST(HalfFloat, MatchesIeeeBinary16) {
  using graph::float_to_half;
  using graph::half_to_float;
  EXPECT_EQ(float_to_half(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half(65504.0f), 0x7BFF);
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(float_to_half(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half(1e6f), 0x7C00);  // overflow -> +inf
  // Round to nearest even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 -> 1.
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const auto x = static_cast<std::uint16_t>(h);
    if ((x & 0x7C00) == 0x7C00 && (x & 0x3FF)) continue;  // NaN payloads
    ASSERT_EQ(float_to_half(half_to_float(x)), x) << std::hex << h;
  }
}

}  // namespace
}  // namespace splade
