#include "splade/version.h"

#include "build_info.h"

namespace splade {

std::string version() { return SPLADE_VERSION_STRING; }

}  // namespace splade
