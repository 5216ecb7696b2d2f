// splade export anserini --model DIR [--name splade-pp-ed] [--cache DIR]
#include <iostream>

#include "command.h"
#include "splade/anserini_export.h"

namespace splade::cli {

void add_export_command(CLI::App& app, CommandTable& table) {
  CLI::App* sub = app.add_subcommand("export", "Export a model or index for another system");
  sub->require_subcommand(1);
  struct Args {
    std::string model, name = "splade-pp-ed", cache;
  };
  auto a = std::make_shared<Args>();
  CLI::App* anserini = sub->add_subcommand(
      "anserini", "Install a model (splade head) into Anserini's encoder cache under the names it expects");
  anserini->add_option("--model", a->model, "Model directory with model.onnx (output_idx/output_weights) and vocab.txt")
      ->required();
  anserini->add_option("--name", a->name, "splade-pp-ed (default), splade-pp-sd or splade-v3");
  anserini->add_option("--cache", a->cache, "Cache folder (default: $PYSERINI_CACHE, ./.cache/pyserini, ~/.cache/pyserini)");
  table.add(anserini, [a]() {
    const std::string cache = a->cache.empty() ? default_anserini_cache() : a->cache;
    const auto result = export_for_anserini(a->model, a->name, cache);
    std::string encoder;
    for (const auto& n : anserini_model_names())
      if (n.name == a->name) encoder = n.encoder;
    std::cout << "wrote " << result.onnx_path << "\nwrote " << result.vocab_path << "\n"
              << "Anserini uses them with: -encoder " << encoder << " (cache " << cache
              << "; pass -Dpyserini.cache=" << cache << " if it differs from Anserini's default)\n";
    return kExitOk;
  });
}

}  // namespace splade::cli
