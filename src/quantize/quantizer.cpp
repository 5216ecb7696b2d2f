// `splade quantize`: checks the input, runs the int8 or fp16 pass, writes the model.
#include "onnx/model_io.h"
#include "quantize/passes.h"
#include "splade/error.h"
#include "splade/quantize.h"

namespace splade {

namespace {

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
    auto s = quantize::quantize_dynamic_int8(model, options.per_channel);
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
  auto* p = model.add_metadata_props();
  p->set_key("splade_quantized");
  p->set_value(options.mode == QuantizeMode::kFp16 ? "fp16-weights"
                                                   : (options.per_channel ? "int8-dynamic-per-channel" : "int8-dynamic-per-tensor"));
  onnxio::save_model(model, output);
  return result;
}

}  // namespace splade
