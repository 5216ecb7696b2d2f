// The seed's before -> after summary of two models (nodes, inputs, outputs, initializers,
// file bytes) and their op counts; printed by `inspect A B` and `optimize --stats`.
#pragma once

#include <ostream>

#include "splade/model_info.h"

namespace splade::cli {

enum class OpRows { kAll, kChanged };

void print_model_comparison(const ModelInfo& before, const ModelInfo& after, OpRows op_rows, std::ostream& out);

}  // namespace splade::cli
