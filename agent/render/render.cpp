// Merging defaults, role file and user_data into the config files.
#include "render/render.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "render/text_check.hpp"

namespace vessel {

namespace rd = render_detail;

namespace {

constexpr const char* kWorkerOpts =
    "-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.interval=1800 "
    "-Dspark.worker.cleanup.appDataTtl=604800";

// host:port with IPv6 literals bracketed, as URIs and Hadoop expect.
std::string host_port(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<std::string> data_dir(const NodeConfig& cfg) {
  std::string d = cfg.data_dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  if (d.empty() || d[0] != '/' || d == "/" || !rd::printable_utf8(d) || d.find("/../") != std::string::npos ||
      d.ends_with("/.."))
    return err("data_dir: must be an absolute path below / without '..': " + rd::quoted(cfg.data_dir));
  return d;
}

// A worker that also serves the membership runs the master's daemons too
// (standalone): it reserves memory for them and lists itself as a worker.
bool cohosts_master(const RoleCaps& c) { return c.counts_as_worker && c.serves_membership(); }

void overlay(Props& base, const Props& layer) {
  for (const auto& [k, v] : layer) base[k] = v;
}

}  // namespace

Result<std::string> master_address(const NodeConfig& cfg) {
  std::string m = cfg.master;
  // A role that needs no master (it is one) is its own master; its hostname
  // comes from metadata and is in the synced /etc/hosts of every node.
  if (m.empty() && !cfg.caps.needs_master) m = cfg.hostname;
  if (m.empty()) return err("master: required for role " + cfg.role);
  if (!rd::host_or_ip(m)) return err("master: not a valid hostname or IP: " + rd::quoted(m));
  return m;
}

Result<Props> core_site_props(const NodeConfig& cfg, const RenderInputs& in) {
  auto master = master_address(cfg);
  if (!master) return Error{master.error()};
  auto data = data_dir(cfg);
  if (!data) return Error{data.error()};
  Props p;
  p["fs.defaultFS"] = "hdfs://" + host_port(*master, kNameNodeRpcPort);
  // Hadoop's default /tmp/hadoop-${user.name} is lost on restart and is where
  // name/data dirs would land if unset (HDFS-17307): keep it on the volume.
  p["hadoop.tmp.dir"] = *data + "/tmp";
  overlay(p, in.role_core);
  overlay(p, cfg.core);
  return p;
}

Result<Props> hdfs_site_props(const NodeConfig& cfg, const RenderInputs& in) {
  auto master = master_address(cfg);
  if (!master) return Error{master.error()};
  auto data = data_dir(cfg);
  if (!data) return Error{data.error()};
  Props p;
  p["dfs.namenode.name.dir"] = *data + "/hdfs/name";
  p["dfs.datanode.data.dir"] = *data + "/hdfs/data";
  // More replicas than DataNodes leaves every block under-replicated.
  std::size_t repl = std::clamp<std::size_t>(in.workers.size(), 1, 3);
  p["dfs.replication"] = std::to_string(repl);
  p["dfs.namenode.rpc-address"] = host_port(*master, kNameNodeRpcPort);
  // Bind on all interfaces: the advertised address is the master's name, but
  // inside a container that name may resolve to an address not on lo/eth0.
  for (const char* k : {"dfs.namenode.rpc-bind-host", "dfs.namenode.servicerpc-bind-host",
                        "dfs.namenode.lifeline.rpc-bind-host", "dfs.namenode.http-bind-host"})
    p[k] = "0.0.0.0";
  p["dfs.namenode.http-address"] = host_port("0.0.0.0", kNameNodeHttpPort);
  p["dfs.datanode.address"] = host_port("0.0.0.0", kDataNodePort);
  p["dfs.datanode.http.address"] = host_port("0.0.0.0", kDataNodeHttpPort);
  p["dfs.datanode.ipc.address"] = host_port("0.0.0.0", kDataNodeIpcPort);
  // The NameNode's reverse lookup of a registering DataNode races the hosts
  // sync: a node that comes back on a new IP can register before every
  // hosts file has its new address, and a DataNode refused once
  // (DisallowedDatanodeException) never retries until it restarts
  // (BPServiceActor bails out). Names are vessel's to keep right; the check
  // only turns a short race into a permanent refusal.
  p["dfs.namenode.datanode.registration.ip-hostname-check"] = "false";
  // vessel owns the exclude file (drain: POST /v1/cluster/members/<n>/drain).
  p["dfs.hosts.exclude"] = in.hadoop_conf_dir + "/" + kExcludeFile;
  // The NameNode checks decommissioning nodes every 30 s by default, so a
  // drain of a few blocks would take 30 s at least; 5 s costs nothing.
  p["dfs.namenode.decommission.interval"] = "5";
  // Deliberately not set: dfs.permissions.enabled (Hadoop default).
  overlay(p, in.role_hdfs);
  if (cfg.hdfs.replication) {
    if (*cfg.hdfs.replication < 1 || *cfg.hdfs.replication > 512)
      return err("hdfs.replication: must be 1..512, got " + std::to_string(*cfg.hdfs.replication));
    p["dfs.replication"] = std::to_string(*cfg.hdfs.replication);
  }
  overlay(p, cfg.hdfs.site);
  return p;
}

Result<Props> spark_defaults_props(const NodeConfig& cfg, const RenderInputs& in) {
  auto master = master_address(cfg);
  if (!master) return Error{master.error()};
  Props p;
  p["spark.master"] = "spark://" + host_port(*master, kSparkMasterPort);
  // Graceful scale-in (vessel drain): a worker decommissions on SIGPWR, and
  // drivers move executors' cached and shuffle blocks off a leaving worker.
  p["spark.decommission.enabled"] = "true";
  p["spark.storage.decommission.enabled"] = "true";
  p["spark.storage.decommission.rddBlocks.enabled"] = "true";
  p["spark.storage.decommission.shuffleBlocks.enabled"] = "true";
  overlay(p, in.role_spark);
  overlay(p, cfg.spark.defaults);
  return p;
}

int default_worker_cores(double cpus) {
  if (!(cpus >= 1.0)) return 1;  // also catches NaN
  // A small epsilon so 1.9999999 from quota/period arithmetic counts as 2.
  return static_cast<int>(std::floor(cpus + 1e-6));
}

std::string default_worker_memory(std::uint64_t total, bool standalone) {
  constexpr std::uint64_t GiB = 1024ull * 1024 * 1024, MiB = 1024ull * 1024;
  std::uint64_t reserve = std::max(GiB, total / 4) + (standalone ? GiB : 0);
  std::uint64_t worker = total > reserve ? total - reserve : 0;
  worker = std::max(worker, total / 2);
  return std::to_string(std::max<std::uint64_t>(worker / MiB, 1)) + "m";
}

Result<Props> spark_env_vars(const NodeConfig& cfg, const RenderInputs& in) {
  auto master = master_address(cfg);
  if (!master) return Error{master.error()};
  auto data = data_dir(cfg);
  if (!data) return Error{data.error()};
  Props e;
  e["SPARK_MASTER_HOST"] = *master;
  e["SPARK_MASTER_PORT"] = std::to_string(kSparkMasterPort);
  e["SPARK_MASTER_WEBUI_PORT"] = std::to_string(kSparkMasterWebUiPort);
  e["SPARK_WORKER_WEBUI_PORT"] = std::to_string(kSparkWorkerWebUiPort);
  // Lets Spark applications resolve hdfs:// paths with our core-site.xml.
  e["HADOOP_CONF_DIR"] = in.hadoop_conf_dir;
  if (!in.self_ip.empty()) {
    if (!rd::host_or_ip(in.self_ip)) return err("self_ip: not a valid address: " + rd::quoted(in.self_ip));
    e["SPARK_LOCAL_IP"] = in.self_ip;
  }
  e["SPARK_WORKER_DIR"] = *data + "/spark/work";
  e["SPARK_WORKER_OPTS"] = kWorkerOpts;
  if (cfg.caps.counts_as_worker) {  // only nodes that run a Worker
    // Per resource: user_data, else the container's cgroup limit, else the host.
    auto pick = [&](auto member) {
      using T = std::remove_cvref_t<decltype(CgroupLimits{}.*member)>;
      if (in.limits && ((*in.limits).*member)) return T((*in.limits).*member);
      if (in.host) return T((*in.host).*member);
      return T{};
    };
    if (cfg.spark.worker_cores) {
      if (*cfg.spark.worker_cores < 1) return err("spark.worker_cores: must be >= 1");
      e["SPARK_WORKER_CORES"] = std::to_string(*cfg.spark.worker_cores);
    } else if (auto c = pick(&CgroupLimits::cpus)) {
      e["SPARK_WORKER_CORES"] = std::to_string(default_worker_cores(*c));
    }
    if (cfg.spark.worker_memory) {
      e["SPARK_WORKER_MEMORY"] = *cfg.spark.worker_memory;
    } else if (auto m = pick(&CgroupLimits::memory_bytes)) {
      e["SPARK_WORKER_MEMORY"] = default_worker_memory(*m, cohosts_master(cfg.caps));
    }
  }
  overlay(e, cfg.spark.env);
  return e;
}

std::vector<std::string> local_dirs(std::string_view list) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t end = list.find(',', pos);
    std::string_view item = list.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.substr(0, 7) == "file://") item.remove_prefix(7);
    if (!item.empty()) out.emplace_back(item);
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return out;
}

