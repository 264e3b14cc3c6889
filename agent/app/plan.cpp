#include "app/plan.hpp"

#include <arpa/inet.h>

#include <filesystem>
#include <fstream>
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

// What a restart must follow: the rendered files with the membership left
// out (a join changes the workers file and dfs.replication's client default,
// which no running daemon needs a restart for), hashed.
Result<std::string> config_digest(const BootPlan& p) {
  RenderInputs in = p.inputs;
  in.workers.clear();
  in.excluded.clear();  // a drain is applied by refreshNodes, not a restart
  auto files = render_all(p.cfg, in);
  if (!files) return Error{files.error()};
  std::string all;
  for (const auto& f : *files) all += f.path + '\0' + f.content + '\0';
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(all));
  return std::string(hex);
}

RenderInputs inputs_for(const BootPlan& p, const PlanFacts& f, const std::vector<std::string>& workers) {
  RenderInputs in;
  in.excluded = f.excluded;
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
  auto role_text = f.role_files.find(cfg.role);
  const std::string role_path = f.roles_dir + "/" + cfg.role + ".yaml";
  if (role_text == f.role_files.end())
    return Error{"role " + cfg.role + " (from " + (cfg.role_from.empty() ? "config" : cfg.role_from) +
                 "): no role file " + role_path};
  auto catalog = catalog_of(f.role_files);
  if (!catalog) return Error{catalog.error()};
  p.catalog = std::move(*catalog);
  p.cfg.caps = p.catalog.at(cfg.role);
  if (p.cfg.caps.needs_master && cfg.master.empty())
    return Error{"vessel.master: required for role " + cfg.role + " (role from " + cfg.role_from + ")"};
  auto master = master_address(p.cfg);
  if (!master) return Error{master.error()};
  p.master = *master;

  // Worker cores/memory come from the renderer's cgroup-aware defaults, so
  // the Worker's argv and spark-env.sh always agree.
  RenderInputs pre;
  pre.self_ip = p.self_ip;
  pre.limits = f.limits;
  pre.host = f.host;
  auto senv = spark_env_vars(p.cfg, pre);
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
      {"disk_max_used_percent", std::to_string(cfg.health.disk_max_used_percent)},
  };
  auto set = load_services_yaml(role_text->second, role_path, p.vars);
  if (!set) return Error{"role " + cfg.role + ": " + set.error()};
  p.services = std::move(*set);
  p.inputs = inputs_for(p, f, f.workers);
  auto files = render_all(p.cfg, p.inputs);
  if (!files) return Error{files.error()};
  p.files = std::move(*files);
  auto digest = config_digest(p);
  if (!digest) return Error{digest.error()};
  for (auto& s : p.services.services) s.config_digest = *digest;
  return p;
}

Result<std::map<std::string, std::string>> read_role_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Error{"roles dir " + dir + ": " + ec.message() + " (point --roles-dir at the roles/ directory)"};
  std::map<std::string, std::string> out;
  for (const auto& e : it) {
    if (e.path().extension() != ".yaml" || !valid_role_name(e.path().stem().string())) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    if (!in.good() && !in.eof()) return Error{e.path().string() + ": cannot read"};
    if (text.size() > (1u << 20)) return Error{e.path().string() + ": larger than 1 MiB"};
    out[e.path().stem().string()] = std::move(text);
  }
  if (out.empty()) return Error{"roles dir " + dir + ": no <role>.yaml files (point --roles-dir at the roles/ directory)"};
  return out;
}

Result<RoleCatalog> catalog_of(const std::map<std::string, std::string>& role_files) {
  RoleCatalog cat;
  for (const auto& [name, text] : role_files) {
    auto caps = load_role_caps_yaml(text, "roles/" + name + ".yaml");
    if (!caps) return Error{caps.error()};
    cat[name] = *caps;
  }
  return cat;
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
