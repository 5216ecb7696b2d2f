// The four small, complete test collections of ../shared/data/collections (CACM, Vaswani/NPL,
// Cranfield, CISI) read from their original formats into one shape: documents and topics as
// (id, text), judgments as TREC qrels. `splade collection export` writes them as Anserini
// inputs: a JsonCollection corpus, a topics TSV and a qrels file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace splade::collections {

struct TextRecord {
  std::string id;
  std::string text;  // whitespace runs (including newlines) collapsed to one space, trimmed;
                     // BEIR texts are kept verbatim ("title text"), as Pyserini encodes them
};

struct QrelsEntry {
  std::string qid;
  std::string docno;
  long relevance = 0;  // higher = more relevant; 0 = judged nonrelevant
};

struct TestCollection {
  std::string name;
  std::vector<TextRecord> documents;  // in source order
  std::vector<TextRecord> topics;     // in source order; ids as the qrels use them
  std::vector<QrelsEntry> qrels;      // in source order
};

// "cacm", "vaswani", "cranfield", "cisi", "scifact" (BEIR).
std::vector<std::string> collection_names();

// Reads collection `name` from `data_dir`/collections/<name>/ (data_dir: ../shared/data), or a
// BEIR one (scifact) from `data_dir`/beir/.
// What each source format becomes (fields kept, id rules, grade mapping) is in ARCHITECTURE.md.
// Throws splade::Error: kInvalidArgument (unknown name), kNotFound, kCorrupt (a malformed
// record, with file and line).
TestCollection load_collection(const std::string& name, const std::filesystem::path& data_dir);

struct ExportPaths {
  std::filesystem::path corpus;  // corpus.jsonl: {"id": ..., "contents": ...} a line
  std::filesystem::path topics;  // topics.tsv: qid<TAB>text (Anserini's TsvString topic reader)
  std::filesystem::path qrels;   // qrels.txt: qid 0 docno relevance
};

// Writes the three files into `out_dir` (created if missing), each atomically.
ExportPaths export_collection(const TestCollection& collection, const std::filesystem::path& out_dir);

}  // namespace splade::collections
