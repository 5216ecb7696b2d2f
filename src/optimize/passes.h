// The graph passes of `splade optimize`, each in its own file. A pass rewrites a
// ModelProto in place and returns how many patterns it fused; it matches by op types and
// graph structure (never by tensor names), so it applies to torch.onnx.export graphs and
// to splade.cpp's own converted graphs alike. Outputs are unchanged up to float rounding
// (checked by optimize_model against ONNX Runtime).
#pragma once

#include <onnx/onnx_pb.h>

namespace splade::optimize {

// Multi-head self-attention (Q/K/V projections, reshape/transpose to heads, scaled QK^T,
// additive or Where mask, Softmax, context back to [batch, seq, hidden]) -> one
// com.microsoft.Attention node with packed QKV weights and a 2-D int32 mask_index.
int fuse_attention(onnx::ModelProto& model);

// Torch's Add(bias, MatMul) operand order -> Add(MatMul, bias): ORT's own fusions
// (BiasGelu, MatMul+Add) only look at the second Add input for the bias.
int canonicalize_bias_add(onnx::ModelProto& model);

// LayerNormalization(Add(a, b)) where a is a linear layer's output (optionally + bias)
// -> com.microsoft.SkipLayerNormalization (bias folded in).
int fuse_skip_layer_norm(onnx::ModelProto& model);

// Concat(Unsqueeze(Gather(Shape(x), 0)), ..., Unsqueeze(Gather(Shape(x), r-1))) -> Shape(x)
// for a rank-r x, and a following Reshape(., [-1]) of that 1-D shape -> nothing. Torch
// rebuilds input shapes this way; the folded form lets EmbedLayerNormalization's
// segment input come straight from the input shape.
int fold_shape_rebuild(onnx::ModelProto& model);

// Reshape(Reshape(x, [-1]), s) -> Reshape(x, s) when s cannot depend on the inner shape
// (a constant without 0 entries, or one element read from a Shape).
int fold_reshape_chain(onnx::ModelProto& model);

// LayerNormalization(word + [token type] + position embedding Gathers) ->
// com.microsoft.EmbedLayerNormalization, when the position Gather reads positions
// 0..seq-1 (a Slice from 0 of a constant arange, as torch exports the position_ids
// buffer) or a position_ids graph input. Run after ORT has formed LayerNormalization.
int fuse_embed_layer_norm(onnx::ModelProto& model);

// The seed's SPLADE pooling, ReduceMax over tokens of log1p(relu(MatMul + b)) * mask, ->
// the pool-first form (ReduceMax of MatMul + a mask penalty, then + b, relu, log1p on
// [batch, vocab]): the same values, bit for bit, with one pass over [batch, seq, vocab]
// instead of six (splade_pool_first.cpp).
int pool_splade_first(onnx::ModelProto& model);

}  // namespace splade::optimize
