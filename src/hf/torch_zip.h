// pytorch_model.bin as torch.save writes it (since PyTorch 1.6): a zip archive with
// <prefix>/data.pkl (the pickled state_dict) and one record <prefix>/data/<key> per storage.
#pragma once

#include <filesystem>

#include "hf/tensor_store.h"

namespace splade::hf {

// Reads the archive with libzip and the restricted unpickler (hf/unpickler.h), and adds
// every tensor to `store` (storage bytes held in memory). Throws splade::Error: kCorrupt
// for a file that is not a zip, a missing data.pkl or storage record, or a record shorter
// than its storage; kUnsupported for the legacy (pre-1.6, non-zip) format and forbidden
// pickle content.
void read_torch_zip(const std::filesystem::path& file, TensorStore& store);

}  // namespace splade::hf
