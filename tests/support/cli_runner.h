// Runs the built `splade` binary (path fixed at build time) and captures its output.
#pragma once

#include <string>
#include <vector>

namespace splade::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = "");

}  // namespace splade::testing
