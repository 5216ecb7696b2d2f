// Quantization passes on models built through the protobuf schema, run by ONNX Runtime:
// the int8 error is bounded by the analytic rounding bound of symmetric int8 weights and
// asymmetric uint8 activations; fp16 weights round as IEEE 754 binary16 does.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <tuple>

#include "onnx/model_io.h"
#include "optimize/half_float.h"
#include "ort/runner.h"
#include "cpu/cpu_features.h"
#include "quantize/int8_runtime.h"
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

// The weight step of each format: u8s8 max|w| / 127 (symmetric int8), u8u8 (max(0, max w) -
// min(0, min w)) / 255 (asymmetric uint8), over the tensor or output column `col`.
double weight_step(const std::vector<float>& w, int col, bool per_channel, quantize::Int8Format format) {
  double lo = 0, hi = 0;
  for (int k = 0; k < 4; ++k)
    for (int cc = 0; cc < 3; ++cc)
      if (!per_channel || cc == col) lo = std::min<double>(lo, w[k * 3 + cc]), hi = std::max<double>(hi, w[k * 3 + cc]);
  return format == quantize::Int8Format::kU8U8 ? (hi - lo) / 255.0 : std::max(-lo, hi) / 127.0;
}

struct Int8Run {
  std::vector<float> ref, got, w;
  quantize::Int8Runtime runtime;
};

// Quantizes the mlp model (W = -1 + 0.25 i, model_builder) and runs it: as splade runs it on
// this CPU (`as_splade`: the session entries of int8_runtime), or with ORT's default kernels.
Int8Run run_int8(quantize::Int8Format format, bool per_channel, bool as_splade) {
  TempDir dir;
  auto model = testing::make_mlp_model();
  onnxio::save_model(model, dir / "fp32.onnx");
  auto stats = quantize::quantize_dynamic_int8(model, format, per_channel);
  EXPECT_EQ(stats.matmuls, 1);
  EXPECT_EQ(stats.weights_quantized, 12);
  const auto ops = op_types(model);
  for (const char* op : {"DynamicQuantizeLinear", "MatMulInteger", "Cast", "Mul"}) EXPECT_TRUE(ops.count(op)) << op;
  EXPECT_FALSE(ops.count("MatMul"));
  onnxio::save_model(model, dir / "int8.onnx");
  Int8Run r;
  r.runtime = quantize::int8_runtime(dir / "int8.onnx");
  ort::RunnerOptions fp32_options, int8_options;
  if (as_splade) int8_options.config_entries = r.runtime.session_entries;
  ort::Runner fp32(dir / "fp32.onnx", fp32_options), int8(dir / "int8.onnx", int8_options);
  ort::HostTensor tx{"x", ort::HostTensor::Type::kFloat, {2, 4}, kX, {}, {}};
  ort::HostTensor tm{"mask", ort::HostTensor::Type::kInt64, {2, 3}, {}, {1, 1, 1, 1, 1, 0}, {}};
  r.ref = fp32.run({tx, tm})[0].f;
  r.got = int8.run({tx, tm})[0].f;
  r.w.resize(12);
  for (int i = 0; i < 12; ++i) r.w[i] = -1.0f + 0.25f * static_cast<float>(i);
  return r;
}

// The largest |int8 - fp32| over the bound of its element (<= 1: within the rounding bound).
double worst_over_bound(const Int8Run& r, quantize::Int8Format format, bool per_channel) {
  EXPECT_EQ(r.ref.size(), 6u);
  double worst = 0;
  for (int row = 0; row < 2; ++row)
    for (int c = 0; c < 3; ++c)
      worst = std::max(worst, std::abs(r.ref[row * 3 + c] - r.got[row * 3 + c]) /
                                  int8_bound(kX, row, r.w, c, weight_step(r.w, c, per_channel, format)));
  return worst;
}

