#include "encode/model_contract.h"

#include "splade/error.h"

namespace splade::encode {
namespace {

std::string names_of(const std::vector<ort::IoSpec>& specs) {
  std::string s;
  for (const auto& spec : specs) {
    s += (s.empty() ? "" : ", ") + spec.name + "[";
    for (std::size_t i = 0; i < spec.dims.size(); ++i)
      s += (i ? "," : "") + (spec.dims[i] < 0 ? std::string("?") : std::to_string(spec.dims[i]));
    s += "]";
  }
  return s;
}

const ort::IoSpec* find(const std::vector<ort::IoSpec>& specs, const std::string& name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

ContractInfo detect_contract(const std::string& model_path, const std::vector<ort::IoSpec>& inputs,
                             const std::vector<ort::IoSpec>& outputs, std::size_t vocab_size) {
  ContractInfo info;
  for (const auto& in : inputs) {
    if (in.name != "input_ids" && in.name != "attention_mask" && in.name != "token_type_ids")
      throw Error(ErrorCode::kUnsupported, model_path + ": model input '" + in.name +
                                               "' is not one of input_ids, attention_mask, token_type_ids");
    if (in.type != ort::ElementType::kInt64)
      throw Error(ErrorCode::kUnsupported, model_path + ": model input '" + in.name + "' must be int64");
    info.input_names.push_back(in.name);
  }
  if (!find(inputs, "input_ids"))
    throw Error(ErrorCode::kUnsupported, model_path + ": model has no input_ids input (inputs: " + names_of(inputs) + ")");

  const auto* idx = find(outputs, "output_idx");
  const auto* weights = find(outputs, "output_weights");
  if (idx && weights) {
    info.contract = ModelContract::kAnserini;
    info.output_names = {"output_idx", "output_weights"};
    return info;
  }
  for (const auto& out : outputs) {
    if (out.type != ort::ElementType::kFloat) continue;
    if (out.dims.size() != 2 && out.dims.size() != 3) continue;
    const std::int64_t last = out.dims.back();
    if (last >= 0 && static_cast<std::size_t>(last) != vocab_size)
      throw Error(ErrorCode::kUnsupported,
                  model_path + ": output '" + out.name + "' has last dimension " + std::to_string(last) +
                      ", expected the vocabulary size " + std::to_string(vocab_size) +
                      " (a hidden-state model? convert it with --head splade-pooled or logits)");
    info.contract = out.dims.size() == 2 ? ModelContract::kPooled : ModelContract::kLogits;
    info.output_names = {out.name};
    return info;
  }
  throw Error(ErrorCode::kUnsupported,
              model_path + ": cannot tell how this model returns SPLADE weights; expected output_idx + "
                           "output_weights, a float [batch, vocab] output or float [batch, seq, vocab] logits; "
                           "outputs are: " + names_of(outputs));
}

}  // namespace splade::encode
