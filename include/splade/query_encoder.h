// On-the-fly query encoding for search (Anserini's `-encoder`): a SPLADE model turns each
// topic's text into the integer query vector the index is searched with.
#pragma once

#include "splade/encoder.h"
#include "splade/searcher.h"

namespace splade {

// A SPLADE vector as the query Anserini searches with: each weight w as the integer impact
// round(w / 5 * 256) (zero impacts dropped), each vocab id as its token.
QueryVector to_query_vector(const SparseVector& vector, const Tokenizer& tokenizer);

// Token -> Anserini impact round(w / 5 * 256) (zero impacts dropped), exactly the vector
// `splade encode --queries` writes. Thread-safe, as search_topics needs.
class SpladeQueryEncoder : public QueryEncoder {
 public:
  explicit SpladeQueryEncoder(const Encoder& encoder) : encoder_(encoder) {}
  QueryVector encode(std::string_view text) override;

 private:
  const Encoder& encoder_;
};

}  // namespace splade
