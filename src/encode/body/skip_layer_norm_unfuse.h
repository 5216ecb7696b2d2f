// The transformer body as the encoder hands it to ONNX Runtime: com.microsoft
// SkipLayerNormalization (what `splade optimize` and onnxruntime's optimizer fuse) is put back
// as Add + LayerNormalization before the body's session is made.
//
// Why: ONNX Runtime 1.30's CPU SkipLayerNormalization is a scalar loop (a running mean and
// variance, one divide an element): 1,143 us for one [1, 320, 768] Run against 343 us for
// Add + Add + LayerNormalization (bench/skip_layer_norm.sh); 7.5-12% of the CPU of a batched
// BERT-base int8 query encode (perf). The encoder rewrites fp32 bodies only (encoder.cpp says
// why). The files on disk keep their fused nodes; the session that loads the rewritten body
// must not fuse them again (keep_skip_layer_norm_unfused).
#pragma once

#include <string>
#include <utility>

namespace onnx {
class ModelProto;
}

namespace splade::encode {

// Rewrites every SkipLayerNormalization(input, skip, gamma[, beta[, bias]]) of the main graph
//   sum = Add(input, skip); [sum = Add(sum, bias)]     (ORT's order: (input + skip) + bias)
//   output[, mean, inv_std_var] = LayerNormalization(sum, gamma[, beta], axis = -1, epsilon)
// with output 3 (input_skip_bias_sum), when read, named as `sum`. Shapes: input and output
// [batch, seq, hidden] float; gamma, beta, bias [hidden]; skip [batch, seq, hidden] or
// broadcast to it. Returns the number of nodes rewritten; other nodes are left as they are.
int unfuse_skip_layer_norm(onnx::ModelProto& model);

// The session config entry that keeps ONNX Runtime from fusing them back:
// optimization.disable_specified_optimizers = SkipLayerNormFusion.
std::pair<std::string, std::string> keep_skip_layer_norm_unfused();

}  // namespace splade::encode
