// Everything a Tokenizer is made of, as read from tokenizer.json or vocab.txt (+
// tokenizer_config.json). The loaders fill it; tokenizer.cpp builds the pipeline from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/normalizer.h"
#include "tokenizer/wordpiece.h"

namespace splade::tokenizer {

// A token matched in the raw text before normalization (tokenizers' AddedVocabulary with
// normalized=false, lstrip=rstrip=single_word=false: the BERT special tokens).
struct AddedToken {
  std::string content;
  std::int64_t id = 0;
};

// One element of the post-processor template for a single sequence.
struct TemplatePart {
  bool is_sequence = false;         // the text's pieces ("$A"), else special tokens
  std::vector<std::int64_t> ids;    // the special token's ids
  std::int64_t type_id = 0;
};

struct TokenizerSpec {
  NormalizerConfig normalizer;
  WordPieceConfig wordpiece;
  std::vector<std::pair<std::string, std::int64_t>> vocab;
  std::vector<AddedToken> added_tokens;
  std::vector<TemplatePart> single_template;  // empty: no post-processor
  std::string cls_token = "[CLS]", sep_token = "[SEP]", pad_token = "[PAD]";
  std::optional<std::int64_t> pad_id;  // from tokenizer.json's padding, else the vocab's pad_token
  std::int64_t pad_type_id = 0;
  int model_max_length = 512;
};

// BERT's default template: [CLS] $A [SEP], all type 0.
std::vector<TemplatePart> bert_template(std::int64_t cls_id, std::int64_t sep_id);

// tokenizer.json (tokenizers' serialization). Throws splade::Error: kNotFound, kCorrupt, or
// kUnsupported naming the component ("normalizer.type 'Sequence'", ...).
TokenizerSpec load_tokenizer_json(const std::string& path);
// The same from the file's content; `path` only names it in errors.
TokenizerSpec parse_tokenizer_json(std::string_view text, const std::string& path);

// vocab.txt, one token per line, id = line number (transformers' load_vocab).
std::vector<std::pair<std::string, std::int64_t>> load_vocab_txt(const std::string& path);

// vocab.txt with settings from tokenizer_config.json (config_path may be empty: BERT-uncased
// defaults), as BertTokenizerFast builds it.
TokenizerSpec load_vocab_with_config(const std::string& vocab_path, const std::string& config_path);

// model_max_length of a tokenizer_config.json, when it holds a usable one (transformers
// writes 1e30 for "no limit"; such values are ignored).
std::optional<int> read_model_max_length(const std::string& config_path);

}  // namespace splade::tokenizer
