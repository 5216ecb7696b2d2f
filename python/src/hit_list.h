// Search results as Python sees them. A search returns a HitList: the C++ hits (internal doc
// ids and integer scores) and the Index they came from, made into Python Hit objects only when
// read. Building 1,000 Python objects per call cost a third of a k = 1000 search; a HitList is
// one object, so the binding adds the same small cost at any k.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "splade/index.h"
#include "splade/searcher.h"

namespace splade::python {

// One hit: the document's external id and the integer dot product (Python's Hit).
struct PyHit {
  std::string docid;
  std::uint64_t score = 0;
};

// A read-only sequence of hits, best first (Python's HitList). Holds its Index alive, so the
// docids stay readable after the Searcher or Index objects are gone.
struct HitList {
  std::shared_ptr<const Index> index;
  std::vector<Hit> hits;

  PyHit at(std::size_t i) const { return {std::string(index->doc_id(hits[i].doc)), hits[i].score}; }
};

}  // namespace splade::python
