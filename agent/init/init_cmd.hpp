#pragma once
// `vessel init` / `vessel-init`: the option parser of the minimal init. It
// lives with the init (not in cli/) so the libc-only `vessel-init` binary
// links nothing but this folder.
namespace vessel::cli {

int cmd_init(int argc, char** argv);  // init/init_cmd.cpp (tini-compatible init)

}  // namespace vessel::cli
