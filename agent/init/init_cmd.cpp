// `vessel init [-g] [-v] -- CMD ARGS...`: option parsing only; the init
// itself lives in init/minimal_init.cpp.
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "init/init_cmd.hpp"
#include "init/minimal_init.hpp"

namespace po = boost::program_options;

namespace vessel::cli {
namespace {

// Our options end at "--" or at the first word that is not an option, as
// with tini (getopt "+"): in `vessel init sh -c 'x -v'` the -v is the
// command's, never ours. Boost parses only the part before the split.
int command_start(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") return i;
    if (a.empty() || a[0] != '-') return i;
  }
  return argc;
}

}  // namespace

int cmd_init(int argc, char** argv) {
  po::options_description desc(
      "usage: vessel init [OPTIONS] -- CMD [ARGS...]\n\n"
      "Runs CMD as the only child, forwards every signal to it, reaps all\n"
      "orphans and exits with CMD's exit code (128+n if killed by signal n,\n"
      "127 if CMD does not exist, 126 if it cannot be executed).\n\noptions");
  init::MinimalInitOptions opts;
  bool no_reap = false;
  desc.add_options()
      ("help,h", "show this help")
      ("pgroup,g", po::bool_switch(&opts.forward_to_group),
       "forward signals to the child's whole process group")
      ("verbose,v", po::bool_switch(&opts.verbose),
       "log forwarded signals and reaped processes to stderr")
      ("no-reap", po::bool_switch(&no_reap),
       "(testing only) do not reap orphans; the negative control of the zombie test");

  int split = command_start(argc, argv);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(split, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "vessel init: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  int first = (split < argc && std::string_view(argv[split]) == "--") ? split + 1 : split;
  for (int i = first; i < argc; ++i) opts.argv.emplace_back(argv[i]);
  if (opts.argv.empty()) {
    std::cerr << "vessel init: no command given\n" << desc << "\n";
    return 2;
  }
  opts.reap_orphans = !no_reap;
  return init::run_minimal_init(opts);
}

}  // namespace vessel::cli
