// Splits a SPLADE model at its vocabulary projection, so that the encoder runs the
// transformer body in ONNX Runtime and the head (projection + pooling) itself, tile by tile,
// without ever holding the [batch, seq, vocab] tensor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ort/inference_session.h"

namespace onnx {
class ModelProto;
}

namespace splade::encode {

// An int8 decoder as dynamic quantization writes it (`splade quantize`, onnxruntime's
// quantize_dynamic):  y = Mul(Cast(MatMulInteger(x_q, W_q, x_zp, W_zp)), Mul(x_scale, W_scale))
// with (x_q, x_scale, x_zp) = DynamicQuantizeLinear(x). The body then ends at
// DynamicQuantizeLinear, so ONNX Runtime itself quantizes the activations.
struct Int8Decoder {
  std::string quantized_name;   // x_q [batch, seq, hidden] uint8
  std::string scale_name;       // x_scale [] float
  std::string zero_point_name;  // x_zp [] uint8
  std::vector<float> weight_scale;  // [vocab] W_scale per column (a per-tensor scale repeated)
  int weight_max_abs = 0;           // max |W_q - W_zp|
};

struct HeadSplit {
  // The whole model's inputs (graph inputs that are not initializers) and output, read from
  // the graph as ONNX Runtime would describe them: the encoder checks its contract on these
  // without loading the whole model into a session.
  std::vector<ort::IoSpec> model_inputs, model_outputs;
  // Serialized ModelProto: the same inputs; outputs below. Its initializers of 64 KiB or more
  // are external-data references to the model file itself (onnx/initializer_file_spans.h):
  // ORT reads them from there, relative to `body_data_folder`.
  std::string body_model;
  std::filesystem::path body_data_folder;  // the folder of the model file's real path (links resolved)
  std::string hidden_name;    // fp32 decoder: [batch, seq, hidden] float, the MatMul's input
  std::int64_t hidden = 0;    // H
  std::int64_t vocab = 0;     // V
  // [H, V] row-major, as the MatMul reads it (x [.., H] * W). For an int8 decoder: the
  // integers W_q - W_zp, exact in float.
  std::vector<float> weight;
  std::vector<float> bias;    // [V], added after the max
  int log1p_count = 1;        // 1: log1p(relu(x)); 2: log1p(log1p(relu(x)))
  std::optional<Int8Decoder> int8;  // set: the body's outputs are x_q, x_scale, x_zp
};

// The split of `model_path` when its graph is a pool-first SPLADE head as `splade convert` and
// `splade optimize` write it:
//   sparse_vector = [Add(.., 0 * token_type_ids)] Log(Add(Relu(Add(ReduceMax_seq(
//                     Add(MatMul(t, W), penalty(mask))), b)), 1))   [log1p once or twice]
// with MatMul(t, W) in fp32 or as an int8 decoder (above).
// nullopt (with `why` set) for any other graph: those run unfused, as written.
// `model` is the graph loaded from model_path (consumed: the body is cut from it; the encoder
// reads the int8 format from the same parse). A model saved with external data works too: the
// head's tensors are read from the data file, the body's stay there.
// refer_weights_to_file: the body's initializers of 64 KiB and up become references to the
// model file itself (EncoderOptions::map_model_file); false keeps them inline.
std::optional<HeadSplit> split_splade_head(onnx::ModelProto&& model, const std::filesystem::path& model_path,
                                           std::string& why, bool refer_weights_to_file);

}  // namespace splade::encode
