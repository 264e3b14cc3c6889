#include <iostream>

#include "cli/commands.hpp"

namespace vessel::cli {

// Placeholder until the init command lands; replaced by its owner.
int cmd_init(int, char**) {
  std::cerr << "vessel init: not built yet\n";
  return 2;
}

}  // namespace vessel::cli
