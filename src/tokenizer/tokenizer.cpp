// splade::Tokenizer: the public API over the pipeline
//   added-token split -> Normalizer + pre-tokenizer -> WordPiece -> PostProcessor.
#include "splade/tokenizer.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>
#include <unordered_map>

#include "splade/error.h"
#include "tokenizer/added_tokens.h"
#include "tokenizer/post_processor.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer_spec.h"
#include "tokenizer/wordpiece.h"

namespace splade {

using namespace tokenizer;

struct Tokenizer::Impl {
  Normalizer normalizer;
  WordPiece model;
  AddedTokenMatcher added;
  PostProcessor post;
  std::vector<std::string> id_to_token;
  std::unordered_map<std::string, std::int64_t> token_to_id;
  std::int64_t cls = -1, sep = -1, pad = 0, unk = -1;
  int model_max_length = 512;

  explicit Impl(TokenizerSpec spec)
      : normalizer(spec.normalizer),
        model(spec.vocab, spec.wordpiece),
        added(spec.added_tokens),
        post(spec.single_template, spec.pad_id.value_or(0), spec.pad_type_id),
        model_max_length(spec.model_max_length) {
    std::int64_t max_id = -1;
    for (const auto& [t, id] : spec.vocab) max_id = std::max(max_id, id);
    for (const auto& a : spec.added_tokens) max_id = std::max(max_id, a.id);
    // Ids index a table: they must be dense enough (HF vocabularies are 0..n-1).
    const auto id_limit = static_cast<std::int64_t>(2 * (spec.vocab.size() + spec.added_tokens.size()) + 1024);
    auto check_id = [&](std::int64_t id, const char* what) {
      if (id < 0 || id >= id_limit)
        throw Error(ErrorCode::kCorrupt, std::string("tokenizer: ") + what + " id " + std::to_string(id) +
                                             " is negative or far beyond the vocabulary size");
    };
    for (const auto& [t, id] : spec.vocab) check_id(id, "vocab");
    for (const auto& a : spec.added_tokens) check_id(a.id, "added token");
    for (const auto& part : spec.single_template)
      for (std::int64_t id : part.ids) check_id(id, "post_processor");
    if (spec.pad_id) check_id(*spec.pad_id, "padding.pad_id");
    max_id = std::max<std::int64_t>(max_id, 0);
    for (const auto& part : spec.single_template)
      for (std::int64_t id : part.ids) max_id = std::max(max_id, id);
    id_to_token.resize(static_cast<std::size_t>(max_id + 1));
    for (const auto& [t, id] : spec.vocab) {
      id_to_token[static_cast<std::size_t>(id)] = t;
      token_to_id[t] = id;
    }
    for (const auto& a : spec.added_tokens) {
      id_to_token[static_cast<std::size_t>(a.id)] = a.content;
      token_to_id[a.content] = a.id;
    }
    auto lookup = [&](const std::string& t) {
      auto it = token_to_id.find(t);
      return it == token_to_id.end() ? std::int64_t{-1} : it->second;
    };
    cls = lookup(spec.cls_token);
    sep = lookup(spec.sep_token);
    pad = spec.pad_id.value_or(0);
    unk = model.unk_id();
    if (model_max_length <= 0) throw Error(ErrorCode::kCorrupt, "tokenizer: model_max_length must be positive");
  }

  struct Scratch {
    Words words;
    std::vector<Piece> pieces;
    std::vector<std::int64_t> ids;
    std::vector<std::pair<std::size_t, std::size_t>> offsets;
  };

  // The pieces of the whole text (no template, no truncation) into s.ids / s.offsets.
  std::size_t pieces(std::string_view text, Scratch& s) const {
    if (text.size() >= 0xFFFFFFFFu)
      throw Error(ErrorCode::kInvalidArgument, "tokenizer: a text of 4 GiB or more cannot be tokenized");
    s.ids.clear(), s.offsets.clear();
    std::size_t invalid = 0;
    auto segment = [&](std::size_t begin, std::size_t end) {
      if (begin >= end) return;
      s.words.clear();
      invalid += pre_tokenize(normalizer, text.substr(begin, end - begin), static_cast<std::uint32_t>(begin), s.words);
      for (const auto& [wb, we] : s.words.spans) {
        s.pieces.clear();
        model.tokenize(std::string_view(s.words.text.data() + wb, we - wb), s.pieces);
        for (const Piece& p : s.pieces) {
          s.ids.push_back(p.id);
          s.offsets.emplace_back(s.words.align[wb + p.begin].start, s.words.align[wb + p.end - 1].end);
        }
      }
    };
    std::size_t pos = 0;
    for (;;) {
      const auto m = added.find(text, pos);
      if (m.begin == std::string_view::npos) break;
      segment(pos, m.begin);
      s.ids.push_back(m.id);
      s.offsets.emplace_back(m.begin, m.end);
      pos = m.end;
    }
    segment(pos, text.size());
    return invalid;
  }

