// Recognizes how a SPLADE ONNX model returns its weights, from its inputs and outputs.
#pragma once

#include <string>
#include <vector>

#include "ort/inference_session.h"
#include "splade/encoder.h"

namespace splade::encode {

struct ContractInfo {
  ModelContract contract = ModelContract::kPooled;
  std::vector<std::string> input_names;   // among input_ids, attention_mask, token_type_ids
  std::vector<std::string> output_names;  // the outputs to fetch, in the order the encoder reads them
};

// Throws splade::Error (kUnsupported) naming the model and what was found.
ContractInfo detect_contract(const std::string& model_path, const std::vector<ort::IoSpec>& inputs,
                             const std::vector<ort::IoSpec>& outputs, std::size_t vocab_size);

}  // namespace splade::encode
