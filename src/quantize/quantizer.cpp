// `splade quantize`: checks the input, runs the int8 or fp16 pass, writes the model.
#include "onnx/model_io.h"
#include "quantize/passes.h"
#include "splade/error.h"
#include "splade/quantize.h"

namespace splade {

const char* to_string(Int8Target target) {
  switch (target) {
    case Int8Target::kPortable: return "portable";
    case Int8Target::kAvx2: return "avx2";
    case Int8Target::kAvx512: return "avx512";
    case Int8Target::kAvx512Vnni: return "avx512-vnni";
    case Int8Target::kArm64: return "arm64";
  }
  return "?";
}

Int8Target parse_int8_target(const std::string& name) {
  for (auto t : {Int8Target::kPortable, Int8Target::kAvx2, Int8Target::kAvx512, Int8Target::kAvx512Vnni, Int8Target::kArm64})
    if (name == to_string(t)) return t;
  // Optimum spells it avx512_vnni.
  if (name == "avx512_vnni") return Int8Target::kAvx512Vnni;
  throw Error(ErrorCode::kInvalidArgument,
              "--target: unknown int8 target '" + name + "' (expected portable, avx2, avx512, avx512-vnni or arm64)");
}

namespace {

void add_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  auto* p = model.add_metadata_props();
  p->set_key(key);
  p->set_value(value);
}

void reject_quantized(const onnx::ModelProto& model, const std::filesystem::path& input) {
  for (const auto& n : model.graph().node())
    for (const char* op : {"DynamicQuantizeLinear", "MatMulInteger", "DynamicQuantizeMatMul", "MatMulIntegerToFloat",
                           "QAttention", "QuantizeLinear", "QGemm"})
      if (n.op_type() == op)
        throw Error(ErrorCode::kUnsupported, input.string() + ": already quantized (node '" + n.name() + "' is " + op +
                                                 "); quantize the fp32 model instead");
  for (const auto& t : model.graph().initializer())
    if (t.data_type() == onnx::TensorProto::FLOAT16)
      throw Error(ErrorCode::kUnsupported, input.string() + ": initializer '" + t.name() +
                                               "' is already float16; quantize the fp32 model instead");
}

}  // namespace

QuantizeResult quantize_model(const std::filesystem::path& input, const std::filesystem::path& output,
                              const QuantizeOptions& options) {
  onnx::ModelProto model = onnxio::load_model(input);
  for (const auto& t : model.graph().initializer())
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      throw Error(ErrorCode::kUnsupported, input.string() + ": initializer '" + t.name() +
                                               "' is stored as external data, which this command does not rewrite yet");
  reject_quantized(model, input);
  QuantizeResult result;
  result.output = output;
  if (options.mode == QuantizeMode::kInt8) {
    const auto format = quantize::format_for_target(options.target);
    auto s = quantize::quantize_dynamic_int8(model, format, options.per_channel);
    result.int8_format = quantize::to_string(format);
    result.matmuls_quantized = s.matmuls;
    result.attentions_quantized = s.attentions;
    result.weight_elements = s.weights_quantized;
    result.skipped = s.skipped;
    result.embeddings_quantized = quantize::quantize_embeddings_uint8(model);
    if (s.matmuls + s.attentions == 0)
      throw Error(ErrorCode::kUnsupported,
                  input.string() + ": nothing to quantize: no MatMul/Gemm/Attention with a constant 2-D float weight" +
                      (s.skipped.empty() ? std::string() : " (" + s.skipped.front() + ")"));
  } else {
    auto s = quantize::convert_weights_fp16(model);
    result.fp16_initializers = s.initializers;
    result.weight_elements = s.elements;
    if (s.initializers == 0)
      throw Error(ErrorCode::kUnsupported, input.string() + ": nothing to convert: no float initializer of 1024+ elements");
  }
  add_metadata(model, "splade_quantized", options.mode == QuantizeMode::kFp16
                                              ? "fp16-weights"
                                              : (options.per_channel ? "int8-dynamic-per-channel" : "int8-dynamic-per-tensor"));
  if (options.mode == QuantizeMode::kInt8) {
    // What the model was written for, read back by `inspect` and checked by the Encoder.
    add_metadata(model, "splade_int8_target", to_string(options.target));
    add_metadata(model, "splade_int8_format", result.int8_format);
  }
  onnxio::save_model(model, output);
  return result;
}

}  // namespace splade
