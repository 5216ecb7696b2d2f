// A restricted unpickler for the data.pkl of a torch.save'd state_dict. It understands
// exactly what a state_dict needs (dict / collections.OrderedDict of tensors rebuilt by
// torch._utils._rebuild_tensor_v2 or _rebuild_parameter over storages named by
// persistent ids) and never calls anything: every other global (os.system,
// builtins.eval, ...) and every object-building opcode (NEWOBJ, INST, OBJ) is refused
// with an error naming it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hf/dtype.h"

namespace splade::hf {

struct StorageRef {
  std::string key;  // the record name under <archive>/data/
  DType dtype = DType::kF32;
  std::int64_t numel = 0;  // elements in the whole storage
};

struct TensorRef {
  std::string name;  // the state_dict key
  StorageRef storage;
  std::int64_t offset = 0;  // in elements
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> stride;  // in elements
};

// Parses `pickle` (protocols 2-5) into the state_dict's tensors, in pickle order. Checks
// each tensor's extent lies inside its storage. Throws splade::Error (kCorrupt for
// malformed input, kUnsupported for forbidden globals or opcodes), message prefixed by
// `label`.
std::vector<TensorRef> parse_state_dict_pickle(std::span<const std::byte> pickle, const std::string& label);

}  // namespace splade::hf
