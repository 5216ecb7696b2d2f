#include "tokenizer/wordpiece.h"

#include "splade/error.h"

namespace splade::tokenizer {

WordPiece::WordPiece(const std::vector<std::pair<std::string, std::int64_t>>& vocab, WordPieceConfig config)
    : config_(std::move(config)) {
  std::vector<std::pair<std::string, std::int64_t>> continuing;
  const std::string& prefix = config_.continuing_subword_prefix;
  for (const auto& [token, id] : vocab) {
    if (token == config_.unk_token) unk_id_ = id;  // the last one, as in a HashMap built in order
    if (token.size() >= prefix.size() && token.compare(0, prefix.size(), prefix) == 0)
      continuing.emplace_back(token.substr(prefix.size()), id);
  }
  if (unk_id_ < 0)
    throw Error(ErrorCode::kCorrupt, "WordPiece: the unk_token '" + config_.unk_token + "' is not in the vocabulary");
  initial_.build(vocab);
  continuing_.build(std::move(continuing));
}

}  // namespace splade::tokenizer
