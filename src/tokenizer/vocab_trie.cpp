#include "tokenizer/vocab_trie.h"

#include <algorithm>

namespace splade::tokenizer {

void VocabTrie::build(std::vector<std::pair<std::string, std::int64_t>> entries) {
  // Stable sort by bytes: of equal tokens the last given comes last, and wins below.
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  nodes_.clear(), labels_.clear(), targets_.clear();
  std::fill(std::begin(root_), std::end(root_), kNone);
  // The root's children: one subtree per first byte.
  std::size_t lo = 0;
  while (lo < entries.size() && entries[lo].first.empty()) ++lo;  // an empty token can never match
  while (lo < entries.size()) {
    const auto b = static_cast<unsigned char>(entries[lo].first[0]);
    std::size_t hi = lo;
    while (hi < entries.size() && static_cast<unsigned char>(entries[hi].first[0]) == b) ++hi;
    root_[b] = build_node(entries, lo, hi, 1);
    lo = hi;
  }
}

// Builds the node for the tokens [lo, hi), which share their first `depth` bytes.
std::uint32_t VocabTrie::build_node(const std::vector<std::pair<std::string, std::int64_t>>& sorted, std::size_t lo,
                                    std::size_t hi, std::size_t depth) {
  const auto self = static_cast<std::uint32_t>(nodes_.size());
  nodes_.emplace_back();
  while (lo < hi && sorted[lo].first.size() == depth) nodes_[self].id = sorted[lo++].second;  // last one wins
  // Group the rest by their byte at `depth`; reserve this node's edges contiguously first.
  std::vector<std::pair<std::size_t, std::size_t>> groups;
  for (std::size_t i = lo; i < hi;) {
    const char b = sorted[i].first[depth];
    std::size_t j = i;
    while (j < hi && sorted[j].first[depth] == b) ++j;
    groups.emplace_back(i, j);
    i = j;
  }
  const auto first = static_cast<std::uint32_t>(labels_.size());
  nodes_[self].first_edge = first;
  nodes_[self].edge_count = static_cast<std::uint32_t>(groups.size());
  labels_.resize(labels_.size() + groups.size());
  targets_.resize(targets_.size() + groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    labels_[first + g] = static_cast<std::uint8_t>(sorted[groups[g].first].first[depth]);
    const std::uint32_t child = build_node(sorted, groups[g].first, groups[g].second, depth + 1);
    targets_[first + g] = child;
  }
  return self;
}

}  // namespace splade::tokenizer
