// Writes SPLADE vectors in the formats Anserini and Pyserini read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "splade/encode_job.h"
#include "splade/sparse_vector.h"
#include "splade/tokenizer.h"

namespace splade::encode {

// Formats one output line (with its '\n') per record:
// - kJsonVector: {"id": ..., "contents": ..., "vector": {"token": impact, ...}} (Anserini
//   JsonVectorCollection; impacts round(w/5*256), zero impacts omitted: they index nothing)
// - kQueryTsv: id<TAB>each token repeated by its impact (Anserini's pre-encoded queries)
// - kJsonFloat: {"id": ..., "vector": {"token": weight, ...}} with float weights
class VectorFormatter {
 public:
  VectorFormatter(const Tokenizer& tokenizer, OutputFormat format);
  void append(std::string& out, std::string_view id, std::string_view contents, const SparseVector& vector) const;

 private:
  const Tokenizer& tokenizer_;
  OutputFormat format_;
  std::vector<std::string> quoted_tokens_;  // JSON string literal of every vocabulary token
};

// The id of a line this module wrote (for --resume). Empty if the line is not one.
std::string id_of_line(OutputFormat format, const std::string& line);

}  // namespace splade::encode
