// An index written from test documents held in memory: any range of objects with `id`
// (a string) and `terms` (a map from term to integer impact).
#pragma once

#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

#include "splade/index.h"

namespace splade::testing {

template <typename Docs>
Index write_small_index(const Docs& docs, const std::filesystem::path& path, const IndexBuildOptions& options) {
  IndexBuilder builder;
  for (const auto& d : docs) {
    std::vector<std::pair<std::string_view, std::uint32_t>> terms(d.terms.begin(), d.terms.end());
    builder.add_document(d.id, terms);
  }
  builder.write(path, options);
  return Index::open(path);
}

}  // namespace splade::testing
