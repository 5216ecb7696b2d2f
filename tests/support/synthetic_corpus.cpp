#include "support/synthetic_corpus.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include "splade/searcher.h"

namespace splade::testing {

AliasTable::AliasTable(const std::vector<double>& weights) : probability_(weights.size()), alias_(weights.size()) {
  const std::size_t n = weights.size();
  double total = 0;
  for (double w : weights) total += w;
  std::vector<double> scaled(n);
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * n / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const auto s = small.back(), l = large.back();
    small.pop_back();
    probability_[s] = scaled[s];
    alias_[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (auto i : large) probability_[i] = 1.0, alias_[i] = i;
  for (auto i : small) probability_[i] = 1.0, alias_[i] = i;
}

std::size_t AliasTable::sample(std::mt19937_64& rng) const {
  const std::uint64_t r = rng();
  const std::size_t column = static_cast<std::size_t>((r >> 32) * probability_.size() >> 32);
  const double coin = static_cast<double>(r & 0xFFFFFFFFu) / 4294967296.0;
  return coin < probability_[column] ? column : alias_[column];
}

TermModel TermModel::from_query_vectors(const std::filesystem::path& queries, const std::filesystem::path& vocab,
                                        double unseen_weight) {
  TermModel m;
  std::unordered_map<std::string, std::size_t> df;
  for (const auto& topic : read_topics(queries, TopicFormat::kTsvTokens)) {
    for (const auto& [token, weight] : topic.vector) {
      ++df[token];
      m.query_impacts.push_back(static_cast<std::uint32_t>(weight));
    }
  }
  std::ifstream in(vocab);
  if (!in) throw std::runtime_error(vocab.string() + ": cannot open");
  std::string token;
  while (std::getline(in, token)) {
    if (token.empty() || (token.front() == '[' && token.back() == ']')) continue;  // [PAD], [unused0], [CLS], ...
    const auto it = df.find(token);
    m.tokens.push_back(token);
    m.token_weights.push_back(it == df.end() ? unseen_weight : static_cast<double>(it->second));
  }
  std::sort(m.query_impacts.begin(), m.query_impacts.end());
  return m;
}

void generate_corpus(const TermModel& model, const CorpusSpec& spec, const DocumentSink& sink) {
  std::mt19937_64 rng(spec.seed);
  const AliasTable terms(model.token_weights);
  auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0; };
  std::vector<std::uint32_t> seen(model.tokens.size(), 0);  // doc number + 1 that last drew the token
  std::vector<std::pair<std::string_view, std::uint32_t>> doc;
  for (std::uint64_t d = 0; d < spec.num_docs; ++d) {
    // Box-Muller normal -> log-normal length.
    const double z = std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
    const auto length = static_cast<std::size_t>(
        std::clamp(std::lround(spec.median_terms * std::exp(spec.sigma * z)), 4L, 600L));
    doc.clear();
    while (doc.size() < length) {
      const std::size_t t = terms.sample(rng);
      if (seen[t] == d + 1) continue;
      seen[t] = static_cast<std::uint32_t>(d + 1);
      const std::uint32_t q = model.query_impacts[static_cast<std::size_t>(uniform() * model.query_impacts.size())];
      const auto impact = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(q * spec.impact_scale)));
      doc.emplace_back(model.tokens[t], impact);
    }
    sink(std::to_string(d), doc);
  }
}

}  // namespace splade::testing
