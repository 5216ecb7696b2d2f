// splade index --input VECTORS --index DIR [--threads N] [--overwrite] [--reorder] [--block-max [--range-size N]]
// splade index --from-ciff FILE --index DIR
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "command.h"
#include "splade/index.h"

namespace splade::cli {

void add_index_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string input, ciff, index;
    int threads = 1;
    bool overwrite = false;
    bool reorder = false, block_max = false, store_contents = false;
    std::uint32_t range_size = 32;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("index", "Build an impact index from JsonVectorCollection files or a CIFF file");
  auto* input = sub->add_option("--input", args->input,
                                "JsonVectorCollection: a .jsonl/.jsonl.gz file or a folder of them");
  auto* ciff = sub->add_option("--from-ciff", args->ciff, "A CIFF file (.ciff or .ciff.gz)");
  input->excludes(ciff);
  sub->add_option("--index", args->index, "Index directory to create")->required();
  sub->add_option("--threads", args->threads, "JSON parsing threads")->check(CLI::Range(1, 256));
  sub->add_flag("--overwrite", args->overwrite, "Replace an existing index directory");
  sub->add_flag("--reorder", args->reorder,
                "Reorder doc ids by recursive graph bisection (as PISA's reorder-docids): faster block-max search, "
                "smaller postings; same results");
  sub->add_flag("--block-max", args->block_max,
                "Also write blockmax.bin for --algorithm block-max (range maxima and a range-major copy of the postings)");
  sub->add_flag("--store-contents", args->store_contents,
                "Keep each document's \"contents\" text in the index (contents.bin; Anserini's -storeContents), "
                "served by splade serve at /v1/{index}/doc/{docid}");
  sub->add_option("--range-size", args->range_size,
                  "Documents per range of the block-max data (1-256; smaller: tighter bounds, larger file)")
      ->check(CLI::Range(1, 256));
  table.add(sub, [args]() {
    if (args->input.empty() && args->ciff.empty()) {
      std::cerr << "splade: error: index: one of --input or --from-ciff is required\n";
      return kExitBadInput;
    }
    IndexBuildOptions options;
    options.threads = args->threads;
    options.overwrite = args->overwrite;
    options.reorder = args->reorder;
    options.block_max = args->block_max;
    options.block_max_range = args->range_size;
    options.store_contents = args->store_contents;
    const auto t0 = std::chrono::steady_clock::now();
    const IndexStats s = args->ciff.empty() ? build_index_from_json_vectors(args->input, args->index, options)
                                            : build_index_from_ciff(args->ciff, args->index, options);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << fmt::format("index {}: {} documents, {} terms, {} postings, {} bytes, built in {:.2f} s{}\n",
                             args->index, s.num_docs, s.num_terms, s.num_postings, s.bytes_on_disk, secs,
                             args->reorder ? fmt::format(" (reordering {:.2f} s)", s.reorder_seconds) : "");
    return kExitOk;
  });
}

}  // namespace splade::cli
