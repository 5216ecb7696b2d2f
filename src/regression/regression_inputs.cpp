// What a regression reads: which inputs the runner makes itself, which the user must supply,
// the `make` commands of the latter as /bin/sh runs them, and the checksum of vectors.
#include <algorithm>

#include "hf/weights.h"
#include "index/json_collection.h"
#include "splade/error.h"
#include "splade/regression.h"

namespace splade::regression {
namespace fs = std::filesystem;
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

}  // namespace

bool made_by_runner(const RegressionSpec& spec, const Input& input) {
  const bool has_model = spec.model_kind != "none";
  if (input.role == "topics" || input.role == "qrels") return !spec.collection.empty() && input.path.starts_with("{work}/collection/");
  if (input.role == "corpus.vectors") return !spec.collection.empty() && has_model;
  if (input.role == "model.onnx") return true;  // only listed for a checkpoint the runner converts
  if (input.role == "queries.vectors") return has_model;
  return false;
}

std::vector<Input> inputs_to_supply(const RegressionSpec& spec, const fs::path& work, const fs::path& data) {
  std::vector<Input> out;
  for (const auto& in : missing_inputs(spec, work, data))
    if (!made_by_runner(spec, in)) out.push_back(in);
  return out;
}

std::string make_command(const std::string& make, const fs::path& work, const fs::path& data,
                         const fs::path& splade_binary) {
  // Walk the whitespace-separated words, keeping the whitespace as it is.
  std::string out;
  bool command_position = true;
  size_t i = 0;
  while (i < make.size()) {
    if (make[i] == ' ' || make[i] == '\t') {
      out += make[i++];
      continue;
    }
    const size_t end = std::min(make.find_first_of(" \t", i), make.size());
    std::string word = make.substr(i, end - i);
    i = end;
    if (command_position && word == "splade") {
      out += shell_quote(splade_binary.string());
    } else {
      replace_all(word, "{work}", shell_quote(work.string()));
      replace_all(word, "{data}", shell_quote(data.string()));
      out += word;
    }
    command_position = word == "&&" || word == "||" || word == ";" || word == "|";
  }
  return out;
}

std::string vectors_sha256(const fs::path& path) {
  return hf::sha256_hex(json_vector_files(path));  // exactly the files the index reads
}

}  // namespace splade::regression