Result<std::vector<RenderedFile>> render_all(const NodeConfig& cfg, const RenderInputs& in) {
  for (const auto* dir : {&in.hadoop_conf_dir, &in.spark_conf_dir})
    if (dir->empty() || (*dir)[0] != '/' || !rd::printable_utf8(*dir))
      return err("render: config directory must be an absolute path: " + rd::quoted(*dir));
  auto core = core_site_props(cfg, in);
  if (!core) return Error{core.error()};
  auto hdfs = hdfs_site_props(cfg, in);
  if (!hdfs) return Error{hdfs.error()};
  auto sdef = spark_defaults_props(cfg, in);
  if (!sdef) return Error{sdef.error()};
  auto senv = spark_env_vars(cfg, in);
  if (!senv) return Error{senv.error()};

  auto core_xml = render_hadoop_xml(*core);
  if (!core_xml) return Error{"core-site.xml: " + core_xml.error()};
  auto hdfs_xml = render_hadoop_xml(*hdfs);
  if (!hdfs_xml) return Error{"hdfs-site.xml: " + hdfs_xml.error()};
  auto defaults = render_spark_defaults(*sdef);
  if (!defaults) return Error{defaults.error()};
  auto env = render_spark_env(*senv);
  if (!env) return Error{env.error()};
  // A node that is master and worker at once is its own (only) worker
  // unless told otherwise.
  std::vector<std::string> worker_hosts = in.workers;
  if (worker_hosts.empty() && cohosts_master(cfg.caps)) worker_hosts.push_back(cfg.hostname);
  auto workers = render_workers(worker_hosts);
  if (!workers) return Error{workers.error()};
  auto exclude = render_exclude(in.excluded);
  if (!exclude) return Error{exclude.error()};

  return std::vector<RenderedFile>{
      {in.hadoop_conf_dir + "/core-site.xml", std::move(*core_xml), 0644},
      {in.hadoop_conf_dir + "/hdfs-site.xml", std::move(*hdfs_xml), 0644},
      {in.spark_conf_dir + "/spark-defaults.conf", std::move(*defaults), 0644},
      {in.spark_conf_dir + "/spark-env.sh", std::move(*env), 0755},
      {in.spark_conf_dir + "/workers", std::move(*workers), 0644},
      {in.hadoop_conf_dir + "/" + kExcludeFile, std::move(*exclude), 0644},
  };
}

}  // namespace vessel
