// `vessel render`: computes the same plan as `vessel run`, writes the files
// under --out DIR instead of /, prints the plan, and starts nothing.
#include <boost/program_options.hpp>
#include <iostream>

#include "app/agent.hpp"
#include "app/render_cmd.hpp"
#include "cli/commands.hpp"

namespace po = boost::program_options;

namespace vessel::cli {

int cmd_render(int argc, char** argv) {
  AgentOptions o;
  std::string out;
  po::options_description desc(
      "vessel render [OPTIONS] --out DIR\n\nWrite the config files `vessel run` would write (re-rooted under DIR)\n"
      "and print the plan. Starts nothing; exit 2 when the configuration is unusable");
  desc.add_options()
      ("help,h", "show this help")
      ("out", po::value(&out), "directory to write the files under (required)")
      ("user-data", po::value(&o.user_data_file), "user_data file")
      ("meta-data", po::value(&o.meta_data_file), "meta_data file")
      ("role", po::value(&o.role), "role override")
      ("source", po::value(&o.source)->default_value("file"), "auto|file|env|configdrive|nocloud|openstack")
      ("roles-dir", po::value(&o.roles_dir)->default_value(o.roles_dir), "directory with <role>.yaml files")
      ("nocloud-dir", po::value(&o.nocloud_dir)->default_value(o.nocloud_dir), "NoCloud seed directory")
      ("configdrive-dir", po::value(&o.configdrive_dir), "mounted ConfigDrive directory")
      ("metadata-url", po::value(&o.metadata_url)->default_value(o.metadata_url), "OpenStack metadata base URL")
      ("hadoop-conf-dir", po::value(&o.hadoop_conf_dir)->default_value(o.hadoop_conf_dir), "HADOOP_CONF_DIR")
      ("spark-conf-dir", po::value(&o.spark_conf_dir)->default_value(o.spark_conf_dir), "SPARK_HOME/conf");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "vessel render: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (out.empty()) {
    std::cerr << "vessel render: --out DIR is required\n";
    return 2;
  }
  if (vm["source"].defaulted() && o.user_data_file.empty()) o.source = "auto";
  return render_plan(o, out);
}

}  // namespace vessel::cli