  Encoding encode(std::string_view text, const EncodeOptions& options) const {
    thread_local Scratch s;
    Encoding e;
    e.invalid_utf8 = pieces(text, s);
    const std::size_t kept = post.kept_pieces(s.ids.size(), options, model_max_length);
    post.apply(s.ids, s.offsets, kept, options.add_special_tokens, e);
    if (options.padding == Padding::kFixed) {
      if (options.pad_to <= 0) throw Error(ErrorCode::kInvalidArgument, "tokenizer: Padding::kFixed needs pad_to > 0");
      post.pad(e, static_cast<std::size_t>(options.pad_to));
    }
    return e;
  }
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::from_tokenizer_json(const std::string& json_path) {
  return Tokenizer(std::make_unique<Impl>(load_tokenizer_json(json_path)));
}

Tokenizer Tokenizer::from_tokenizer_json_text(std::string_view json_text) {
  return Tokenizer(std::make_unique<Impl>(parse_tokenizer_json(json_text, "<tokenizer.json text>")));
}

Tokenizer Tokenizer::from_vocab_file(const std::string& vocab_path) {
  return Tokenizer(std::make_unique<Impl>(load_vocab_with_config(vocab_path, "")));
}

Tokenizer Tokenizer::from_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path d(dir);
  if (!fs::is_directory(d)) throw Error(ErrorCode::kNotFound, dir + ": not a directory");
  const fs::path json = d / "tokenizer.json", vocab = d / "vocab.txt", config = d / "tokenizer_config.json";
  if (fs::exists(json)) {
    TokenizerSpec spec = load_tokenizer_json(json.string());
    if (fs::exists(config))
      if (auto m = read_model_max_length(config.string())) spec.model_max_length = *m;
    return Tokenizer(std::make_unique<Impl>(std::move(spec)));
  }
  if (fs::exists(vocab))
    return Tokenizer(std::make_unique<Impl>(load_vocab_with_config(vocab.string(), fs::exists(config) ? config.string() : "")));
  throw Error(ErrorCode::kNotFound, dir + ": no tokenizer.json or vocab.txt");
}

Encoding Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  return impl_->encode(text, options);
}

std::vector<Encoding> Tokenizer::encode_batch(const std::vector<std::string>& texts, const EncodeOptions& options,
                                              int threads) const {
  std::vector<Encoding> out(texts.size());
  EncodeOptions per_text = options;
  if (per_text.padding == Padding::kLongest) per_text.padding = Padding::kNone;
  std::size_t n_threads = threads > 0 ? static_cast<std::size_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
  n_threads = std::min(n_threads, std::max<std::size_t>(1, texts.size() / 16));
  if (n_threads <= 1) {
    for (std::size_t i = 0; i < texts.size(); ++i) out[i] = impl_->encode(texts[i], per_text);
  } else {
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::atomic<bool> failed{false};
    auto work = [&] {
      constexpr std::size_t kChunk = 16;
      try {
        for (std::size_t b; !failed && (b = next.fetch_add(kChunk)) < texts.size();)
          for (std::size_t i = b; i < std::min(b + kChunk, texts.size()); ++i) out[i] = impl_->encode(texts[i], per_text);
      } catch (...) {
        if (!failed.exchange(true)) error = std::current_exception();
      }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < n_threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
  }
  if (options.padding == Padding::kLongest) {
    std::size_t longest = 0;
    for (const auto& e : out) longest = std::max(longest, e.ids.size());
    for (auto& e : out) impl_->post.pad(e, longest);
  }
  return out;
}

std::vector<std::string> Tokenizer::word_pieces(std::string_view text) const {
  thread_local Impl::Scratch s;
  impl_->pieces(text, s);
  std::vector<std::string> out;
  out.reserve(s.ids.size());
  for (std::int64_t id : s.ids) out.push_back(impl_->id_to_token[static_cast<std::size_t>(id)]);
  return out;
}

std::size_t Tokenizer::vocab_size() const { return impl_->id_to_token.size(); }

const std::string& Tokenizer::id_to_token(std::int64_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= impl_->id_to_token.size())
    throw Error(ErrorCode::kInvalidArgument, "tokenizer: id " + std::to_string(id) + " is outside the vocabulary");
  return impl_->id_to_token[static_cast<std::size_t>(id)];
}

std::optional<std::int64_t> Tokenizer::token_to_id(std::string_view token) const {
  auto it = impl_->token_to_id.find(std::string(token));
  if (it == impl_->token_to_id.end()) return std::nullopt;
  return it->second;
}

std::int64_t Tokenizer::cls_id() const { return impl_->cls; }
std::int64_t Tokenizer::sep_id() const { return impl_->sep; }
std::int64_t Tokenizer::pad_id() const { return impl_->pad; }
std::int64_t Tokenizer::unk_id() const { return impl_->unk; }
int Tokenizer::model_max_length() const { return impl_->model_max_length; }

}  // namespace splade
