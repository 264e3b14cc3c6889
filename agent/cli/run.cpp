#include <iostream>

#include "cli/commands.hpp"

namespace vessel::cli {

// Placeholder until the run command lands; replaced by its owner.
int cmd_run(int, char**) {
  std::cerr << "vessel run: not built yet\n";
  return 2;
}

}  // namespace vessel::cli
