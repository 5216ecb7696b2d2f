// The regression runner: collection export -> convert -> encode corpus and queries -> check
// the vectors are those the figures were made on -> index -> search -> score and compare.
// Every step goes through the library (no subprocess), is skipped when its output exists in
// {work}, and writes its output atomically (each library call does: temporary name + rename).
#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "splade/collections.h"
#include "splade/converter.h"
#include "splade/encode_job.h"
#include "splade/encoder.h"
#include "splade/error.h"
#include "splade/evaluator.h"
#include "splade/index.h"
#include "splade/optimize.h"
#include "splade/quantize.h"
#include "splade/query_encoder.h"
#include "regression/recorded_ties.h"
#include "splade/regression.h"
#include "splade/searcher.h"

namespace splade::regression {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// Encodes on the fly like SpladeQueryEncoder, and keeps each text's vector so that the
// runner can compare them with the recorded query vectors afterwards.
// With recorded ties (text -> ties of its topic), impacts at .5 ties go back to their
// recorded side, as the recorded query vectors were snapped.
class RecordingQueryEncoder : public QueryEncoder {
 public:
  explicit RecordingQueryEncoder(const Encoder& encoder,
                                 std::unordered_map<std::string, std::vector<RecordedTie>> ties_by_text = {})
      : inner_(encoder), ties_by_text_(std::move(ties_by_text)) {}
  QueryVector encode(std::string_view text) override {
    QueryVector v = inner_.encode(text);
    if (auto it = ties_by_text_.find(std::string(text)); it != ties_by_text_.end()) snap_ties(v, it->second);
    std::lock_guard lock(mutex_);
    seen_.emplace(std::string(text), v);
    return v;
  }
  const std::unordered_map<std::string, QueryVector>& seen() const { return seen_; }

 private:
  SpladeQueryEncoder inner_;
  std::unordered_map<std::string, std::vector<RecordedTie>> ties_by_text_;
  std::mutex mutex_;
  std::unordered_map<std::string, QueryVector> seen_;
};

// A query vector as the search sees it: weights of a token summed, weights <= 0 dropped.
std::map<std::string, std::int64_t> normalized(const QueryVector& v) {
  std::map<std::string, std::int64_t> out;
  for (const auto& [tok, w] : v) out[tok] += w;
  std::erase_if(out, [](const auto& kv) { return kv.second <= 0; });
  return out;
}

class Runner {
 public:
  Runner(const RegressionSpec& spec, const RunOptions& options, RegressionOutcome& out)
      : spec_(spec), o_(options), out_(out),
        threads_(options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency())) {}

  fs::path path(const std::string& p) const { return fs::path(expand(p, o_.work, o_.data)); }

  void say(const std::string& line) const {
    if (o_.progress) o_.progress(line);
  }

  // Runs `make` unless `output` exists; records the step either way.
  template <typename Make>
  void step(const std::string& name, const fs::path& output, Make make) {
    if (present(output)) {
      say(fmt::format("{}: skipped, {} exists", name, output.string()));
      out_.steps.push_back({name, 0.0, true, output.string() + " exists"});
      return;
    }
    say(fmt::format("{}: ...", name));
    const auto t0 = Clock::now();
    std::string detail = make();
    const double s = seconds_since(t0);
    say(fmt::format("{}: {} ({:.1f} s)", name, detail, s));
    out_.steps.push_back({name, s, false, detail});
  }

  void fail(const std::string& why) {
    say("FAILED: " + why);
    out_.failures.push_back(why);
  }

  // The model that encodes documents and queries, opened once when first needed.
  const Encoder& encoder(int threads) {
    if (!encoder_ || encoder_threads_ != threads) {
      EncoderOptions eo;
      eo.threads = threads;
      encoder_threads_ = threads;
      if (spec_.model_kind == "onnx") {
        const fs::path model = path(spec_.model_path);
        if (fs::is_directory(model)) encoder_.emplace(Encoder::open(model.string(), eo));
        else
          encoder_.emplace(Encoder::open(model.string(),
                                         spec_.model_vocab.empty() ? model.parent_path().string()
                                                                   : path(spec_.model_vocab).string(),
                                         eo));
      } else {
        encoder_.emplace(Encoder::open(path(spec_.onnx_model).string(), eo));
      }
    }
    return *encoder_;
  }

