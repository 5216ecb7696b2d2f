// Encoding a whole corpus or topic file: what `splade encode` runs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "splade/encoder.h"

namespace splade {

enum class OutputFormat {
  kAuto,        // documents: kJsonVector; queries: kQueryTsv for .tsv[.gz], else kJsonFloat
  kJsonVector,  // Anserini JsonVectorCollection (integer impacts)
  kQueryTsv,    // Anserini pre-encoded queries: id<TAB>token repeated by impact
  kJsonFloat,   // JSONL with float weights
};

enum class OnError { kFail, kSkip };

struct EncodeJobOptions {
  std::string input;                 // file, folder, or "-" (stdin)
  std::string input_format = "auto"; // auto | jsonl | tsv
  std::string output;                // the finished file; written as <output>.partial first
  bool queries = false;
  OutputFormat output_format = OutputFormat::kAuto;
  int batch_size = 32;               // texts per ONNX Runtime run (pooled/logits models)
  int shard_index = 0;               // --shard I/N: this job encodes the I-th of N contiguous
  int shard_count = 1;               //   slices, so the N outputs concatenate to the whole
  OnError on_error = OnError::kFail;
  bool resume = false;               // continue <output>.partial
  bool allow_empty = true;           // encode blank texts ([CLS] [SEP] only), as Pyserini does
                                     // (Cranfield, CISI have some); false: they are bad records
  // Also write the same records' float weights here (kJsonFloat, the same lines as a
  // --output-format jsonl-float run), from the same model runs: impacts and the floats they
  // were rounded from, in one pass. Empty: none. Written and resumed like `output`.
  std::string float_output;
};

struct BadRecord {
  std::string file;
  std::int64_t line = 0;
  std::string reason;
};

struct EncodeProgress {
  std::int64_t records_done = 0;     // written or skipped as bad
  std::int64_t records_total = 0;    // in this shard
  std::int64_t tokens = 0;           // word pieces encoded (with [CLS]/[SEP])
  double seconds = 0;
};

struct EncodeJobSummary {
  std::int64_t records_written = 0;
  std::int64_t records_resumed = 0;  // found already written in the .partial file
  std::int64_t records_blank = 0;    // of records_written: blank texts, encoded as [CLS] [SEP] alone
  std::int64_t tokens = 0;
  double seconds = 0;
  std::vector<BadRecord> bad_records;  // all of them (with --on-error skip)
  OutputFormat output_format = OutputFormat::kAuto;
};

// Runs the job. Throws splade::Error on bad options, unreadable input, or (with kFail) the
// first bad record, naming its file and line; the .partial output then stays for --resume.
EncodeJobSummary run_encode_job(const Encoder& encoder, const EncodeJobOptions& options,
                                const std::function<void(const EncodeProgress&)>& on_progress = {});

}  // namespace splade
