// Writes SPLADE vectors in the formats Anserini and Pyserini read.
#pragma once

#include <string>
#include <string_view>

#include "splade/encode_job.h"
#include "splade/sparse_vector.h"
#include "splade/tokenizer.h"

namespace splade::encode {

// One output line (with its '\n') for a record:
// - kJsonVector: {"id": ..., "contents": ..., "vector": {"token": impact, ...}} (Anserini
//   JsonVectorCollection; impacts round(w/5*256), zero impacts omitted: they index nothing)
// - kQueryTsv: id<TAB>each token repeated by its impact (Anserini's pre-encoded queries)
// - kJsonFloat: {"id": ..., "vector": {"token": weight, ...}} with float weights
std::string format_vector(OutputFormat format, const Tokenizer& tokenizer, std::string_view id,
                          std::string_view contents, const SparseVector& vector);

// The id of a line this module wrote (for --resume). Empty if the line is not one.
std::string id_of_line(OutputFormat format, const std::string& line);

}  // namespace splade::encode
