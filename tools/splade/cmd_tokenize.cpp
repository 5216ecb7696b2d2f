// splade tokenize --model DIR | --vocab FILE [--input F] [--output F] [--ids | --json]
//   Reads qid<TAB>text lines (plain or .gz; or JSON lines {"id", "contents"|"text"}) and
//   writes qid<TAB>piece piece ##piece (the *.wp.tsv.gz format), or the ids, or JSON lines
//   with ids and byte offsets.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "command.h"
#include "common/atomic_file.h"
#include "common/gz_line_reader.h"
#include "splade/error.h"
#include "splade/tokenizer.h"

namespace splade::cli {
namespace {

struct Args {
  std::string model, vocab, input = "-", output = "-", input_format = "auto", truncation;
  bool ids = false, json = false, no_special = false;
  int max_length = 0;
  int threads = 1;
};

struct Record {
  std::string id;
  std::string text;
};

// Splits one input line; throws splade::Error (kCorrupt) naming the line.
Record parse_line(const std::string& line, bool jsonl, const GzLineReader& in) {
  const std::string where = fmt::format("{}:{}", in.path(), in.line_number());
  if (!jsonl) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) throw Error(ErrorCode::kCorrupt, where + ": expected qid<TAB>text");
    return {line.substr(0, tab), line.substr(tab + 1)};
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kCorrupt, where + ": not a JSON object (" + e.what() + ")");
  }
  const char* field = j.contains("contents") ? "contents" : "text";
  if (!j.is_object() || !j.contains("id") || !j.contains(field) || !j[field].is_string())
    throw Error(ErrorCode::kCorrupt, where + ": expected {\"id\": ..., \"contents\" or \"text\": \"...\"}");
  Record r;
  r.id = j["id"].is_string() ? j["id"].get<std::string>() : j["id"].dump();
  r.text = j[field].get<std::string>();
  return r;
}

void write_record(std::string& out, const Record& r, const Encoding& e, const Args& a, const Tokenizer& tok) {
  if (a.json) {
    nlohmann::json j;
    j["id"] = r.id;
    j["ids"] = e.ids;
    auto offsets = nlohmann::json::array();
    for (const auto& [b, en] : e.offsets) offsets.push_back({b, en});
    j["offsets"] = std::move(offsets);
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    out += r.id;
    out += '\t';
    for (std::size_t i = 0; i < e.ids.size(); ++i) {
      if (i) out += ' ';
      if (a.ids) out += std::to_string(e.ids[i]);
      else out += tok.id_to_token(e.ids[i]);
    }
  }
  out += '\n';
}

int run(const Args& a) {
  if (a.model.empty() == a.vocab.empty()) throw Error(ErrorCode::kInvalidArgument, "give exactly one of --model and --vocab");
  const Tokenizer tok = a.model.empty() ? Tokenizer::from_vocab_file(a.vocab) : Tokenizer::from_directory(a.model);
  const bool pieces = !a.ids && !a.json;
  EncodeOptions opt;
  opt.max_length = a.max_length;
  opt.add_special_tokens = !pieces && !a.no_special;
  const std::string trunc = a.truncation.empty() ? (pieces ? "none" : "hf") : a.truncation;
  opt.truncation = trunc == "none" ? Truncation::kNone : trunc == "anserini" ? Truncation::kAnserini : Truncation::kHuggingFace;
  const bool jsonl = a.input_format == "jsonl" ||
                     (a.input_format == "auto" && (a.input.ends_with(".jsonl") || a.input.ends_with(".jsonl.gz") ||
                                                   a.input.ends_with(".json") || a.input.ends_with(".json.gz")));

  GzLineReader in(a.input);
  std::unique_ptr<AtomicFile> file;
  if (a.output != "-") file = std::make_unique<AtomicFile>(a.output);
  std::ostream& out = file ? file->stream() : std::cout;

  std::size_t invalid = 0, invalid_lines = 0;
  std::vector<Record> records;
  std::vector<std::string> texts;
  std::string line, buffer;
  auto flush = [&] {
    texts.clear();
    for (auto& r : records) texts.push_back(std::move(r.text));
    const auto encodings = tok.encode_batch(texts, opt, a.threads);
    buffer.clear();
    for (std::size_t i = 0; i < records.size(); ++i) {
      invalid += encodings[i].invalid_utf8;
      invalid_lines += encodings[i].invalid_utf8 > 0;
      write_record(buffer, records[i], encodings[i], a, tok);
    }
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    records.clear();
  };
  while (in.next(line)) {
    if (line.empty()) continue;
    records.push_back(parse_line(line, jsonl, in));
    if (records.size() == 8192) flush();
  }
  flush();
  out.flush();
  if (!out) throw Error(ErrorCode::kIo, (file ? a.output : std::string("<stdout>")) + ": write failed");
  if (file) file->commit();
  if (invalid > 0)
    std::cerr << fmt::format("splade: warning: {} ill-formed UTF-8 sequence(s) in {} line(s) were read as U+FFFD\n",
                             invalid, invalid_lines);
  return kExitOk;
}

}  // namespace

void add_tokenize_command(CLI::App& app, CommandTable& table) {
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("tokenize", "WordPiece-tokenize qid<TAB>text lines exactly as Hugging Face does");
  sub->add_option("--model", a->model, "A model directory (tokenizer.json, or vocab.txt [+ tokenizer_config.json])");
  sub->add_option("--vocab", a->vocab, "A vocab.txt, with bert-base-uncased settings");
  sub->add_option("--input", a->input, "qid<TAB>text lines, plain or .gz; .jsonl: {\"id\", \"contents\"} ('-': stdin)");
  sub->add_option("--output", a->output, "Where to write, replaced atomically ('-': stdout)");
  sub->add_option("--input-format", a->input_format, "auto (by file name), tsv or jsonl")
      ->check(CLI::IsMember({"auto", "tsv", "jsonl"}));
  auto* ids = sub->add_flag("--ids", a->ids, "Write token ids (with [CLS]/[SEP], truncated) instead of pieces");
  sub->add_flag("--json", a->json, "Write JSON lines {\"id\", \"ids\", \"offsets\": [[begin, end], ...]} (byte offsets)")
      ->excludes(ids);
  sub->add_option("--truncation", a->truncation,
                  "none, hf (max_length ids, specials included) or anserini ([CLS]+509 pieces+[SEP]); "
                  "default hf for ids/json, none for pieces")
      ->check(CLI::IsMember({"none", "hf", "anserini"}));
  sub->add_option("--max-length", a->max_length, "Truncation length (default: the model's, 512)")->check(CLI::NonNegativeNumber);
  sub->add_flag("--no-special-tokens", a->no_special, "No [CLS]/[SEP] around the ids");
  sub->add_option("--threads", a->threads, "Tokenizer threads (0: all cores)")->check(CLI::NonNegativeNumber);
  table.add(sub, [a]() { return run(*a); });
}

}  // namespace splade::cli
