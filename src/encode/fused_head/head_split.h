// Splits a SPLADE model at its vocabulary projection, so that the encoder runs the
// transformer body in ONNX Runtime and the head (projection + pooling) itself, tile by tile,
// without ever holding the [batch, seq, vocab] tensor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace splade::encode {

struct HeadSplit {
  std::string body_model;     // serialized ModelProto: the same inputs, output `hidden_name`
  std::string hidden_name;    // [batch, seq, hidden] float: the decoder MatMul's input
  std::int64_t hidden = 0;    // H
  std::int64_t vocab = 0;     // V
  std::vector<float> weight;  // [H, V] row-major, as the MatMul reads it (x [.., H] * W)
  std::vector<float> bias;    // [V], added after the max
  int log1p_count = 1;        // 1: log1p(relu(x)); 2: log1p(log1p(relu(x)))
};

// The split of `model_path` when its graph is a pool-first SPLADE head as `splade convert` and
// `splade optimize` write it (fp32 decoder MatMul):
//   sparse_vector = [Add(.., 0 * token_type_ids)] Log(Add(Relu(Add(ReduceMax_seq(
//                     Add(MatMul(t, W), penalty(mask))), b)), 1))   [log1p once or twice]
// nullopt (with `why` set) for any other graph: those run unfused, as written.
std::optional<HeadSplit> split_splade_head(const std::filesystem::path& model_path, std::string& why);

}  // namespace splade::encode
