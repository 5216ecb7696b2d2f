#include "server/length_groups.h"

#include <algorithm>
#include <numeric>

namespace splade::server {

std::vector<std::vector<std::size_t>> length_groups(const std::vector<std::size_t>& lengths, double max_padding) {
  std::vector<std::size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lengths[a] < lengths[b]; });
  std::vector<std::vector<std::size_t>> groups;
  double real = 0;  // real tokens of the open group
  for (const std::size_t i : order) {
    const double next = static_cast<double>(lengths[i]);
    // Ascending order: with i, the group pads to lengths[i].
    if (!groups.empty() &&
        next * static_cast<double>(groups.back().size() + 1) <= (1.0 + max_padding) * (real + next)) {
      groups.back().push_back(i);
      real += next;
    } else {
      groups.push_back({i});
      real = next;
    }
  }
  return groups;
}

}  // namespace splade::server