  void export_collection() {
    if (spec_.collection.empty()) return;
    const fs::path dir = o_.work / "collection";
    const fs::path marker = dir / "qrels.txt";
    const bool complete = present(dir / "corpus.jsonl") && present(dir / "topics.tsv") && present(marker);
    step("collection export", complete ? marker : fs::path(), [&] {
      const auto c = collections::load_collection(spec_.collection, o_.data);
      collections::export_collection(c, dir);
      return fmt::format("{}: {} documents, {} topics, {} judgments -> {}", spec_.collection, c.documents.size(),
                         c.topics.size(), c.qrels.size(), dir.string());
    });
    for (const auto* p : {&spec_.topics, &spec_.qrels})
      if (!present(path(*p)))
        throw Error(ErrorCode::kInvalidArgument,
                    spec_.source.string() + ": " + path(*p).string() + " is not among the files `collection export " +
                        spec_.collection + "` writes into {work}/collection/ (corpus.jsonl, topics.tsv, qrels.txt)");
  }

  void convert() {
    if (spec_.model_kind != "random-weight" && spec_.model_kind != "huggingface") return;
    const fs::path model_dir = path(spec_.onnx_model);
    const bool int8 = !spec_.int8_target.empty();
    const fs::path onnx = int8 ? o_.work / "onnx-fp32" : model_dir;
    step("convert", int8 ? model_dir / "model.onnx" : onnx / "model.onnx", [&] {
      ConvertOptions co;
      co.head = ConvertHead::kSpladePooled;
      co.threads = threads_;
      const auto r = convert_model(path(spec_.model_path), onnx, co);
      if (!r.passed)
        throw Error(ErrorCode::kValidation, path(spec_.model_path).string() + ": the converted model differs from the " +
                                                "reference forward pass by " + fmt::format("{:.3g}", r.max_abs_diff) +
                                                " (> " + fmt::format("{:g}", co.atol) + "); nothing written");
      std::string said = fmt::format("{} -> {} (validated, max |diff| {:.2g})", path(spec_.model_path).string(),
                                     r.model_path.string(), r.max_abs_diff);
      if (int8) said += "; " + quantize_into(onnx, model_dir);
      return said;
    });
  }

  // {fp32}/model.onnx -> optimize -> quantize (model.int8's target) -> {out}/model.onnx, with
  // the tokenizer files beside it, as `splade optimize` and `splade quantize` write them.
  std::string quantize_into(const fs::path& fp32, const fs::path& out) {
    fs::create_directories(out);
    for (const auto& e : fs::directory_iterator(fp32))
      if (e.is_regular_file() && e.path().filename() != "model.onnx")
        fs::copy_file(e.path(), out / e.path().filename(), fs::copy_options::overwrite_existing);
    const fs::path optimized = o_.work / "model-optimized.onnx";
    const auto opt = optimize_model(fp32 / "model.onnx", optimized, OptimizeOptions{});
    QuantizeOptions qo;
    qo.target = parse_int8_target(spec_.int8_target);
    const auto q = quantize_model(optimized, out / "model.onnx", qo);
    return fmt::format("optimized ({} -> {} nodes), int8 {} ({} MatMuls) -> {}", opt.nodes_before, opt.nodes_after,
                       spec_.int8_target, q.matmuls_quantized, q.output.string());
  }

  void encode_corpus() {
    if (spec_.collection.empty() || spec_.model_kind == "none") return;
    const fs::path dir = path(spec_.corpus_vectors);
    const fs::path file = dir / "vectors.jsonl";
    step("encode corpus", file, [&] {
      fs::create_directories(dir);
      EncodeJobOptions job;
      job.input = (o_.work / "collection" / "corpus.jsonl").string();
      job.output = file.string();
      if (!spec_.corpus_float_vectors.empty()) {
        job.float_output = path(spec_.corpus_float_vectors).string();
        fs::create_directories(path(spec_.corpus_float_vectors).parent_path());
      }
      job.allow_empty = true;  // blank documents (Cranfield has two) as Pyserini encodes them
      job.resume = true;       // continue an interrupted run's vectors.jsonl.partial
      const auto s = run_encode_job(encoder(threads_), job);
      return fmt::format("{} documents, {} tokens -> {} ({:.0f} documents/s)", s.records_written + s.records_resumed,
                         s.tokens, file.string(), s.seconds > 0 ? s.records_written / s.seconds : 0.0);
    });
  }

