// The corpus encoder, a three-stage pipeline: a reader thread parses and tokenizes windows
// of records, the calling thread runs the model on them (inside a window, texts are sorted
// by length into batches: little padding), and a writer thread formats and writes each
// window's vectors in input order while the model works on the next one.
#include "splade/encode_job.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <unordered_set>

#include "common/gzip_prefix.h"
#include "common/partial_output.h"
#include "encode/record_reader.h"
#include "encode/vector_writer.h"
#include "splade/error.h"

namespace splade {
namespace fs = std::filesystem;
using encode::Record;

namespace {

struct Window {
  std::vector<Record> records;
  std::vector<Encoding> encodings;  // one per record (empty for bad records)
  std::exception_ptr error;
  bool last = false;
};

// A window's vectors on their way to the writer thread.
struct EncodedWindow {
  std::vector<Record> records;
  std::vector<SparseVector> vectors;  // one per record (empty for bad records)
  std::int64_t tokens = 0;
  bool last = false;
};

// A bounded queue between two stages of the pipeline.
template <typename Window>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}
  void push(Window w) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return q_.size() < capacity_ || closed_; });
    if (closed_) return;
    q_.push_back(std::move(w));
    not_empty_.notify_one();
  }
  Window pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !q_.empty(); });
    Window w = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return w;
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
  }

 private:
  std::size_t capacity_;
  std::deque<Window> q_;
  bool closed_ = false;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
};

encode::InputFormat parse_input_format(const std::string& s) {
  if (s == "auto") return encode::InputFormat::kAuto;
  if (s == "jsonl") return encode::InputFormat::kJsonl;
  if (s == "tsv") return encode::InputFormat::kTsv;
  throw Error(ErrorCode::kInvalidArgument, "--input-format '" + s + "': expected auto, jsonl or tsv");
}

OutputFormat resolve_output_format(const EncodeJobOptions& o) {
  if (o.output_format != OutputFormat::kAuto) return o.output_format;
  if (!o.queries) return OutputFormat::kJsonVector;
  std::string name = o.output;
  if (PartialOutput::is_gzip(name)) name.resize(name.size() - 3);
  const bool tsv = name.size() >= 4 && name.compare(name.size() - 4, 4, ".tsv") == 0;
  return tsv ? OutputFormat::kQueryTsv : OutputFormat::kJsonFloat;
}

std::int64_t count_records(const EncodeJobOptions& o) {
  encode::RecordReader reader(o.input, parse_input_format(o.input_format));
  Record r;
  std::int64_t n = 0;
  while (reader.next(r)) ++n;
  return n;
}

// Reads the whole lines of an interrupted run's .partial file, rewrites it with exactly
// those lines (dropping a torn last line or gzip member), and returns their ids in order.
std::vector<std::string> recover_partial(const std::string& output, OutputFormat format) {
  const std::string partial = PartialOutput::partial_path(output);
  // Everything that decompresses (a killed gzip writer leaves no trailer), split in lines;
  // the text after the last '\n' is a torn line.
  const std::string content = read_decodable_prefix(partial);
  std::vector<std::string> lines;
  std::size_t begin = 0;
  for (std::size_t nl; (nl = content.find('\n', begin)) != std::string::npos; begin = nl + 1)
    lines.push_back(content.substr(begin, nl - begin));
  // The last line may be torn (killed mid-write): keep it only if it parses as ours.
  std::vector<std::string> ids;
  std::size_t keep = 0;
  for (; keep < lines.size(); ++keep) {
    std::string id = encode::id_of_line(format, lines[keep]);
    if (id.empty()) break;
    ids.push_back(std::move(id));
  }
  lines.resize(keep);
  PartialOutput rewrite(output, /*append=*/false);
  for (const auto& line : lines) {
    rewrite.write(line);
    rewrite.write("\n");
  }
  rewrite.flush();
  return ids;
}

}  // namespace

