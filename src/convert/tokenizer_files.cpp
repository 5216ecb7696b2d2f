#include "convert/tokenizer_files.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "common/atomic_file.h"
#include "splade/error.h"

namespace splade::convert {
namespace fs = std::filesystem;

std::vector<std::string> read_vocab(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / "tokenizer.json", ec)) {
    const auto path = dir / "tokenizer.json";
    std::ifstream in(path);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::kCorrupt, path.string() + ": not valid JSON: " + e.what());
    }
    if (!j.is_object() || !j.contains("model") || !j["model"].is_object() || !j["model"].contains("vocab") ||
        !j["model"]["vocab"].is_object())
      throw Error(ErrorCode::kCorrupt, path.string() + ": has no model.vocab object (expected a WordPiece tokenizer)");
    std::map<std::int64_t, std::string> by_id;
    for (const auto& [token, id] : j["model"]["vocab"].items()) {
      if (!id.is_number_integer() || id.get<std::int64_t>() < 0)
        throw Error(ErrorCode::kCorrupt, path.string() + ": model.vocab['" + token + "'] is not a token id");
      by_id[id.get<std::int64_t>()] = token;
    }
    if (j.contains("added_tokens") && j["added_tokens"].is_array())
      for (const auto& t : j["added_tokens"])
        if (t.is_object() && t.contains("id") && t["id"].is_number_integer() && t.contains("content") &&
            t["content"].is_string())
          by_id[t["id"].get<std::int64_t>()] = t["content"].get<std::string>();
    std::vector<std::string> vocab;
    for (auto& [id, token] : by_id) vocab.push_back(token);
    return vocab;
  }
  if (fs::exists(dir / "vocab.txt", ec)) {
    std::ifstream in(dir / "vocab.txt");
    std::vector<std::string> vocab;
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      vocab.push_back(line);
    }
    return vocab;
  }
  throw Error(ErrorCode::kNotFound, dir.string() +
                                        ": no tokenizer.json or vocab.txt (expected the model's WordPiece vocabulary: "
                                        "a Hugging Face tokenizer.json, or BERT's vocab.txt)");
}

void write_tokenizer_files(const fs::path& model_dir, const fs::path& out_dir, const std::vector<std::string>& vocab) {
  for (const char* name : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
                           "config.json"}) {
    std::error_code ec;
    if (!fs::exists(model_dir / name, ec)) continue;
    fs::copy_file(model_dir / name, out_dir / name, fs::copy_options::overwrite_existing, ec);
    if (ec) throw Error(ErrorCode::kIo, (out_dir / name).string() + ": cannot copy: " + ec.message());
  }
  std::string text;
  for (const auto& t : vocab) text += t + "\n";
  write_file_atomically(out_dir / "vocab.txt", text);
}

}  // namespace splade::convert