  void encode_queries() {
    if (spec_.query_vectors.empty() || spec_.model_kind == "none") return;
    const fs::path file = path(spec_.query_vectors);
    step("encode queries", file, [&] {
      fs::create_directories(file.parent_path());
      EncodeJobOptions job;
      job.input = path(spec_.topics).string();
      job.output = file.string();
      job.queries = true;
      job.resume = true;
      const auto s = run_encode_job(encoder(threads_), job);
      return fmt::format("{} queries -> {}", s.records_written + s.records_resumed, file.string());
    });
  }

  // The figures hold for the exact vectors they were made on: compare sha256 when recorded.
  // Vectors made on another CPU may differ at .5 ties only (recorded_ties.h): those are
  // snapped to their recorded side in a copy under {work}/as-recorded, which must then match.
  bool check_vectors() {
    const auto t0 = Clock::now();
    std::string detail;
    for (const auto& [role, file] : {std::pair{std::string("corpus.vectors"), spec_.corpus_vectors},
                                     std::pair{std::string("queries.vectors"), spec_.query_vectors}}) {
      const auto want = spec_.sha256.find(role);
      if (file.empty() || want == spec_.sha256.end()) continue;
      const std::string got = vectors_sha256(path(file));
      if (got == want->second) {
        detail += (detail.empty() ? "" : ", ") + role + " sha256 as recorded";
        continue;
      }
      std::string snapped_note;
      if (!spec_.ties_file.empty()) {
        if (!ties_) ties_ = read_recorded_ties(spec_.ties_file, spec_.tie_margin);
        const bool corpus = role == "corpus.vectors";
        const fs::path copy = o_.work / "as-recorded" / (corpus ? "corpus.vectors.jsonl" : "queries.tsv");
        fs::create_directories(copy.parent_path());
        const auto& ties = ties_->by_role[role];
        const auto& tok = encoder(threads_).tokenizer();
        const SnapOutcome so = corpus ? snap_json_vectors(path(file), copy, ties, tok) : snap_query_tsv(path(file), copy, ties, tok);
        const std::string snapped = vectors_sha256(copy);
        if (snapped == want->second) {
          (corpus ? snapped_corpus_ : snapped_queries_) = copy;
          detail += (detail.empty() ? "" : ", ") +
                    fmt::format("{} sha256 as recorded after {} of {} recorded .5 ties rounded the other way on this CPU "
                                "were snapped back{} -> {}", role, so.impacts_snapped, ties_->size(),
                                so.first.empty() ? "" : " (first: " + so.first + ")", copy.string());
          continue;
        }
        snapped_note = fmt::format(" ({} after snapping {} impacts at the recorded .5 ties of {})", snapped,
                                   so.impacts_snapped, spec_.ties_file.string());
      }
      fail(fmt::format("{} {}: sha256 {}{}, but the expected figures are for other vectors (sha256 {} in {}): "
                       "a different model, encoder or ONNX Runtime build made these",
                       role, path(file).string(), got, snapped_note, want->second, spec_.source.string()));
      return false;
    }
    if (!detail.empty()) {
      out_.steps.push_back({"check vectors", seconds_since(t0), false, detail});
      say("check vectors: " + detail);
    }
    return true;
  }

  bool index(std::optional<Index>& index) {
    const fs::path dir = o_.work / "index";
    step("index", dir, [&] {
      IndexBuildOptions io;
      io.threads = threads_;
      const auto s = build_index_from_json_vectors(snapped_corpus_.empty() ? path(spec_.corpus_vectors) : snapped_corpus_,
                                                   dir, io);
      return fmt::format("{} documents, {} terms, {} postings, {} bytes -> {}", s.num_docs, s.num_terms,
                         s.num_postings, s.bytes_on_disk, dir.string());
    });
    index.emplace(Index::open(dir));
    if (index->num_docs() != static_cast<std::uint64_t>(spec_.documents)) {
      fail(fmt::format("index {}: {} documents, but {} says the corpus has {}", dir.string(), index->num_docs(),
                       spec_.source.string(), spec_.documents));
      return false;
    }
    return true;
  }

