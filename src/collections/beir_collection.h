// BEIR collections as Anserini's BEIR regressions read them (../shared/data/beir/).
#pragma once

#include <filesystem>

#include "splade/collections.h"

namespace splade::collections {

// BEIR `name` (today: scifact, the one whose corpus ../shared/data holds) from `beir_dir`:
//   corpus.beir-v1.0.0-<name>.jsonl.gz   {"_id", "title", "text"} a line
//   topics.beir-v1.0.0-<name>.test.tsv.gz qid<TAB>query
//   qrels.beir-v1.0.0-<name>.test.txt     TREC qrels
// A document's text is "title text", verbatim (whitespace kept), as Pyserini and `splade
// encode` join a BEIR record, so exported and BEIR-read corpora encode to the same bytes.
// Throws splade::Error: kNotFound (a missing file), kCorrupt (a malformed line, with file and line).
TestCollection load_beir(const std::string& name, const std::filesystem::path& beir_dir);

}  // namespace splade::collections
