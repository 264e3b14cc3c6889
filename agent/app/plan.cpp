#include "app/plan.hpp"

#include <arpa/inet.h>

#include <sstream>

namespace vessel {

std::string pick_self_ip(const std::vector<std::string>& addresses) {
  std::string v6;
  for (const auto& a : addresses) {
    in_addr v4{};
    if (inet_pton(AF_INET, a.c_str(), &v4) == 1) {
      if ((ntohl(v4.s_addr) >> 24) == 127) continue;
      return a;
    }
    if (v6.empty() && a != "::1" && a.rfind("fe80", 0) != 0) v6 = a;
  }
  return v6.empty() ? "127.0.0.1" : v6;
}

std::string hadoop_classpath(const std::string& h, const std::string& conf) {
  // share/hadoop/hdfs itself is on the path: the web UIs (and /jmx) look up
  // webapps/hdfs and webapps/datanode as classpath resources.
  return conf + ":" + h + "/share/hadoop/common/*:" + h + "/share/hadoop/common/lib/*:" + h + "/share/hadoop/hdfs:" +
         h + "/share/hadoop/hdfs/*:" + h + "/share/hadoop/hdfs/lib/*";
}

namespace {

RenderInputs inputs_for(const BootPlan& p, const PlanFacts& f, const std::vector<std::string>& workers) {
  RenderInputs in;
  in.hadoop_conf_dir = f.hadoop_conf_dir;
  in.spark_conf_dir = f.spark_conf_dir;
  in.self_ip = p.self_ip;
  in.workers = workers;
  in.limits = f.limits;
  in.host = f.host;
  auto layer = [&](const char* name) {
    auto it = p.services.config.find(name);
    return it == p.services.config.end() ? Props{} : it->second;
  };
  in.role_core = layer("core");
  in.role_hdfs = layer("hdfs");
  in.role_spark = layer("spark");
  return in;
}

}  // namespace

Result<BootPlan> make_plan(const NodeConfig& cfg, const PlanFacts& f) {
  BootPlan p;
  p.cfg = cfg;
  p.self_ip = pick_self_ip(cfg.self_addresses);
  auto master = master_address(cfg);
  if (!master) return Error{master.error()};
  p.master = *master;

  // Worker cores/memory come from the renderer's cgroup-aware defaults, so
  // the Worker's argv and spark-env.sh always agree.
  RenderInputs pre;
  pre.self_ip = p.self_ip;
  pre.limits = f.limits;
  pre.host = f.host;
  auto senv = spark_env_vars(cfg, pre);
  if (!senv) return Error{senv.error()};
  auto get = [&](const char* k, const char* dflt) {
    auto it = senv->find(k);
    return it == senv->end() ? std::string(dflt) : it->second;
  };
  p.vars = {
      {"cluster_id", cfg.cluster_id},
      {"role", cfg.role},
      {"master", p.master},
      {"hostname", cfg.hostname},
      {"self_ip", p.self_ip},
      {"data_dir", cfg.data_dir},
      {"hadoop_home", f.hadoop_home},
      {"spark_home", f.spark_home},
      {"java_home", f.java_home},
      {"hadoop_conf_dir", f.hadoop_conf_dir},
      {"spark_conf_dir", f.spark_conf_dir},
      {"hadoop_classpath", hadoop_classpath(f.hadoop_home, f.hadoop_conf_dir)},
      {"worker_cores", get("SPARK_WORKER_CORES", "1")},
      {"worker_memory", get("SPARK_WORKER_MEMORY", "1g")},
  };
  auto set = load_services_file(f.roles_dir + "/" + cfg.role + ".yaml", p.vars);
  if (!set) return Error{"role " + cfg.role + ": " + set.error()};
  p.services = std::move(*set);
  p.inputs = inputs_for(p, f, f.workers);
  auto files = render_all(cfg, p.inputs);
  if (!files) return Error{files.error()};
  p.files = std::move(*files);
  return p;
}

Result<std::vector<RenderedFile>> rerender_for_workers(const BootPlan& plan, const std::vector<std::string>& workers) {
  RenderInputs in = plan.inputs;
  in.workers = workers;
  return render_all(plan.cfg, in);
}

std::string describe_plan(const BootPlan& p) {
  std::ostringstream o;
  o << "node     " << p.cfg.hostname << " (" << p.self_ip << ")\n";
  o << "source   " << p.cfg.source << "\n";
  o << "role     " << p.cfg.role << " (" << p.cfg.role_from << ")\n";
  o << "cluster  " << p.cfg.cluster_id << ", master " << p.master << "\n";
  o << "token    " << (p.cfg.token.empty() ? "not set" : "set (redacted)") << "\n";
  for (const auto& w : p.cfg.warnings) o << "warning  " << w << "\n";
  o << "files:\n";
  for (const auto& f : p.files) o << "  write " << f.path << " (" << f.content.size() << " bytes)\n";
  o << "dirs:\n";
  for (const auto& d : p.services.dirs)
    o << "  mkdir " << d.path << " owner " << (d.owner.empty() ? "root" : d.owner) << "\n";
  o << "services (start order):\n";
  for (const auto& s : p.services.services) {
    o << "  " << s.name;
    if (!s.user.empty()) o << " as " << s.user;
    if (!s.depends_on.empty()) {
      o << " after";
      for (const auto& d : s.depends_on) o << " " << d;
    }
    o << "\n    argv:";
    for (const auto& a : s.argv) o << " " << a;
    o << "\n";
    for (const auto& st : s.pre_start) o << "    pre_start" << (st.guard.empty() ? "" : " [guard " + st.guard + "]") << "\n";
  }
  return o.str();
}

}  // namespace vessel
