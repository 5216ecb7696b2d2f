// A byte trie over vocabulary tokens, for WordPiece's greedy longest-match: one walk finds
// the longest token that prefixes a word, where a hash lookup per candidate length would
// cost O(n) lookups per piece. Immutable after build, so shared by all threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace splade::tokenizer {

class VocabTrie {
 public:
  // entries: (token bytes, id); a token given twice keeps the last id.
  void build(std::vector<std::pair<std::string, std::int64_t>> entries);

  // The longest token that is a prefix of s: (its length in bytes, its id), or (0, -1).
  std::pair<std::size_t, std::int64_t> longest_prefix(std::string_view s) const {
    std::size_t best_len = 0;
    std::int64_t best_id = -1;
    if (s.empty() || nodes_.empty()) return {0, -1};
    std::uint32_t node = root_[static_cast<unsigned char>(s[0])];
    for (std::size_t i = 0;;) {
      if (node == kNone) break;
      const Node& nd = nodes_[node];
      ++i;
      if (nd.id >= 0) best_len = i, best_id = nd.id;
      if (i == s.size()) break;
      const auto b = static_cast<unsigned char>(s[i]);
      std::uint32_t next = kNone;
      for (std::uint32_t e = nd.first_edge, stop = nd.first_edge + nd.edge_count; e < stop; ++e) {
        if (labels_[e] == b) {
          next = targets_[e];
          break;
        }
        if (labels_[e] > b) break;
      }
      node = next;
    }
    return {best_len, best_id};
  }

 private:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  struct Node {
    std::int64_t id = -1;
    std::uint32_t first_edge = 0;
    std::uint32_t edge_count = 0;
  };
  std::uint32_t build_node(const std::vector<std::pair<std::string, std::int64_t>>& sorted, std::size_t lo,
                           std::size_t hi, std::size_t depth);

  std::uint32_t root_[256];
  std::vector<Node> nodes_;
  std::vector<std::uint8_t> labels_;    // edges of a node are contiguous, sorted by label
  std::vector<std::uint32_t> targets_;
};

}  // namespace splade::tokenizer