EncodeJobSummary run_encode_job(const Encoder& encoder, const EncodeJobOptions& o,
                                const std::function<void(const EncodeProgress&)>& on_progress) {
  const auto start = std::chrono::steady_clock::now();
  if (o.batch_size < 1) throw Error(ErrorCode::kInvalidArgument, "--batch must be at least 1");
  if (o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count)
    throw Error(ErrorCode::kInvalidArgument, "--shard I/N needs 0 <= I < N");
  if (o.output.empty()) throw Error(ErrorCode::kInvalidArgument, "no output file given");
  const encode::InputFormat input_format = parse_input_format(o.input_format);
  if (o.input == "-" && o.shard_count > 1)
    throw Error(ErrorCode::kInvalidArgument, "--shard needs a file input (it counts the records first)");

  EncodeJobSummary summary;
  summary.output_format = resolve_output_format(o);
  const std::string partial = PartialOutput::partial_path(o.output);
  if (fs::exists(partial) && !o.resume)
    throw Error(ErrorCode::kInvalidArgument, partial + " exists (an interrupted run): pass --resume to continue it, "
                                                       "or remove it");

  // Which records this shard owns: [first, last) by position among non-blank lines.
  std::int64_t total = -1, first = 0, last = INT64_MAX;
  if (o.shard_count > 1 || o.input != "-") {
    total = count_records(o);
    first = total * o.shard_index / o.shard_count;
    last = total * (o.shard_index + 1) / o.shard_count;
  }

  const bool floats_too = !o.float_output.empty();
  const std::string float_partial = floats_too ? PartialOutput::partial_path(o.float_output) : "";
  if (floats_too && o.float_output == o.output)
    throw Error(ErrorCode::kInvalidArgument, "--float-output " + o.float_output + ": is the --output file");
  if (floats_too && fs::exists(float_partial) && !o.resume)
    throw Error(ErrorCode::kInvalidArgument, float_partial + " exists (an interrupted run): pass --resume to continue it, "
                                                             "or remove it");

  std::unordered_set<std::string> seen_ids;
  std::optional<std::string> resume_after;  // skip input up to and including this id
  if (o.resume && fs::exists(partial)) {
    auto ids = recover_partial(o.output, summary.output_format);
    if (floats_too) {
      // Both files continue after the same record, or the run cannot resume.
      const auto float_ids = fs::exists(float_partial) ? recover_partial(o.float_output, OutputFormat::kJsonFloat)
                                                       : std::vector<std::string>{};
      if (float_ids != ids)
        throw Error(ErrorCode::kCorrupt, float_partial + ": holds " + std::to_string(float_ids.size()) +
                                             " records, " + partial + " " + std::to_string(ids.size()) +
                                             ": cannot resume both (remove both .partial files)");
    }
    summary.records_resumed = static_cast<std::int64_t>(ids.size());
    if (!ids.empty()) resume_after = ids.back();
    seen_ids.insert(ids.begin(), ids.end());
  } else if (floats_too && fs::exists(float_partial)) {
    throw Error(ErrorCode::kCorrupt, float_partial + " exists without " + partial + ": cannot resume (remove it)");
  }
  PartialOutput out(o.output, /*append=*/o.resume && fs::exists(partial));
  std::optional<PartialOutput> float_out;
  if (floats_too) float_out.emplace(o.float_output, /*append=*/o.resume && fs::exists(float_partial));

  const Tokenizer& tokenizer = encoder.tokenizer();
  const encode::VectorFormatter formatter(tokenizer, summary.output_format);
  const encode::VectorFormatter float_formatter(tokenizer, OutputFormat::kJsonFloat);
  EncodeOptions tokenize;
  tokenize.max_length = encoder.options().max_length;
  tokenize.truncation = encoder.options().truncation;
  const std::size_t window_size = static_cast<std::size_t>(o.batch_size) * 16;

  // Reader thread: parse, validate ids, tokenize; one window at a time.
  BoundedQueue<Window> queue(2);
  std::thread reader_thread([&] {
    try {
      encode::RecordReader reader(o.input, input_format);
      Record r;
      std::int64_t position = -1;
      bool skipping = resume_after.has_value();
      Window w;
      while (reader.next(r)) {
        ++position;
        if (position < first) continue;
        if (position >= last) break;
        if (skipping) {
          if (r.error.empty() && r.id == *resume_after) skipping = false;
          continue;
        }
        if (o.allow_empty && r.empty_text) r.error.clear();
        if (r.error.empty() && !seen_ids.insert(r.id).second) r.error = "duplicate id '" + r.id + "'";
        w.encodings.push_back(r.error.empty() ? tokenizer.encode(r.text, tokenize) : Encoding{});
        w.records.push_back(std::move(r));
        if (w.records.size() == window_size) {
          queue.push(std::move(w));
          w = Window{};
        }
      }
      if (skipping)
        throw Error(ErrorCode::kCorrupt, partial + ": its last record '" + *resume_after +
                                             "' is not in this input (shard): cannot resume");
      w.last = true;
      queue.push(std::move(w));
    } catch (...) {
      Window failed;
      failed.error = std::current_exception();
      failed.last = true;
      queue.push(std::move(failed));
    }
  });

  // Writer thread: format, write and flush each window (whole lines reach the file, so an
  // interrupted run resumes cleanly), then report progress.
  EncodeProgress progress;
  progress.records_total = total < 0 ? 0 : last - first;
  progress.records_done = summary.records_resumed;
  BoundedQueue<EncodedWindow> to_writer(1);
  std::exception_ptr write_failure;
  std::atomic<bool> writer_failed{false};
  std::thread writer_thread([&] {
    try {
      std::string text, float_text;
      for (;;) {
        EncodedWindow w = to_writer.pop();
        text.clear();
        float_text.clear();
        for (std::size_t i = 0; i < w.records.size(); ++i) {
          if (!w.records[i].error.empty()) continue;
          formatter.append(text, w.records[i].id, w.records[i].text, w.vectors[i]);
          if (float_out) float_formatter.append(float_text, w.records[i].id, w.records[i].text, w.vectors[i]);
          ++summary.records_written;
          if (w.records[i].empty_text) ++summary.records_blank;
        }
        // The float file first: an interruption between the two writes leaves it one window
        // ahead, and --resume then refuses (naming both files) rather than guessing.
        if (float_out) {
          float_out->write(float_text);
          float_out->flush();
        }
        out.write(text);
        out.flush();
        progress.tokens += w.tokens;
        progress.records_done += static_cast<std::int64_t>(w.records.size());
        progress.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (on_progress) on_progress(progress);
        if (w.last) break;
      }
    } catch (...) {
      write_failure = std::current_exception();
      writer_failed = true;
      // Drain the queue so that the model thread never blocks on a dead writer.
      for (;;)
        if (to_writer.pop().last) break;
    }
  });

  std::exception_ptr failure;
  try {
    for (;;) {
      if (writer_failed) throw Error(ErrorCode::kIo, o.output + ": writing failed");  // the writer's error is rethrown below
      Window w = queue.pop();
      if (w.error) std::rethrow_exception(w.error);
      // Batches of similar length: sort the window's good records by token count.
      std::vector<std::size_t> order;
      for (std::size_t i = 0; i < w.records.size(); ++i) {
        if (!w.records[i].error.empty()) {
          const auto& r = w.records[i];
          if (o.on_error == OnError::kFail)
            throw Error(ErrorCode::kCorrupt, r.file + ":" + std::to_string(r.line) + ": bad record: " + r.error +
                                                 " (--on-error skip to skip bad records)");
          summary.bad_records.push_back({r.file, r.line, r.error});
          continue;
        }
        order.push_back(i);
      }
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return w.encodings[a].ids.size() < w.encodings[b].ids.size();
      });
      EncodedWindow encoded;
      encoded.vectors.resize(w.records.size());
      for (std::size_t b = 0; b < order.size(); b += static_cast<std::size_t>(o.batch_size)) {
        const std::size_t end = std::min(order.size(), b + static_cast<std::size_t>(o.batch_size));
        std::vector<Encoding> batch;
        for (std::size_t k = b; k < end; ++k) batch.push_back(std::move(w.encodings[order[k]]));
        auto result = encoder.encode_tokenized(batch);
        for (std::size_t k = b; k < end; ++k) {
          encoded.tokens += static_cast<std::int64_t>(batch[k - b].ids.size());
          encoded.vectors[order[k]] = std::move(result[k - b]);
        }
      }
      encoded.records = std::move(w.records);
      encoded.last = w.last;
      to_writer.push(std::move(encoded));
      if (w.last) break;
    }
  } catch (...) {
    failure = std::current_exception();
    queue.close();
    EncodedWindow stop;
    stop.last = true;
    to_writer.push(std::move(stop));
  }
  reader_thread.join();
  writer_thread.join();
  if (write_failure) std::rethrow_exception(write_failure);
  if (failure) std::rethrow_exception(failure);
  if (float_out) float_out->commit();
  out.commit();
  summary.tokens = progress.tokens;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace splade
