// splade: the command-line front end of libsplade. Each subcommand is one cmd_*.cpp file.
#include <iostream>

#include "command.h"
#include "splade/error.h"
#include "splade/version.h"

int main(int argc, char** argv) {
  using namespace splade::cli;
  CLI::App app{"splade: Hugging Face neural retrieval models (SPLADE) to fast, validated ONNX, and search"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] {
    return "splade " + splade::version() + " (ONNX Runtime " + splade::onnxruntime_version() + ")";
  });

  CommandTable commands;
  add_inspect_command(app, commands);
  add_tokenize_command(app, commands);
  add_encode_command(app, commands);
  add_export_command(app, commands);
  add_convert_command(app, commands);
  add_optimize_command(app, commands);
  add_quantize_command(app, commands);
  add_index_command(app, commands);
  add_search_command(app, commands);
  add_eval_command(app, commands);
  add_collection_command(app, commands);
  add_regression_command(app, commands);
  add_serve_command(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help/version, or the usage error
    return rc == 0 ? kExitOk : kExitBadInput;
  }
  try {
    const CommandMain* main = commands.selected();
    return main ? (*main)() : kExitBadInput;
  } catch (const splade::Error& e) {
    std::cerr << "splade: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "splade: internal error: " << e.what() << "\n";
    return kExitFailure;
  }
}
