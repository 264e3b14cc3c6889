#pragma once
// Pure rendering of the HDFS and Spark configuration files from NodeConfig.
// No I/O here: the caller writes the returned files (util/fs.hpp) and
// gathers host facts (cgroup.hpp) beforehand, so the output is a function of
// the inputs alone and golden-testable byte for byte.
//
// Layout follows the official tarballs:
//   $HADOOP_CONF_DIR/core-site.xml, hdfs-site.xml
//   $SPARK_HOME/conf/spark-defaults.conf, spark-env.sh, workers
//
// Precedence for every key, lowest first:
//   built-in defaults < role file (RenderInputs.role_*) < user_data
//   (NodeConfig.core / hdfs.replication / hdfs.site / spark.* ; env
//   overrides were merged into these by the config parser).
// Within user_data, hdfs.site["dfs.replication"] wins over hdfs.replication.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/node_config.hpp"
#include "render/cgroup.hpp"
#include "util/result.hpp"

namespace vessel {

// Fixed ports (Hadoop 3 / Spark defaults), in one place.
inline constexpr int kNameNodeRpcPort = 8020;
inline constexpr int kNameNodeHttpPort = 9870;
inline constexpr int kDataNodePort = 9866;
inline constexpr int kDataNodeHttpPort = 9864;
inline constexpr int kDataNodeIpcPort = 9867;
inline constexpr int kSparkMasterPort = 7077;
inline constexpr int kSparkMasterWebUiPort = 8080;
inline constexpr int kSparkWorkerWebUiPort = 8081;

struct RenderedFile {
  std::string path;     // absolute in the node, e.g. /etc/hadoop/core-site.xml
  std::string content;
  unsigned mode = 0644;
  bool operator==(const RenderedFile&) const = default;
};

using Props = std::map<std::string, std::string>;

struct RenderInputs {                               // facts not in NodeConfig
  std::string hadoop_conf_dir = "/etc/hadoop";      // $HADOOP_CONF_DIR
  std::string spark_conf_dir = "/opt/spark/conf";   // $SPARK_HOME/conf
  std::string self_ip;                  // this node's address (SPARK_LOCAL_IP); "" = omit
  std::vector<std::string> workers;     // worker hostnames known now
  std::vector<std::string> excluded;    // members draining/decommissioned: dfs.exclude
  std::optional<CgroupLimits> limits;   // container limits (read_cgroup_limits)
  std::optional<CgroupLimits> host;     // host totals (read_host_resources), fallback
  Props role_core, role_hdfs, role_spark;  // role-file layer (role_spark -> spark-defaults)
};

// All six files, in a fixed order: core-site.xml, hdfs-site.xml,
// spark-defaults.conf, spark-env.sh, workers, dfs.exclude (the NameNode's
// dfs.hosts.exclude, in hadoop_conf_dir). Fails (naming the field) on
// any key or value that cannot be rendered safely.
Result<std::vector<RenderedFile>> render_all(const NodeConfig& cfg, const RenderInputs& in);

// The merged property maps render_all writes; exposed so other stages read
// the effective values (e.g. the format guard needs dfs.namenode.name.dir).
Result<std::string> master_address(const NodeConfig& cfg);
Result<Props> core_site_props(const NodeConfig& cfg, const RenderInputs& in);
Result<Props> hdfs_site_props(const NodeConfig& cfg, const RenderInputs& in);
Result<Props> spark_defaults_props(const NodeConfig& cfg, const RenderInputs& in);
Result<Props> spark_env_vars(const NodeConfig& cfg, const RenderInputs& in);

// Local directories of a Hadoop dir list ("file:///a,/b" -> {"/a", "/b"}).
std::vector<std::string> local_dirs(std::string_view dir_list);

// Hadoop <configuration> document, built with pugixml (values escaped by
// pugixml, never by hand); keys sorted by the map. Rejects keys outside
// [A-Za-z0-9._-] and values with control characters or invalid UTF-8,
// which XML 1.0 cannot carry.
Result<std::string> render_hadoop_xml(const Props& props);

// spark-defaults.conf: one "key value" line per entry. Spark loads it with
// java.util.Properties, so a backslash in a value is escaped as "\\" to reach
// Spark unchanged. Values containing control characters (newline, CR, ...)
// are REJECTED, not escaped: a value can never produce a second line.
Result<std::string> render_spark_defaults(const Props& props);

// spark-env.sh: "export NAME='value'" per entry; every value goes through
// shell_quote, names must be shell identifiers, and values with control
// characters are rejected (defence in depth: quoting alone is already safe).
Result<std::string> render_spark_env(const Props& vars);

// Spark `workers` file: one validated hostname or IP literal per line.
// (render_all lists the node's own hostname for a standalone node when
// RenderInputs.workers is empty.)
Result<std::string> render_workers(const std::vector<std::string>& workers);

// The NameNode's exclude file: one validated hostname per line, empty when
// no member is draining or decommissioned.
Result<std::string> render_exclude(const std::vector<std::string>& names);
inline constexpr const char* kExcludeFile = "dfs.exclude";

// POSIX single-quoting: 'it'\''s'. Inside single quotes nothing is special
// to sh/bash, including $(...), backticks and newlines.
std::string shell_quote(std::string_view s);

// Worker defaults from a CPU/memory budget (cgroup limit, else host).
// cores: floor(cpus), at least 1.
// memory: reserve = max(1 GiB, total/4) for the DataNode heap (1 GiB by
// default), JVM off-heap and the OS; standalone reserves 1 GiB more for the
// NameNode and Spark Master. worker = total - reserve, in whole MiB, and at
// least half of total when the reserve would exceed that (tiny containers).
int default_worker_cores(double cpus);
std::string default_worker_memory(std::uint64_t total_bytes, bool standalone);

}  // namespace vessel