// Every format splade writes, run as splade runs it, is within the rounding bound of its
// format on whatever CPU runs the test: u8u8 because its kernels are exact everywhere, u8s8
// because splade runs it with ORT's exact U8U8 kernels where its own would saturate.
class Int8FormatBound : public ::testing::TestWithParam<std::tuple<quantize::Int8Format, bool>> {};

TEST_P(Int8FormatBound, WithinRoundingBoundOnThisCpu) {
  const auto [format, per_channel] = GetParam();
  const auto r = run_int8(format, per_channel, true);
  EXPECT_EQ(r.runtime.format.integer_gemms, 1);
  EXPECT_EQ(r.runtime.format.worst(), format);
  EXPECT_LE(worst_over_bound(r, format, per_channel), 1.0)
      << quantize::to_string(format) << (per_channel ? " per channel" : " per tensor") << " on "
      << cpu::feature_list(cpu::cpu_features()) << ", kernel " << r.runtime.kernel;
}

INSTANTIATE_TEST_SUITE_P(Formats, Int8FormatBound,
                         ::testing::Combine(::testing::Values(quantize::Int8Format::kU8U8, quantize::Int8Format::kU8S8),
                                            ::testing::Bool()));

// The CPU table (int8_format.cpp) against ONNX Runtime itself: with ORT's default kernels,
// u8s8 stays within its bound exactly where exact_on() says so (VNNI, AMX, ARM64), and
// exceeds it where it says the int16 pair sums saturate (x86-64 without VNNI): these inputs
// make pairs of 255 * 127-sized products. u8u8 is within its bound everywhere.
TEST(QuantizeInt8, DefaultKernelsSaturateExactlyWhereTheCpuTableSays) {
  const auto& cpu = cpu::cpu_features();
  for (bool per_channel : {false, true}) {
    const auto u8s8 = run_int8(quantize::Int8Format::kU8S8, per_channel, false);
    const double over = worst_over_bound(u8s8, quantize::Int8Format::kU8S8, per_channel);
    if (quantize::exact_on(quantize::Int8Format::kU8S8, cpu)) {
      EXPECT_LE(over, 1.0) << cpu::feature_list(cpu);
      EXPECT_TRUE(u8s8.runtime.exact_natively);
      EXPECT_TRUE(u8s8.runtime.session_entries.empty());
      EXPECT_EQ(u8s8.runtime.warning, "");
    } else {
      EXPECT_GT(over, 2.0) << cpu::feature_list(cpu);
      EXPECT_FALSE(u8s8.runtime.exact_natively);
      ASSERT_EQ(u8s8.runtime.session_entries.size(), 1u);
      EXPECT_NE(u8s8.runtime.warning.find("--target " + std::string(to_string(quantize::recommended_target(cpu)))),
                std::string::npos)
          << u8s8.runtime.warning;
    }
    const auto u8u8 = run_int8(quantize::Int8Format::kU8U8, per_channel, false);
    EXPECT_LE(worst_over_bound(u8u8, quantize::Int8Format::kU8U8, per_channel), 1.0);
    EXPECT_TRUE(u8u8.runtime.exact_natively);
  }
}

// An x86-64 CPU with the named features (cpu_features.h's field names).
cpu::CpuFeatures x86(std::initializer_list<std::string_view> features) {
  cpu::CpuFeatures c;
  c.x86_64 = true;
  for (auto f : features) {
    if (f == "avx2") c.avx2 = true;
    else if (f == "avx512_core") c.avx512_core = true;
    else if (f == "avx512_vnni") c.avx512_vnni = true;
    else if (f == "avx_vnni") c.avx_vnni = true;
    else ADD_FAILURE() << "unknown feature " << f;
  }
  return c;
}

