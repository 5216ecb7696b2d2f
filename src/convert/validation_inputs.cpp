#include "convert/validation_inputs.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "splade/error.h"
#include "splade/tokenizer.h"

namespace splade::convert {
namespace {

std::int64_t id_of(const std::vector<std::string>& vocab, const std::string& token, std::int64_t fallback) {
  auto it = std::find(vocab.begin(), vocab.end(), token);
  return it == vocab.end() ? fallback : static_cast<std::int64_t>(it - vocab.begin());
}

}  // namespace

std::vector<std::int64_t> validation_token_ids(const std::string& text, const std::filesystem::path& model_dir,
                                               const std::vector<std::string>& vocab) {
  try {
    return Tokenizer::from_directory(model_dir.string()).encode(text).ids;
  } catch (const Error&) {
    // fall back to whole-word lookups below
  }
  std::unordered_map<std::string, std::int64_t> index;
  for (size_t i = 0; i < vocab.size(); ++i) index.emplace(vocab[i], static_cast<std::int64_t>(i));
  auto lookup = [&](const std::string& t, std::int64_t fallback) {
    auto it = index.find(t);
    return it == index.end() ? fallback : it->second;
  };
  const auto unk = lookup("[UNK]", 0);
  std::vector<std::int64_t> ids = {lookup("[CLS]", 0)};
  std::string word;
  auto flush = [&] {
    if (!word.empty()) ids.push_back(lookup(word, unk));
    word.clear();
  };
  for (unsigned char c : text) {
    if (std::isspace(c)) {
      flush();
    } else if (std::ispunct(c)) {
      flush();
      ids.push_back(lookup(std::string(1, static_cast<char>(c)), unk));
    } else {
      word += static_cast<char>(std::tolower(c));
    }
  }
  flush();
  ids.push_back(lookup("[SEP]", 0));
  return ids;
}

std::vector<ValidationInput> validation_inputs(const std::string& text, const std::filesystem::path& model_dir,
                                               const std::vector<std::string>& vocab, const hf::ModelConfig& config) {
  const auto pad = id_of(vocab, "[PAD]", 0);
  const auto cls = id_of(vocab, "[CLS]", 0);
  const auto sep = id_of(vocab, "[SEP]", 0);
  const auto limit = config.max_position_embeddings;
  auto clip = [&](std::vector<std::int64_t> ids) {
    if (static_cast<std::int64_t>(ids.size()) > limit) {
      ids.resize(static_cast<size_t>(limit));
      ids.back() = sep;
    }
    return ids;
  };
  auto pack = [&](const std::vector<std::vector<std::int64_t>>& rows, const std::vector<std::vector<std::int64_t>>& types) {
    TokenBatch b;
    b.batch = static_cast<std::int64_t>(rows.size());
    for (const auto& r : rows) b.seq = std::max<std::int64_t>(b.seq, static_cast<std::int64_t>(r.size()));
    for (size_t k = 0; k < rows.size(); ++k)
      for (std::int64_t s = 0; s < b.seq; ++s) {
        const bool real = s < static_cast<std::int64_t>(rows[k].size());
        b.input_ids.push_back(real ? rows[k][s] : pad);
        b.attention_mask.push_back(real ? 1 : 0);
        b.token_type_ids.push_back(real && !types.empty() ? types[k][s] : 0);
      }
    return b;
  };

  std::vector<ValidationInput> out;
  auto ids = clip(validation_token_ids(text, model_dir, vocab));
  // A tokenizer vocab larger than the embedding matrix: keep ids the model can embed.
  for (auto& id : ids)
    if (id >= config.vocab_size) id = std::min<std::int64_t>(id_of(vocab, "[UNK]", 0), config.vocab_size - 1);
  out.push_back({"text", pack({ids}, {})});

  // A short row, the text, and the text as a sentence pair (second segment type 1).
  std::vector<std::int64_t> shorter = {cls, ids.size() > 2 ? ids[1] : sep, sep};
  std::vector<std::int64_t> pair = ids;
  std::vector<std::int64_t> pair_types(ids.size(), 0);
  for (size_t i = 1; i < ids.size(); ++i) {
    pair.push_back(ids[i]);
    pair_types.push_back(config.type_vocab_size > 1 ? 1 : 0);
  }
  pair = clip(pair);
  pair_types.resize(pair.size());
  out.push_back({"padded batch", pack({ids, shorter, pair}, {std::vector<std::int64_t>(ids.size(), 0),
                                                              std::vector<std::int64_t>(shorter.size(), 0), pair_types})});

  // A full-length input of deterministic pseudo-random ids (a 64-bit LCG), avoiding the
  // first ids where BERT vocabularies keep special and unused tokens.
  const auto V = config.vocab_size;
  const std::int64_t low = V > 2000 ? 1000 : 0;
  std::vector<std::int64_t> longest = {cls};
  std::uint64_t state = 0x2545F4914F6CDD1DULL;
  while (static_cast<std::int64_t>(longest.size()) < std::min<std::int64_t>(512, limit) - 1) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    longest.push_back(low + static_cast<std::int64_t>((state >> 33) % static_cast<std::uint64_t>(V - low)));
  }
  longest.push_back(sep);
  out.push_back({std::to_string(longest.size()) + " tokens", pack({longest}, {})});
  return out;
}

}  // namespace splade::convert
