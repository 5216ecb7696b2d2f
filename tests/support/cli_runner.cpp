#include "support/cli_runner.h"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "support/temp_dir.h"

namespace splade::testing {

namespace {
std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text) {
  TempDir dir;
  write_bytes(dir / "stdin", stdin_text);
  std::string cmd = shell_quote(SPLADE_CLI_PATH);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " <" + shell_quote((dir / "stdin").string()) + " >" + shell_quote((dir / "out").string()) + " 2>" +
         shell_quote((dir / "err").string());
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_bytes(dir / "out");
  r.err = read_bytes(dir / "err");
  return r;
}

}  // namespace splade::testing
