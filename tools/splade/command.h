// How subcommands plug into the `splade` binary: each lives in its own cmd_*.cpp, adds its
// options to the CLI11 app and registers the function that runs it.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <utility>
#include <vector>

namespace splade::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the command ran but a check it makes failed
inline constexpr int kExitBadInput = 2;  // bad arguments or unreadable/malformed input

// The help of --no-mmap (EncoderOptions::map_model_file), a flag of encode, search and serve.
inline constexpr const char* kNoMmapHelp =
    "Hold the model's weights in memory instead of letting ONNX Runtime map them from model.onnx "
    "(then the file may be overwritten in place while the model is open; loading peaks higher)";

using CommandMain = std::function<int()>;

class CommandTable {
 public:
  void add(CLI::App* subcommand, CommandMain main) { entries_.emplace_back(subcommand, std::move(main)); }
  // The main function of the subcommand that was parsed, or nullptr.
  const CommandMain* selected() const {
    for (const auto& [app, main] : entries_)
      if (app->parsed()) return &main;
    return nullptr;
  }

 private:
  std::vector<std::pair<CLI::App*, CommandMain>> entries_;
};

void add_inspect_command(CLI::App& app, CommandTable& table);
void add_tokenize_command(CLI::App& app, CommandTable& table);
void add_encode_command(CLI::App& app, CommandTable& table);
void add_export_command(CLI::App& app, CommandTable& table);
void add_convert_command(CLI::App& app, CommandTable& table);
void add_optimize_command(CLI::App& app, CommandTable& table);
void add_quantize_command(CLI::App& app, CommandTable& table);
void add_index_command(CLI::App& app, CommandTable& table);
void add_search_command(CLI::App& app, CommandTable& table);
void add_eval_command(CLI::App& app, CommandTable& table);
void add_collection_command(CLI::App& app, CommandTable& table);
void add_regression_command(CLI::App& app, CommandTable& table);
void add_serve_command(CLI::App& app, CommandTable& table);

}  // namespace splade::cli
