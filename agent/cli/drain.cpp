// `vessel drain`: decommission this worker's DataNode through the master
// (see app/drain_cmd.hpp). Reads the node's config with the same options as
// `vessel run`, for the token, the node's name and the master.
#include <boost/program_options.hpp>
#include <iostream>

#include "app/drain_cmd.hpp"
#include "cli/commands.hpp"

namespace po = boost::program_options;

namespace vessel::cli {

int cmd_drain(int argc, char** argv) {
  AgentOptions o;
  DrainCmdOptions d;
  std::string timeout = "1h", interval = "2s";
  po::options_description desc(
      "vessel drain [OPTIONS]\n\nDrain this worker and take it out of the cluster: HDFS decommission (every\n"
      "block re-replicated elsewhere), Spark worker decommission, ordered stop, leave.\n"
      "Exit 0 left (or --cancel done), 1 timed out (the node stays excluded),\n"
      "2 refused, cancelled or unusable configuration");
  desc.add_options()
      ("help,h", "show this help")
      ("timeout", po::value(&timeout)->default_value(timeout), "give up after this long (e.g. 30m)")
      ("interval", po::value(&interval)->default_value(interval), "progress line every (e.g. 5s)")
      ("cancel", po::bool_switch(&d.cancel), "recommission the node instead")
      ("force", po::bool_switch(&d.force), "drain even below dfs.replication live DataNodes")
      ("agent", po::value(&d.agent), "HOST:PORT of this node's health port (default: 127.0.0.1:8099)")
      ("role", po::value(&o.role), "role override, as for run")
      ("roles-dir", po::value(&o.roles_dir)->default_value(o.roles_dir), "directory with <role>.yaml files")
      ("source", po::value(&o.source)->default_value(o.source), "auto|file|env|configdrive|nocloud|openstack")
      ("user-data", po::value(&o.user_data_file), "user_data file (source: file)")
      ("meta-data", po::value(&o.meta_data_file), "meta_data file (source: file)")
      ("metadata-url", po::value(&o.metadata_url)->default_value(o.metadata_url), "OpenStack metadata base URL")
      ("nocloud-dir", po::value(&o.nocloud_dir)->default_value(o.nocloud_dir), "NoCloud seed directory")
      ("configdrive-dir", po::value(&o.configdrive_dir), "mounted ConfigDrive directory");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "vessel drain: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  auto t = drain_duration(timeout, "--timeout");
  auto i = drain_duration(interval, "--interval");
  if (!t || !i) {
    std::cerr << "vessel drain: " << (!t ? t.error() : i.error()) << "\n";
    return 2;
  }
  d.timeout = *t;
  d.interval = std::max(std::chrono::seconds(1), *i);
  return drain_node(o, d);
}

}  // namespace vessel::cli
