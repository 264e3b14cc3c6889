// Role / services YAML with the variables make_plan passes.
#include <cstdint>
#include <map>
#include <string>

#include "supervise/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::map<std::string, std::string> vars = {
      {"cluster_id", "fuzz"},          {"role", "worker"},
      {"master", "master-1"},          {"hostname", "worker-1"},
      {"self_ip", "10.0.0.3"},         {"data_dir", "/data"},
      {"hadoop_home", "/opt/hadoop"},  {"spark_home", "/opt/spark"},
      {"java_home", ""},               {"hadoop_conf_dir", "/etc/hadoop"},
      {"spark_conf_dir", "/opt/spark/conf"}, {"hadoop_classpath", "/etc/hadoop:/opt/hadoop/share/*"},
      {"worker_cores", "2"},           {"worker_memory", "1g"},
  };
  std::string text(reinterpret_cast<const char*>(data), size);
  auto set = vessel::load_services_yaml(text, "fuzz.yaml", vars);
  (void)set;
  return 0;
}
