// vessel-init: `vessel init` as its own small binary. Same code, same
// options, same exit codes; it only exists because it starts faster (libc is
// its only shared library, see CMakeLists.txt). argv[0] plays the role of
// the "init" word in `vessel init ...`.
#include "init/init_cmd.hpp"

int main(int argc, char** argv) { return vessel::cli::cmd_init(argc, argv); }
