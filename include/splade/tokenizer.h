// splade::Tokenizer: a BERT WordPiece tokenizer that gives exactly the ids and offsets of
// Hugging Face `tokenizers` (the Rust pipeline behind BertTokenizerFast, pinned 0.19.1):
// BertNormalizer -> BertPreTokenizer -> WordPiece -> TemplateProcessing, special tokens
// split out of the raw text first. Loads tokenizer.json, or vocab.txt + tokenizer_config.json,
// or vocab.txt alone (bert-base-uncased defaults).
//
// Thread safety: a Tokenizer is immutable after loading; every const method may be called
// from many threads at once.
//
// Invalid UTF-8: each maximal ill-formed subsequence (Unicode 15 §3.9, the same rule as
// Python's bytes.decode("utf-8", "replace")) is read as U+FFFD, which BertNormalizer's
// clean_text then removes; Encoding::invalid_utf8 counts them so callers can warn. Offsets
// still point at the original bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace splade {

enum class Truncation {
  kNone,         // keep every token
  kHuggingFace,  // HF: at most max_length ids, special tokens included (510 pieces + [CLS] + [SEP])
  kAnserini,     // Anserini's Java SpladeEncoder: ([CLS] + pieces) cut to max_length - 2, then
                 // [SEP]: at most max_length - 1 ids (511 by default, 509 pieces)
};

enum class Padding {
  kNone,     // every encoding keeps its own length
  kLongest,  // encode_batch: pad every encoding to the longest one of the batch
  kFixed,    // pad every encoding to EncodeOptions::pad_to (after truncation)
};

struct EncodeOptions {
  int max_length = 0;  // 0: the tokenizer's model_max_length (512 for BERT)
  Truncation truncation = Truncation::kHuggingFace;
  bool add_special_tokens = true;  // the post-processor template ([CLS] ... [SEP])
  Padding padding = Padding::kNone;
  int pad_to = 0;  // the length for Padding::kFixed
};

struct Encoding {
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> type_ids;
  std::vector<std::int64_t> attention_mask;
  // Byte offsets [begin, end) into the UTF-8 input; (0, 0) for special and padding tokens.
  std::vector<std::pair<std::size_t, std::size_t>> offsets;
  std::size_t invalid_utf8 = 0;  // ill-formed UTF-8 sequences read as U+FFFD
};

class Tokenizer {
 public:
  // A Hugging Face model directory: tokenizer.json, else vocab.txt + tokenizer_config.json,
  // else vocab.txt. Throws splade::Error (kNotFound, kCorrupt, kUnsupported naming the
  // component that is not supported).
  static Tokenizer from_directory(const std::string& dir);
  // A WordPiece vocab.txt with bert-base-uncased defaults (lowercase, strip accents, CJK
  // spacing, [CLS]/[SEP] template, model_max_length 512).
  static Tokenizer from_vocab_file(const std::string& vocab_path);
  // A tokenizer.json file alone (model_max_length from its truncation, else 512).
  static Tokenizer from_tokenizer_json(const std::string& json_path);
  // The same from tokenizer.json's content held in memory.
  static Tokenizer from_tokenizer_json_text(std::string_view json_text);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  Encoding encode(std::string_view text, const EncodeOptions& options = {}) const;
  // Encodes on `threads` threads (<= 0: all hardware threads); Padding::kLongest pads to the
  // longest encoding of this batch.
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts, const EncodeOptions& options = {},
                                     int threads = 1) const;
  // The word pieces of `text` ("play", "##ing"), no special tokens, no truncation: the
  // tokens of HF's tokenizer.tokenize(text).
  std::vector<std::string> word_pieces(std::string_view text) const;

  std::size_t vocab_size() const;  // the largest id + 1
  // The token of an id; throws splade::Error (kInvalidArgument) when out of range.
  const std::string& id_to_token(std::int64_t id) const;
  std::optional<std::int64_t> token_to_id(std::string_view token) const;
  std::int64_t cls_id() const;
  std::int64_t sep_id() const;
  std::int64_t pad_id() const;
  std::int64_t unk_id() const;
  int model_max_length() const;

  struct Impl;

 private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace splade
