// `vessel run`: the ENTRYPOINT mode. Parses options, then hands over to
// app/run_agent, which owns the boot sequence.
#include <boost/program_options.hpp>
#include <iostream>

#include "app/agent.hpp"
#include "cli/commands.hpp"

namespace po = boost::program_options;

namespace vessel::cli {

int cmd_run(int argc, char** argv) {
  AgentOptions o;
  po::options_description desc("vessel run [OPTIONS]\n\nSupervise the services of a role (or of a services file)");
  desc.add_options()
      ("help,h", "show this help")
      ("services", po::value(&o.services_file), "plain services YAML to supervise (no cloud data needed)")
      ("roles-dir", po::value(&o.roles_dir)->default_value(o.roles_dir), "directory with <role>.yaml files")
      ("role", po::value(&o.role), "role to run (master|worker|standalone|...); overrides cloud data")
      ("health-addr", po::value(&o.health_addr)->default_value(o.health_addr), "HOST:PORT of the health port")
      ("log-format", po::value(&o.log_format)->default_value(o.log_format), "text|json")
      ("log-level", po::value(&o.log_level)->default_value(o.log_level), "trace|debug|info|warn|error")
      ("source", po::value(&o.source)->default_value(o.source), "auto|file|env|configdrive|nocloud|openstack")
      ("user-data", po::value(&o.user_data_file), "user_data file (source: file)")
      ("meta-data", po::value(&o.meta_data_file), "meta_data file (source: file)")
      ("metadata-url", po::value(&o.metadata_url)->default_value(o.metadata_url), "OpenStack metadata service base URL")
      ("nocloud-dir", po::value(&o.nocloud_dir)->default_value(o.nocloud_dir), "NoCloud seed directory")
      ("configdrive-dir", po::value(&o.configdrive_dir), "mounted ConfigDrive directory")
      ("hosts-file", po::value(&o.hosts_file)->default_value(o.hosts_file), "hosts file to keep in sync")
      ("no-cluster-sync", po::bool_switch(&o.no_cluster_sync), "do not register with the master or sync hosts")
      ("hadoop-conf-dir", po::value(&o.hadoop_conf_dir)->default_value(o.hadoop_conf_dir), "where core/hdfs-site.xml go")
      ("spark-conf-dir", po::value(&o.spark_conf_dir)->default_value(o.spark_conf_dir), "where spark-defaults.conf etc. go")
      ("state-dir", po::value(&o.state_dir)->default_value(o.state_dir), "where vessel keeps run-once markers")
      ("metadata-timeout", po::value(&o.metadata_timeout_s)->default_value(o.metadata_timeout_s),
       "metadata service: seconds per request (1..300)")
      ("metadata-retries", po::value(&o.metadata_retries)->default_value(o.metadata_retries),
       "metadata service: retries per load after the first request (0..20)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "vessel run: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (o.metadata_timeout_s < 1 || o.metadata_timeout_s > 300) {
    std::cerr << "vessel run: --metadata-timeout: must be 1..300 seconds\n";
    return 2;
  }
  if (o.metadata_retries < 0 || o.metadata_retries > 20) {
    std::cerr << "vessel run: --metadata-retries: must be 0..20\n";
    return 2;
  }
  return run_agent(o);
}

}  // namespace vessel::cli
