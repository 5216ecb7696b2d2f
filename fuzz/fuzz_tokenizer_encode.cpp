// libFuzzer: any bytes through Tokenizer::encode / word_pieces with the bert-base-uncased
// vocab. Checks the invariants every Encoding must keep (lengths agree, ids in the vocab,
// offsets inside the input and on UTF-8 boundaries of it, truncation bounds).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "splade/error.h"
#include "splade/tokenizer.h"

namespace {

const splade::Tokenizer& bert() {
  static const splade::Tokenizer t = [] {
    const char* env = std::getenv("SPLADE_FUZZ_VOCAB");
    return splade::Tokenizer::from_vocab_file(env ? env : SPLADE_SHARED_DATA_DIR "/vocab/bert-base-uncased-vocab.txt");
  }();
  return t;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the options, the rest is the text.
  const std::uint8_t knob = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  splade::EncodeOptions opt;
  opt.truncation = static_cast<splade::Truncation>(knob % 3);
  opt.max_length = (knob & 0x08) ? 3 + (knob >> 4) : 0;
  opt.add_special_tokens = (knob & 0x04) == 0;
  const auto e = bert().encode(text, opt);
  const std::size_t n = e.ids.size();
  check(e.type_ids.size() == n && e.attention_mask.size() == n && e.offsets.size() == n);
  const std::size_t limit = opt.max_length > 0 ? static_cast<std::size_t>(opt.max_length) : 512;
  if (opt.truncation == splade::Truncation::kHuggingFace) check(n <= limit);
  if (opt.truncation == splade::Truncation::kAnserini) check(n <= limit - 1);
  for (std::size_t i = 0; i < n; ++i) {
    check(e.ids[i] >= 0 && static_cast<std::size_t>(e.ids[i]) < bert().vocab_size());
    const auto [b, en] = e.offsets[i];
    check(b <= en && en <= text.size());
    auto boundary = [&](std::size_t p) { return p == text.size() || (static_cast<unsigned char>(text[p]) & 0xC0) != 0x80; };
    if (en > b) check(boundary(b) || e.invalid_utf8 > 0);
  }
  // word_pieces is encode without template or truncation.
  const auto pieces = bert().word_pieces(text);
  const auto plain = bert().encode(text, {.truncation = splade::Truncation::kNone, .add_special_tokens = false});
  check(pieces.size() == plain.ids.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) check(bert().token_to_id(pieces[i]) == plain.ids[i]);
  return 0;
}
