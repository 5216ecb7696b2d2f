// libFuzzer: arbitrary bytes as the data.pkl of a torch.save archive. Must either throw
// splade::Error or return tensors whose extent lies inside their declared storage.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "hf/unpickler.h"
#include "splade/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto refs = splade::hf::parse_state_dict_pickle(std::as_bytes(std::span(data, size)), "fuzz.pkl");
    for (const auto& r : refs) {
      std::int64_t last = r.offset;
      bool empty = false;
      for (std::size_t d = 0; d < r.shape.size(); ++d) {
        if (r.shape[d] == 0) empty = true;
        else last += (r.shape[d] - 1) * r.stride[d];
      }
      if (!empty && last >= r.storage.numel) std::abort();  // the parser promised this cannot happen
    }
  } catch (const splade::Error&) {
  }
  return 0;
}
