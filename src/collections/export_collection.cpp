#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "splade/collections.h"
#include "splade/error.h"

namespace splade::collections {

ExportPaths export_collection(const TestCollection& c, const std::filesystem::path& out_dir) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, out_dir.string() + ": cannot create directory: " + ec.message());
  ExportPaths paths{out_dir / "corpus.jsonl", out_dir / "topics.tsv", out_dir / "qrels.txt"};
  {
    AtomicFile f(paths.corpus);
    for (const auto& d : c.documents) {
      nlohmann::ordered_json j{{"id", d.id}, {"contents", d.text}};
      f.stream() << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    f.commit();
  }
  {
    AtomicFile f(paths.topics);
    for (const auto& t : c.topics) f.stream() << t.id << '\t' << t.text << '\n';  // text has no tab or newline
    f.commit();
  }
  {
    AtomicFile f(paths.qrels);
    for (const auto& q : c.qrels) f.stream() << q.qid << " 0 " << q.docno << ' ' << q.relevance << '\n';
    f.commit();
  }
  return paths;
}

}  // namespace splade::collections
