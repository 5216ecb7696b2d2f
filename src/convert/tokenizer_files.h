// The tokenizer side of a converted model directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace splade::convert {

// The vocabulary in id order, as the seed's export writes vocab.txt (tokens sorted by
// id): from tokenizer.json (model.vocab + added_tokens) when present, else vocab.txt.
// Throws splade::Error(kNotFound) when the directory has neither, kCorrupt when malformed.
std::vector<std::string> read_vocab(const std::filesystem::path& model_dir);

// Copies tokenizer.json, tokenizer_config.json, special_tokens_map.json,
// added_tokens.json and config.json (those present) into `out_dir`, and writes
// out_dir/vocab.txt from `vocab` (one token a line).
void write_tokenizer_files(const std::filesystem::path& model_dir, const std::filesystem::path& out_dir,
                           const std::vector<std::string>& vocab);

}  // namespace splade::convert
