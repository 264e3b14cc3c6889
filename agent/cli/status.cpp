#include <iostream>

#include "cli/commands.hpp"

namespace vessel::cli {

// Placeholder until the status command lands; replaced by its owner.
int cmd_status(int, char**) {
  std::cerr << "vessel status: not built yet\n";
  return 2;
}

}  // namespace vessel::cli
