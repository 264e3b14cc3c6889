#pragma once
// The boot sequence of `vessel run`:
//   signals blocked -> config (services file, or cloud source -> NodeConfig
//   -> role) -> effects (hosts, config files, data dirs) -> health port ->
//   supervisor loop -> ordered shutdown.
#include <string>

namespace vessel {

struct AgentOptions {
  std::string services_file;
  std::string roles_dir = "/etc/vessel/roles";
  std::string role;
  std::string health_addr = "0.0.0.0:8099";
  std::string log_format = "text";
  std::string log_level = "info";
  std::string source = "auto";
  std::string user_data_file, meta_data_file;
  std::string metadata_url = "http://169.254.169.254";
  std::string nocloud_dir = "/var/lib/cloud/seed/nocloud";
  std::string configdrive_dir;
  std::string hosts_file = "/etc/hosts";
  bool no_cluster_sync = false;
  std::string hadoop_conf_dir = "/etc/hadoop";
  std::string spark_conf_dir = "/opt/spark/conf";
  std::string state_dir = "/data/vessel";
  // Metadata service HTTP policy. Not in the README: the defaults suit a
  // real cloud; tests shorten them so a down source is retried in seconds.
  int metadata_timeout_s = 10;  // per request
  int metadata_retries = 5;     // after the first attempt, per load
};

// Returns the process exit code: 0 clean shutdown, 1 critical failure,
// 2 unusable configuration (the message names the field).
int run_agent(const AgentOptions& o);

}  // namespace vessel
