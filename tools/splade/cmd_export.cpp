// splade export anserini --model DIR [--name splade-pp-ed] [--cache DIR]
// splade export ciff --index DIR -o FILE [--description TEXT]
#include <iostream>

#include "command.h"
#include "splade/anserini_export.h"
#include "splade/index.h"

namespace splade::cli {

void add_export_command(CLI::App& app, CommandTable& table) {
  CLI::App* sub = app.add_subcommand("export", "Export a model (to Anserini) or an index (to CIFF) for another system");
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
              << "Anserini uses them with: -encoder " << encoder << "\n"
              << "(Anserini 1.5.0 reads only ${user.home}/.cache/pyserini/encoders: for another cache folder run it "
                 "with -Duser.home=<folder holding .cache/pyserini>; later versions also read -Dpyserini.cache and "
                 "$PYSERINI_CACHE)\n";
    return kExitOk;
  });

  struct CiffArgs {
    std::string index, output, description;
  };
  auto c = std::make_shared<CiffArgs>();
  CLI::App* ciff = sub->add_subcommand("ciff", "Write an index as CIFF (Common Index File Format)");
  ciff->add_option("--index", c->index, "Index directory")->required();
  ciff->add_option("-o,--output", c->output, "CIFF file to write")->required();
  ciff->add_option("--description", c->description, "Header description");
  table.add(ciff, [c]() {
    const Index index = Index::open(c->index);
    export_ciff(index, c->output, c->description.empty() ? "splade.cpp impact index " + c->index : c->description);
    return kExitOk;
  });
}

}  // namespace splade::cli
