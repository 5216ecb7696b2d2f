// Impacts at .5 ties: where the CPU a regression was recorded on and this one may round
// differently. Anserini's impact is round(w / 5 * 256); ONNX Runtime's fp32 kernels differ
// by CPU (AVX2 vs AVX-512 FMA order), so w may differ in its last bits, and an x = w / 5 * 256
// within a hair of k + 0.5 may round to k on one CPU and k + 1 on another. The recording
// machine lists every impact whose x lay within `margin` of a .5 (the ties file); if two
// CPUs' x differ by less than `margin`, only those can round apart. Snapping an impact back
// to its recorded side is allowed only there, and only to the other neighbour of the tie;
// everything else must be byte-identical (the sha256 of the snapped vectors is checked).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "splade/searcher.h"
#include "splade/tokenizer.h"

namespace splade::regression {

struct RecordedTie {
  std::string token;
  std::int64_t recorded = 0;  // the impact on the recording machine (k or k + 1)
  double x = 0;               // w / 5 * 256 there, within margin of k + 0.5
};

struct RecordedTies {
  double margin = 0;
  // role ("corpus.vectors", "queries.vectors") -> record id -> ties
  std::map<std::string, std::unordered_map<std::string, std::vector<RecordedTie>>> by_role;
  std::size_t size() const;
};

// Reads "role<TAB>id<TAB>token<TAB>recorded impact<TAB>x" lines (plain or gzip). Throws splade::Error
// (kNotFound, kCorrupt naming file and line).
RecordedTies read_recorded_ties(const std::filesystem::path& path, double margin);

// Sets each recorded tie of `ties` in `vector` (token -> impact; 0 = absent) back to its
// recorded impact where this machine's impact is the tie's other neighbour. Returns how
// many it changed.
std::size_t snap_ties(std::map<std::string, std::int64_t>& vector, const std::vector<RecordedTie>& ties);
std::size_t snap_ties(QueryVector& vector, const std::vector<RecordedTie>& ties);

struct SnapOutcome {
  std::size_t records = 0, impacts_snapped = 0;
  std::string first;  // "id token ours->recorded" of the first snapped impact
};

// Copies JsonVectorCollection files (a file or a folder, as vectors_sha256 reads them) into
// one file `out`, byte for byte except the lines with snapped ties, which are re-written in
// `splade encode`'s layout (tokens in vocabulary-id order).
SnapOutcome snap_json_vectors(const std::filesystem::path& in, const std::filesystem::path& out,
                              const std::unordered_map<std::string, std::vector<RecordedTie>>& ties,
                              const Tokenizer& tokenizer);
// The same for Anserini's query TSV (qid<TAB>token repeated by its impact).
SnapOutcome snap_query_tsv(const std::filesystem::path& in, const std::filesystem::path& out,
                           const std::unordered_map<std::string, std::vector<RecordedTie>>& ties,
                           const Tokenizer& tokenizer);

}  // namespace splade::regression
