// libFuzzer: any bytes as tokenizer.json. Loading either throws splade::Error or gives a
// tokenizer that encodes without crashing.
#include <cstdint>
#include <string_view>

#include "splade/error.h"
#include "splade/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto t = splade::Tokenizer::from_tokenizer_json_text(text);
    for (std::string_view s : {"Hello, world! [MASK] caf\xc3\xa9", "", "\xe4\xb8\xad\xe6\x96\x87 abc##def"}) {
      t.encode(s);
      t.encode(s, {.max_length = 4, .truncation = splade::Truncation::kAnserini});
      t.word_pieces(s);
    }
  } catch (const splade::Error&) {
  }
  return 0;
}
