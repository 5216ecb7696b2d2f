// placeholder replaced below
#include "command.h"
namespace splade::cli {
void add_quantize_command(CLI::App& app, CommandTable& table) {}
}
