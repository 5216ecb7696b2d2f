// Reads blockmax.bin (format.h) in place and checks its structure, so that block-max
// search never reads out of bounds: array extents, monotone offsets, ids in range.
#pragma once

#include "index/index_impl.h"

namespace splade {

// Fills index.block_max from index.block_max_file (already size- and CRC-checked).
// Throws splade::Error (kCorrupt) naming blockmax.bin and what is inconsistent.
void check_block_max(Index::Impl& index);

}  // namespace splade
