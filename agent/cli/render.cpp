#include <iostream>

#include "cli/commands.hpp"

namespace vessel::cli {

// Placeholder until the render command lands; replaced by its owner.
int cmd_render(int, char**) {
  std::cerr << "vessel render: not built yet\n";
  return 2;
}

}  // namespace vessel::cli
