// How the batcher cuts a batch before the model runs it: on a CPU, the transformer body costs
// every padded token, so texts of very different lengths in one padded batch waste compute
// (MS MARCO queries of 6 and 25 tokens: three quarters of the short one's row is padding).
// The texts are taken in order of length and cut into groups whose padded size stays within
// (1 + max_padding) x their real tokens; each group is one model call.
#pragma once

#include <cstddef>
#include <vector>

namespace splade::server {

// Indices into `lengths`, grouped: each index once, a group's lengths ascending, groups by
// ascending length. A group of one text is always allowed.
std::vector<std::vector<std::size_t>> length_groups(const std::vector<std::size_t>& lengths, double max_padding);

}  // namespace splade::server
