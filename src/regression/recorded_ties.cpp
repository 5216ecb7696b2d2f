#include "regression/recorded_ties.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/atomic_file.h"
#include "common/gz_line_reader.h"
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

std::string read_bytes(const fs::path& p) {
  if (p.extension() == ".gz")
    throw Error(ErrorCode::kUnsupported, p.string() + ": snapping ties needs uncompressed vector files");
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, p.string() + ": cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
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

template <typename Get, typename Set>
std::size_t snap_with(const std::vector<RecordedTie>& ties, Get get, Set set) {
  std::size_t changed = 0;
  for (const auto& t : ties) {
    const std::int64_t ours = get(t.token);
    // Only the tie's other neighbour may move back: k <-> k + 1 around x = k + 0.5.
    const auto lower = static_cast<std::int64_t>(std::floor(t.x));
    if (ours != t.recorded && std::abs(ours - t.recorded) == 1 && (ours == lower || ours == lower + 1) &&
        (t.recorded == lower || t.recorded == lower + 1)) {
      set(t.token, t.recorded);
      ++changed;
    }
  }
  return changed;
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

template <typename Rewrite>
SnapOutcome snap_files(const std::vector<fs::path>& files, const fs::path& out_path,
                       const std::unordered_map<std::string, std::vector<RecordedTie>>& ties, Rewrite rewrite) {
  SnapOutcome o;
  std::string out;
  for (const auto& f : files) {
    const std::string bytes = read_bytes(f);
    for (std::string_view line : lines_of(bytes)) {
      ++o.records;
      std::string rewritten;
      const std::size_t n = rewrite(line, ties, rewritten, o.first);
      if (n) out += rewritten, o.impacts_snapped += n;
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
  return snap_with(
      ties, [&](const std::string& t) { auto it = vector.find(t); return it == vector.end() ? 0 : it->second; },
      [&](const std::string& t, std::int64_t w) { vector[t] = w; });
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
  return snap_files(json_vector_files(in), out, ties,
                    [&](std::string_view line, const auto& all, std::string& rewritten, std::string& first) -> std::size_t {
                      auto j = nlohmann::ordered_json::parse(line, nullptr, false);
                      if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j["id"].is_string()) return 0;
                      const auto it = all.find(j["id"].template get<std::string>());
                      if (it == all.end()) return 0;
                      std::map<std::string, std::int64_t> v;
                      for (const auto& [k, w] : j["vector"].items()) v[k] = w.template get<std::int64_t>();
                      const auto before = v;
                      const std::size_t n = snap_ties(v, it->second);
                      if (!n) return 0;
                      if (first.empty())
                        for (const auto& [t, w] : v)
                          if (before.count(t) ? before.at(t) != w : w != 0)
                            first = fmt::format("{} {} {}->{}", it->first, t, before.count(t) ? before.at(t) : 0, w);
                      // splade encode's layout (encode/vector_writer.cpp).
                      rewritten = "{\"id\": " + j["id"].dump() + ", \"contents\": " + j["contents"].dump() + ", \"vector\": {";
                      bool sep = false;
                      for (const auto& [t, w] : in_id_order(v, tokenizer)) {
                        rewritten += (sep ? ", " : "") + nlohmann::json(t).dump() + ": " + std::to_string(w);
                        sep = true;
                      }
                      rewritten += "}}\n";
                      return n;
                    });
}

SnapOutcome snap_query_tsv(const fs::path& in, const fs::path& out,
                           const std::unordered_map<std::string, std::vector<RecordedTie>>& ties,
                           const Tokenizer& tokenizer) {
  return snap_files({in}, out, ties,
                    [&](std::string_view line, const auto& all, std::string& rewritten, std::string& first) -> std::size_t {
                      std::string s(line);
                      if (!s.empty() && s.back() == '\n') s.pop_back();
                      const auto tab = s.find('\t');
                      if (tab == std::string::npos) return 0;
                      const auto it = all.find(s.substr(0, tab));
                      if (it == all.end()) return 0;
                      std::map<std::string, std::int64_t> v;
                      std::istringstream words(s.substr(tab + 1));
                      for (std::string w; words >> w;) ++v[w];
                      const auto before = v;
                      const std::size_t n = snap_ties(v, it->second);
                      if (!n) return 0;
                      if (first.empty())
                        for (const auto& [t, w] : v)
                          if (before.count(t) ? before.at(t) != w : w != 0)
                            first = fmt::format("{} {} {}->{}", it->first, t, before.count(t) ? before.at(t) : 0, w);
                      rewritten = it->first + "\t";
                      bool sep = false;
                      for (const auto& [t, w] : in_id_order(v, tokenizer))
                        for (std::int64_t k = 0; k < w; ++k) rewritten += (sep ? " " : "") + t, sep = true;
                      rewritten += "\n";
                      return n;
                    });
}

}  // namespace splade::regression
