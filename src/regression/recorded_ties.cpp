#include "regression/recorded_ties.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/atomic_file.h"
#include "common/gz_line_reader.h"
#include "common/text_input.h"
#include "index/json_collection.h"
#include "splade/error.h"

namespace splade::regression {
namespace fs = std::filesystem;

std::size_t RecordedTies::size() const {
  std::size_t n = 0;
  for (const auto& [role, ids] : by_role)
    for (const auto& [id, ties] : ids) n += ties.size();
  return n;
}

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> f;
  std::size_t start = 0;
  for (;;) {
    const auto tab = line.find('\t', start);
    f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return f;
    start = tab + 1;
  }
}

// The exact bytes of a vector file: the recorded sha256 is of the file as stored, so a
// gzip file could not be snapped and re-hashed byte for byte.
std::string read_plain_bytes(const fs::path& p) {
  if (p.extension() == ".gz")
    throw Error(ErrorCode::kUnsupported, p.string() + ": snapping ties needs uncompressed vector files");
  return read_text_input(p);
}

// The lines of `bytes`, each with its "\n" (the last one may lack it).
std::vector<std::string_view> lines_of(const std::string& bytes) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < bytes.size()) {
    const auto nl = bytes.find('\n', start);
    const std::size_t end = nl == std::string::npos ? bytes.size() : nl + 1;
    out.emplace_back(bytes.data() + start, end - start);
    start = end;
  }
  return out;
}

std::int64_t id_or_throw(const Tokenizer& tok, const std::string& token) {
  auto id = tok.token_to_id(token);
  if (!id) throw Error(ErrorCode::kCorrupt, "recorded tie: token '" + token + "' is not in the model's vocabulary");
  return *id;
}

// token -> impact in vocabulary-id order, as splade encode writes vectors.
std::vector<std::pair<std::string, std::int64_t>> in_id_order(const std::map<std::string, std::int64_t>& v,
                                                               const Tokenizer& tok) {
  std::vector<std::pair<std::int64_t, std::pair<std::string, std::int64_t>>> keyed;
  for (const auto& [t, w] : v)
    if (w > 0) keyed.push_back({id_or_throw(tok, t), {t, w}});
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (auto& [id, kv] : keyed) out.push_back(std::move(kv));
  return out;
}

// One record of a vector file: its id and token -> impact; `contents` is the JSON text of a
// JsonVectorCollection line's "contents" ("" for query TSV).
struct VectorRecord {
  std::string id, contents;
  std::map<std::string, std::int64_t> vector;
};

// "id token ours->recorded" of the first impact that differs between `before` and `after`.
std::string first_change(const std::string& id, const std::map<std::string, std::int64_t>& before,
                         const std::map<std::string, std::int64_t>& after) {
  for (const auto& [t, w] : after) {
    const auto b = before.find(t);
    const std::int64_t was = b == before.end() ? 0 : b->second;
    if (was != w) return fmt::format("{} {} {}->{}", id, t, was, w);
  }
  return "";
}

// Copies `files` into `out_path`: a line whose record has recorded ties that snap is
// re-written by `write`, every other line is copied byte for byte. `parse` gives a line's
// record, or nullopt for a line it cannot read (copied as it is: the sha256 check judges it).
template <typename Parse, typename Write>
SnapOutcome snap_files(const std::vector<fs::path>& files, const fs::path& out_path,
                       const std::unordered_map<std::string, std::vector<RecordedTie>>& ties, Parse parse,
                       Write write) {
  SnapOutcome o;
  std::string out;
  for (const auto& f : files) {
    const std::string bytes = read_plain_bytes(f);
    for (std::string_view line : lines_of(bytes)) {
      ++o.records;
      std::optional<VectorRecord> r = ties.empty() ? std::nullopt : parse(line);
      const auto it = r ? ties.find(r->id) : ties.end();
      std::size_t n = 0;
      if (it != ties.end()) {
        const auto before = r->vector;
        n = snap_ties(r->vector, it->second);
        if (n && o.first.empty()) o.first = first_change(r->id, before, r->vector);
      }
      if (n) out += write(*r), o.impacts_snapped += n;
      else out.append(line);
    }
  }
  write_file_atomically(out_path, out);
  return o;
}

}  // namespace