// The format read back from the graph, whoever wrote it: weight dtypes and the range of
// int8 values (|w| <= 64 is onnxruntime's reduce_range, exact everywhere).
TEST(QuantizeInt8, FormatReadFromTheGraph) {
  auto u8u8 = testing::make_mlp_model();
  quantize::quantize_dynamic_int8(u8u8, quantize::Int8Format::kU8U8, true);
  auto f = quantize::read_int8_format(u8u8);
  EXPECT_EQ(f.integer_gemms, 1);
  EXPECT_EQ(f.u8u8, 1);
  EXPECT_EQ(f.worst(), quantize::Int8Format::kU8U8);
  auto u8s8 = testing::make_mlp_model();
  quantize::quantize_dynamic_int8(u8s8, quantize::Int8Format::kU8S8, false);
  f = quantize::read_int8_format(u8s8);
  EXPECT_EQ(f.u8s8, 1);
  EXPECT_EQ(f.max_abs_int8_weight, 127);
  // The same graph with its int8 weights halved into [-64, 64] reads as u8s7.
  for (auto& t : *u8s8.mutable_graph()->mutable_initializer())
    if (t.data_type() == onnx::TensorProto::INT8 && t.dims_size() == 2)
      for (char& c : *t.mutable_raw_data()) c = static_cast<char>(static_cast<std::int8_t>(c) / 2);
  f = quantize::read_int8_format(u8s8);
  EXPECT_EQ(f.u8s7, 1);
  EXPECT_EQ(f.max_abs_int8_weight, 63);
  EXPECT_TRUE(quantize::exact_on(f.worst(), x86({"avx2"})));
  EXPECT_EQ(quantize::read_int8_format(testing::make_mlp_model()).integer_gemms, 0);
}

// The table itself, for CPUs other than this one.
TEST(QuantizeInt8, ExactnessByCpu) {
  using quantize::exact_on;
  using F = quantize::Int8Format;
  const auto avx2 = x86({"avx2"}), avx512 = x86({"avx2", "avx512_core"}),
             vnni = x86({"avx2", "avx512_core", "avx512_vnni"}), avx_vnni = x86({"avx2", "avx_vnni"});
  cpu::CpuFeatures arm;
  arm.arm64 = arm.arm_dotprod = true;
  for (const auto& c : {avx2, avx512, vnni, avx_vnni, arm}) {
    EXPECT_TRUE(exact_on(F::kU8U8, c));
    EXPECT_TRUE(exact_on(F::kU8S7, c));
    EXPECT_TRUE(exact_on(quantize::format_for_target(Int8Target::kPortable), c));
  }
  EXPECT_FALSE(exact_on(F::kU8S8, avx2));
  EXPECT_FALSE(exact_on(F::kU8S8, avx512));
  EXPECT_TRUE(exact_on(F::kU8S8, vnni));
  EXPECT_TRUE(exact_on(F::kU8S8, avx_vnni));
  EXPECT_TRUE(exact_on(F::kU8S8, arm));
  // Each target's format is exact on the CPUs it is named for.
  EXPECT_TRUE(exact_on(quantize::format_for_target(Int8Target::kAvx2), avx2));
  EXPECT_TRUE(exact_on(quantize::format_for_target(Int8Target::kAvx512), avx512));
  EXPECT_TRUE(exact_on(quantize::format_for_target(Int8Target::kAvx512Vnni), vnni));
  EXPECT_TRUE(exact_on(quantize::format_for_target(Int8Target::kArm64), arm));
  EXPECT_EQ(quantize::recommended_target(avx2), Int8Target::kAvx2);
  EXPECT_EQ(quantize::recommended_target(vnni), Int8Target::kAvx512Vnni);
  EXPECT_EQ(parse_int8_target("avx512_vnni"), Int8Target::kAvx512Vnni);
  EXPECT_THROW(parse_int8_target("avx3"), Error);
}

TEST(QuantizeInt8, RejectsQuantizedModelAndDynamicWeights) {
  TempDir dir;
  auto model = testing::make_mlp_model();
  quantize::quantize_dynamic_int8(model, quantize::Int8Format::kU8U8, true);
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