  void search(const Index& index, const fs::path& run) {
    step("search", run, [&] {
      BatchSearchOptions bo;
      bo.search.k = static_cast<std::size_t>(spec_.hits);
      bo.threads = threads_;
      std::optional<RecordingQueryEncoder> on_the_fly;
      std::vector<Topic> topics;
      if (spec_.query_encoding == "onnx") {
        topics = read_topics(path(spec_.topics), TopicFormat::kTsvText);
        std::unordered_map<std::string, std::vector<RecordedTie>> ties_by_text;
        if (!snapped_queries_.empty()) {
          const auto& query_ties = ties_->by_role["queries.vectors"];
          for (const auto& t : topics)
            if (auto it = query_ties.find(t.id); it != query_ties.end()) ties_by_text[t.text] = it->second;
        }
        on_the_fly.emplace(encoder(1), std::move(ties_by_text));  // one ORT thread per query, queries in parallel
        bo.encoder = &*on_the_fly;
      } else {
        topics = read_topics(snapped_queries_.empty() ? path(spec_.query_vectors) : snapped_queries_, TopicFormat::kAuto);
      }
      const auto result = search_topics(index, topics, bo);
      write_trec_run(run, index, result, "splade", RunScoreFormat::kAnserini);
      if (on_the_fly && !spec_.query_vectors.empty()) compare_queries(topics, on_the_fly->seen());
      const auto lat = summarize_search_latency(result);
      return fmt::format("{} topics, {} hits each, {} threads, {} queries/s{} -> {}", topics.size(), spec_.hits,
                         threads_, static_cast<long>(lat.qps), on_the_fly ? " (queries encoded on the fly)" : "",
                         run.string());
    });
  }

  // The expected figures were made with the recorded query vectors; say whether the ones
  // encoded on the fly are the same (batch-1 and batched runs may differ by float noise).
  void compare_queries(const std::vector<Topic>& topics, const std::unordered_map<std::string, QueryVector>& seen) {
    std::unordered_map<std::string, QueryVector> recorded;
    const fs::path file = snapped_queries_.empty() ? path(spec_.query_vectors) : snapped_queries_;
    for (auto& t : read_topics(file, TopicFormat::kAuto)) recorded.emplace(t.id, std::move(t.vector));
    std::size_t same = 0;
    std::string first_different;
    for (const auto& t : topics) {
      const auto r = recorded.find(t.id);
      const auto s = seen.find(t.text);
      if (r != recorded.end() && s != seen.end() && normalized(r->second) == normalized(s->second)) ++same;
      else if (first_different.empty()) first_different = t.id;
    }
    out_.notes.push_back(fmt::format("query vectors encoded on the fly: {} of {} identical to queries.vectors ({}){}",
                                     same, topics.size(), file.string(),
                                     first_different.empty() ? "" : "; first different: topic " + first_different));
    say(out_.notes.back());
  }

  void run() {
    fs::create_directories(o_.work);
    export_collection();
    convert();
    encode_corpus();
    encode_queries();
    if (!check_vectors()) return;
    std::optional<Index> idx;
    if (!index(idx)) return;
    const fs::path run_file = o_.work / "run.txt";
    search(*idx, run_file);
    const auto t0 = Clock::now();
    out_.report = check_run(spec_, eval::read_qrels(path(spec_.qrels)), eval::read_run(run_file));
    out_.scored = true;
    out_.steps.push_back({"evaluate", seconds_since(t0), false, fmt::format("{} metrics", spec_.metrics.size())});
  }

 private:
  const RegressionSpec& spec_;
  const RunOptions& o_;
  RegressionOutcome& out_;
  const int threads_;
  std::optional<Encoder> encoder_;
  int encoder_threads_ = 0;
  std::optional<RecordedTies> ties_;
  fs::path snapped_corpus_, snapped_queries_;  // set when the vectors matched only after snapping ties
};

}  // namespace

std::string RegressionOutcome::text() const {
  std::string s;
  for (const auto& st : steps)
    s += fmt::format("  {:<18} {:>8}  {}\n", st.step, st.skipped ? "skipped" : fmt::format("{:.2f} s", st.seconds),
                     st.detail);
  for (const auto& n : notes) s += "  note: " + n + "\n";
  for (const auto& f : failures) s += "  FAILED: " + f + "\n";
  if (scored) s += report.text();
  return s;
}

RegressionOutcome run_regression(const RegressionSpec& spec, const RunOptions& options) {
  RegressionOutcome out;
  out.report.name = spec.name;
  out.report.tolerance = spec.tolerance;
  out.missing = inputs_to_supply(spec, options.work, options.data);
  if (!out.missing.empty()) return out;
  Runner(spec, options, out).run();
  return out;
}

}  // namespace splade::regression