RecordedTies read_recorded_ties(const fs::path& path, double margin) {
  if (!fs::exists(path)) throw Error(ErrorCode::kNotFound, path.string() + ": no such ties file");
  GzLineReader in(path.string());  // plain or gzip
  RecordedTies r;
  r.margin = margin;
  std::string line;
  int n = 0;
  while (in.next(line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const auto f = split_tabs(line);
    RecordedTie t;
    char* end = nullptr;
    if (f.size() == 5) {
      t.token = f[2];
      t.recorded = std::strtoll(f[3].c_str(), &end, 10);
      const bool ok_impact = end && *end == '\0' && !f[3].empty();
      t.x = std::strtod(f[4].c_str(), &end);
      if (ok_impact && end && *end == '\0' && std::abs(t.x - (std::floor(t.x) + 0.5)) <= margin) {
        r.by_role[f[0]][f[1]].push_back(std::move(t));
        continue;
      }
    }
    throw Error(ErrorCode::kCorrupt, fmt::format("{}:{}: expected role<TAB>id<TAB>token<TAB>impact<TAB>x with x "
                                                 "within {} of a .5", path.string(), n, margin));
  }
  return r;
}

std::size_t snap_ties(std::map<std::string, std::int64_t>& vector, const std::vector<RecordedTie>& ties) {
  std::size_t changed = 0;
  for (const auto& t : ties) {
    const auto it = vector.find(t.token);
    const std::int64_t ours = it == vector.end() ? 0 : it->second;
    // Only the tie's other neighbour may move back: k <-> k + 1 around x = k + 0.5.
    const auto lower = static_cast<std::int64_t>(std::floor(t.x));
    const auto neighbour = [lower](std::int64_t w) { return w == lower || w == lower + 1; };
    if (ours != t.recorded && neighbour(ours) && neighbour(t.recorded)) {
      vector[t.token] = t.recorded;
      ++changed;
    }
  }
  return changed;
}

std::size_t snap_ties(QueryVector& vector, const std::vector<RecordedTie>& ties) {
  std::map<std::string, std::int64_t> m;
  for (const auto& [t, w] : vector) m[t] += w;
  const std::size_t n = snap_ties(m, ties);
  if (!n) return 0;
  QueryVector out;
  for (const auto& [t, w] : m)
    if (w > 0) out.emplace_back(t, w);
  vector = std::move(out);
  return n;
}

SnapOutcome snap_json_vectors(const fs::path& in, const fs::path& out,
                              const std::unordered_map<std::string, std::vector<RecordedTie>>& ties,
                              const Tokenizer& tokenizer) {
  const auto parse = [](std::string_view line) -> std::optional<VectorRecord> {
    auto j = nlohmann::ordered_json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j["id"].is_string() || !j.contains("vector") ||
        !j["vector"].is_object())
      return std::nullopt;
    VectorRecord r{j["id"].get<std::string>(), j["contents"].dump(), {}};
    for (const auto& [k, w] : j["vector"].items()) {
      if (!w.is_number_integer()) return std::nullopt;
      r.vector[k] = w.get<std::int64_t>();
    }
    return r;
  };
  // splade encode's layout (encode/vector_writer.cpp).
  const auto write = [&](const VectorRecord& r) {
    std::string line = "{\"id\": " + nlohmann::json(r.id).dump() + ", \"contents\": " + r.contents + ", \"vector\": {";
    bool sep = false;
    for (const auto& [t, w] : in_id_order(r.vector, tokenizer)) {
      line += (sep ? ", " : "") + nlohmann::json(t).dump() + ": " + std::to_string(w);
      sep = true;
    }
    return line + "}}\n";
  };
  return snap_files(json_vector_files(in), out, ties, parse, write);
}

SnapOutcome snap_query_tsv(const fs::path& in, const fs::path& out,
                           const std::unordered_map<std::string, std::vector<RecordedTie>>& ties,
                           const Tokenizer& tokenizer) {
  const auto parse = [](std::string_view line) -> std::optional<VectorRecord> {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    const auto tab = line.find('\t');
    if (tab == std::string_view::npos) return std::nullopt;
    VectorRecord r{std::string(line.substr(0, tab)), "", {}};
    std::istringstream words{std::string(line.substr(tab + 1))};
    for (std::string w; words >> w;) ++r.vector[w];
    return r;
  };
  // Anserini's query TSV: each token repeated by its impact, in vocabulary-id order.
  const auto write = [&](const VectorRecord& r) {
    std::string line = r.id + "\t";
    bool sep = false;
    for (const auto& [t, w] : in_id_order(r.vector, tokenizer))
      for (std::int64_t k = 0; k < w; ++k) line += (sep ? " " : "") + t, sep = true;
    return line + "\n";
  };
  return snap_files({in}, out, ties, parse, write);
}

}  // namespace splade::regression
