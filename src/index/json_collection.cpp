// `splade index --input`: JsonVectorCollection files -> IndexBuilder. Lines are read by one
// thread and parsed by `threads` workers in batches; documents are added in input order.
#include <algorithm>
#include <thread>

#include "index/json_collection.h"

#include "common/gz_line_reader.h"
#include "index/json_vector.h"
#include "splade/error.h"
#include "splade/index.h"

namespace splade {

namespace {

bool is_vector_file(const std::filesystem::path& p) {
  const auto name = p.filename().string();
  if (name.empty() || name[0] == '.') return false;
  for (const char* ext : {".json", ".jsonl", ".json.gz", ".jsonl.gz"})
    if (name.size() > std::string_view(ext).size() && name.ends_with(ext)) return true;
  return false;
}

struct Line {
  std::string text;
  std::uint64_t number;
};

}  // namespace

std::vector<std::filesystem::path> json_vector_files(const std::filesystem::path& input) {
  if (!std::filesystem::exists(input)) throw Error(ErrorCode::kNotFound, input.string() + ": no such file or folder");
  if (!std::filesystem::is_directory(input)) return {input};
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(input))
    if (e.is_regular_file() && is_vector_file(e.path())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw Error(ErrorCode::kNotFound, input.string() + ": no .json, .jsonl, .json.gz or .jsonl.gz files in the folder");
  return files;
}

IndexStats build_index_from_json_vectors(const std::filesystem::path& input, const std::filesystem::path& dir,
                                         const IndexBuildOptions& options) {
  if (std::filesystem::exists(dir) && !options.overwrite)
    throw Error(ErrorCode::kInvalidArgument, dir.string() + ": already exists (pass --overwrite to replace it)");
  const auto files = json_vector_files(input);
  const int threads = std::max(1, options.threads);
  constexpr std::size_t kLinesPerWorker = 2048;

  IndexBuilder builder;
  std::vector<Line> lines(kLinesPerWorker * threads);
  std::vector<ParsedVector> parsed(lines.size());
  std::vector<std::string> errors(threads);
  std::vector<std::pair<std::string_view, std::uint32_t>> terms;

  for (const auto& file : files) {
    GzLineReader reader(file);
    for (;;) {
      std::size_t n = 0;
      while (n < lines.size() && reader.next(lines[n].text)) {
        lines[n].number = reader.line_number();
        if (lines[n].text.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
        ++n;
      }
      if (n == 0) break;
      // Parse the batch: worker w takes lines w, w + threads, ...
      auto work = [&](int w) {
        for (std::size_t i = w; i < n; i += threads) {
          std::string error;
          if (!parse_json_vector_line(lines[i].text, parsed[i], error)) {
            if (errors[w].empty())
              errors[w] = file.string() + ":" + std::to_string(lines[i].number) + ": " + error;
            return;
          }
        }
      };
      if (threads == 1 || n < 64) {
        for (int w = 0; w < threads; ++w) work(w);
      } else {
        std::vector<std::thread> pool;
        for (int w = 1; w < threads; ++w) pool.emplace_back(work, w);
        work(0);
        for (auto& t : pool) t.join();
      }
      for (const auto& e : errors)
        if (!e.empty()) throw Error(ErrorCode::kCorrupt, e);
      for (std::size_t i = 0; i < n; ++i) {
        terms.clear();
        for (const auto& [term, weight] : parsed[i].terms) {
          if (weight <= 0) continue;  // Anserini writes the term `weight` times: never for <= 0
          if (weight > 0xFFFFFFFFll)
            throw Error(ErrorCode::kUnsupported, file.string() + ":" + std::to_string(lines[i].number) +
                                                     ": weight of '" + term + "' exceeds 2^32 - 1");
          terms.emplace_back(term, static_cast<std::uint32_t>(weight));
        }
        try {
          builder.add_document(parsed[i].id, terms, parsed[i].contents);
        } catch (const Error& e) {
          throw Error(e.code(), file.string() + ":" + std::to_string(lines[i].number) + ": " + e.what());
        }
      }
    }
  }
  return builder.write(dir, options);
}

}  // namespace splade
