#pragma once
// Spark's native Kubernetes mode: the contract of Spark's official image
// entrypoint (resource-managers/kubernetes/docker/.../spark/entrypoint.sh),
// as pure functions from (argv, environment) to the exact command to exec.
// Spark's scheduler starts the image with `driver ARGS...` or `executor` and
// passes everything else through the pod's environment, which is untrusted
// input here: each variable is validated and size-capped, and an error names
// it. No shell: the result is an argv, exec'd as is.
//
// Deliberate differences from the official script:
//  - SPARK_JAVA_OPT_<n> are applied in numeric order of n (10 after 2), by
//    name, not by `env | grep | sort` over whole lines (which also matches
//    the text in other variables' values); a name whose suffix is not a
//    number, or a value with a control character, is an error; empty values
//    are skipped.
//  - Empty classpath entries are dropped (the script's leading ':' when
//    SPARK_CLASSPATH is unset means "the current directory" to the JVM).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vessel::k8s {

using Env = std::map<std::string, std::string>;

enum class Role { driver, executor };

// "driver" / "executor" -> the role; anything else is a pass-through command.
std::optional<Role> role_of(std::string_view arg);

// Caps on the environment (bytes / counts), public for the tests.
inline constexpr std::size_t kMaxPathLen = 4096;
inline constexpr std::size_t kMaxClasspathLen = 256 * 1024;
inline constexpr std::size_t kMaxJavaOptLen = 128 * 1024;
inline constexpr std::size_t kMaxJavaOpts = 4096;
inline constexpr std::size_t kMaxJavaOptsTotal = 1024 * 1024;
inline constexpr std::size_t kMaxArgs = 4096;
inline constexpr std::size_t kMaxArgLen = 128 * 1024;

// The values of SPARK_JAVA_OPT_<n>, ordered by the number n (ties, e.g. _01
// and _1, by name). Errors name the variable.
Result<std::vector<std::string>> java_opts(const Env& env);

// The executor's class path, in the official order: SPARK_CONF_DIR (or
// $SPARK_HOME/conf), HADOOP_CONF_DIR, SPARK_CLASSPATH, $SPARK_HOME/jars/*,
// SPARK_EXTRA_CLASSPATH, SPARK_DIST_CLASSPATH; unset or empty parts skipped.
Result<std::string> executor_classpath(const Env& env);

// True when the official script would run `$HADOOP_HOME/bin/hadoop classpath`
// to fill SPARK_DIST_CLASSPATH: HADOOP_HOME set, SPARK_DIST_CLASSPATH unset
// or empty. The caller runs it (an effect) and puts the result in the env.
bool wants_hadoop_classpath(const Env& env);
// Checks the output of `hadoop classpath` (one line, capped) and returns it
// without the trailing newline.
Result<std::string> parse_hadoop_classpath(std::string_view out);

struct Command {
  std::vector<std::string> argv;
  // Variables the child gets on top of the pod's environment (the official
  // script exports SPARK_DIST_CLASSPATH for spark-submit to pick up).
  Env extra_env;
};

// driver: $SPARK_HOME/bin/spark-submit --conf spark.driver.bindAddress=$SPARK_DRIVER_BIND_ADDRESS
//         --deploy-mode client ARGS...
Result<Command> driver_command(const Env& env, const std::vector<std::string>& args);
// executor: $JAVA_HOME/bin/java OPTS... -Xms$MEM -Xmx$MEM -cp CLASSPATH
//           org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend --driver-url ...
Result<Command> executor_command(const Env& env);

// Where the JVM runs: $SPARK_HOME/work-dir, as the official image's WORKDIR
// (the driver copies the application's files into its current directory).
// The caller uses it only when it exists and the pod did not set another one.
std::string work_dir(const Env& env);

// The passwd line the official script appends for a UID without an entry
// (OpenShift's arbitrary UIDs): "uid:x:uid:gid:NAME:$SPARK_HOME:/bin/false",
// NAME from SPARK_USER_NAME (validated) or "anonymous uid".
Result<std::string> passwd_entry(const Env& env, unsigned uid, unsigned gid);

// When /etc/passwd is not writable (the image's, deliberately: a writable
// passwd lets a group-0 process add a root login), the entry goes to a
// private copy that nss_wrapper (Debian's libnss-wrapper, LD_PRELOADed into
// the JVMs) serves instead: /etc/passwd's lines plus the entry, and
// /etc/group's plus one for the GID when it has none. The JVM needs it: with
// no entry its user.home is "?" and spark-submit fails ("basedir must be
// absolute: ?/.ivy2/local").
struct NssFiles {
  std::string passwd;
  std::string group;
};
Result<NssFiles> nss_wrapper_files(const Env& env, unsigned uid, unsigned gid, std::string_view etc_passwd,
                                   std::string_view etc_group);
// LD_PRELOAD (kept, with the library appended), NSS_WRAPPER_PASSWD and _GROUP.
Env nss_wrapper_env(const Env& env, const std::string& library, const std::string& dir);

}  // namespace vessel::k8s
