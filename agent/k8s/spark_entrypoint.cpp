#include "k8s/spark_entrypoint.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <tuple>

namespace vessel::k8s {
namespace {

// What a variable may hold. Values are never echoed in errors: a java
// option or a class path may carry anything, secrets included.
enum class Kind { path, classpath, java_opt, memory, number, token, dns_name, ip, driver_url, user_name };

bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }
bool any_ctl(std::string_view v) {
  return std::any_of(v.begin(), v.end(), [](char c) { return is_ctl(static_cast<unsigned char>(c)); });
}
bool all_of(std::string_view v, bool (*ok)(unsigned char)) {
  return std::all_of(v.begin(), v.end(), [ok](char c) { return ok(static_cast<unsigned char>(c)); });
}
bool digit(unsigned char c) { return std::isdigit(c) != 0; }
bool token_char(unsigned char c) { return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-'; }
bool dns_char(unsigned char c) { return std::islower(c) != 0 || digit(c) || c == '.' || c == '-'; }
bool name_char(unsigned char c) { return token_char(c) || c == ' '; }
bool url_char(unsigned char c) { return c > 0x20 && c < 0x7f; }
bool alnum_first(std::string_view v) { return !v.empty() && std::isalnum(static_cast<unsigned char>(v[0])) != 0; }

bool is_ip(std::string_view v) {
  if (v.size() > 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
  std::string s(v);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_memory(std::string_view v) {
  if (v.empty() || v.size() > 32) return false;
  std::string_view num = v;
  if (std::string_view("kKmMgGtT").find(v.back()) != std::string_view::npos) num.remove_suffix(1);
  return !num.empty() && all_of(num, digit);
}

Error bad(const std::string& name, const std::string& what) { return err(name + ": " + what); }

Status check(const std::string& name, std::string_view v, Kind kind) {
  switch (kind) {
    case Kind::path:
      if (v.size() > kMaxPathLen) return bad(name, "longer than " + std::to_string(kMaxPathLen) + " bytes");
      if (v[0] != '/' || any_ctl(v) || v.find(':') != std::string_view::npos)
        return bad(name, "must be an absolute path without ':' or control characters");
      return ok();
    case Kind::classpath:
      if (v.size() > kMaxClasspathLen)
        return bad(name, "longer than " + std::to_string(kMaxClasspathLen) + " bytes");
      if (any_ctl(v)) return bad(name, "contains a control character");
      return ok();
    case Kind::java_opt:
      if (v.size() > kMaxJavaOptLen) return bad(name, "longer than " + std::to_string(kMaxJavaOptLen) + " bytes");
      if (any_ctl(v)) return bad(name, "contains a control character");
      return ok();
    case Kind::memory:
      if (!is_memory(v)) return bad(name, "must be a JVM heap size (digits with an optional k/m/g/t suffix)");
      return ok();
    case Kind::number:
      if (v.size() > 9 || !all_of(v, digit)) return bad(name, "must be a decimal number of at most 9 digits");
      return ok();
    case Kind::token:
      if (v.size() > 253 || !alnum_first(v) || !all_of(v, token_char))
        return bad(name, "must be at most 253 of [A-Za-z0-9._-], starting with a letter or digit");
      return ok();
    case Kind::dns_name:
      if (v.size() > 253 || !alnum_first(v) || !all_of(v, dns_char))
        return bad(name, "must be a DNS-1123 name (at most 253 of [a-z0-9.-])");
      return ok();
    case Kind::ip:
      if (!is_ip(v)) return bad(name, "must be an IPv4 or IPv6 address");
      return ok();
    case Kind::driver_url:
      if (v.size() > 2048 || v.rfind("spark://", 0) != 0 || !all_of(v, url_char))
        return bad(name, "must be a spark:// URL of at most 2048 printable characters without spaces");
      return ok();
    case Kind::user_name:
      if (v.size() > 64 || !alnum_first(v) || !all_of(v, name_char))
        return bad(name, "must be at most 64 of [A-Za-z0-9._ -], starting with a letter or digit");
      return ok();
  }
  return ok();
}

// An unset and an empty variable are the same here.
Result<std::optional<std::string>> optional_var(const Env& env, const std::string& name, Kind kind) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return std::optional<std::string>{};
  if (auto st = check(name, it->second, kind); !st) return st.error_value();
  return std::optional<std::string>{it->second};
}

Result<std::string> required_var(const Env& env, const std::string& name, Kind kind) {
  auto v = optional_var(env, name, kind);
  if (!v) return v.error_value();
  if (!*v) return bad(name, "is not set (Spark's Kubernetes scheduler sets it)");
  return **v;
}

struct Opt {
  unsigned long n;
  std::string name;
  std::string value;
};

constexpr std::string_view kOptPrefix = "SPARK_JAVA_OPT_";
constexpr const char* kBackend = "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend";

}  // namespace

std::optional<Role> role_of(std::string_view arg) {
  if (arg == "driver") return Role::driver;
  if (arg == "executor") return Role::executor;
  return std::nullopt;
}

Result<std::vector<std::string>> java_opts(const Env& env) {
  std::vector<Opt> opts;
  std::size_t total = 0;
  for (auto it = env.lower_bound(std::string(kOptPrefix)); it != env.end(); ++it) {
    const auto& [name, value] = *it;
    if (name.rfind(kOptPrefix, 0) != 0) break;  // the map is sorted: the prefix block ended
    std::string_view suffix = std::string_view(name).substr(kOptPrefix.size());
    if (suffix.empty() || suffix.size() > 9 || !all_of(suffix, digit))
      return bad(name, "the part after SPARK_JAVA_OPT_ must be a decimal number of at most 9 digits");
    if (auto st = check(name, value, Kind::java_opt); !st) return st.error_value();
    if (opts.size() == kMaxJavaOpts)
      return err("SPARK_JAVA_OPT_*: more than " + std::to_string(kMaxJavaOpts) + " variables");
    total += value.size();
    if (total > kMaxJavaOptsTotal)
      return err("SPARK_JAVA_OPT_*: together longer than " + std::to_string(kMaxJavaOptsTotal) + " bytes");
    if (!value.empty()) opts.push_back({std::stoul(std::string(suffix)), name, value});
  }
  std::sort(opts.begin(), opts.end(),
            [](const Opt& a, const Opt& b) { return std::tie(a.n, a.name) < std::tie(b.n, b.name); });
  std::vector<std::string> out;
  for (auto& o : opts) out.push_back(std::move(o.value));
  return out;
}

Result<std::string> executor_classpath(const Env& env) {
  auto home = required_var(env, "SPARK_HOME", Kind::path);
  if (!home) return home.error_value();
  std::vector<std::string> parts;
  auto conf = optional_var(env, "SPARK_CONF_DIR", Kind::path);
  if (!conf) return conf.error_value();
  parts.push_back(*conf ? **conf : *home + "/conf");
  struct Part {
    const char* name;
    Kind kind;
  };
  // Before and after $SPARK_HOME/jars/*, as the official script orders them.
  for (const Part& p : {Part{"HADOOP_CONF_DIR", Kind::path}, Part{"SPARK_CLASSPATH", Kind::classpath}}) {
    auto v = optional_var(env, p.name, p.kind);
    if (!v) return v.error_value();
    if (*v) parts.push_back(**v);
  }
  parts.push_back(*home + "/jars/*");
  for (const char* name : {"SPARK_EXTRA_CLASSPATH", "SPARK_DIST_CLASSPATH"}) {
    auto v = optional_var(env, name, Kind::classpath);
    if (!v) return v.error_value();
    if (*v) parts.push_back(**v);
  }
  std::string cp;
  for (const auto& p : parts) {
    // Empty entries (from "a::b" or a leading ':') would mean "the current
    // directory" to the JVM; keep only real ones.
    std::size_t start = 0;
    while (start <= p.size()) {
      std::size_t end = std::min(p.find(':', start), p.size());
      if (end > start) cp += (cp.empty() ? "" : ":") + p.substr(start, end - start);
      start = end + 1;
    }
  }
  return cp;
}

bool wants_hadoop_classpath(const Env& env) {
  auto h = env.find("HADOOP_HOME");
  auto d = env.find("SPARK_DIST_CLASSPATH");
  return h != env.end() && !h->second.empty() && (d == env.end() || d->second.empty());
}

Result<std::string> parse_hadoop_classpath(std::string_view out) {
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.remove_suffix(1);
  if (auto st = check("output of `hadoop classpath`", out, Kind::classpath); !st) return st.error_value();
  return std::string(out);
}

namespace {

Result<Env> exported(const Env& env) {
  Env extra;
  auto d = optional_var(env, "SPARK_DIST_CLASSPATH", Kind::classpath);
  if (!d) return d.error_value();
  if (*d) extra["SPARK_DIST_CLASSPATH"] = **d;
  return extra;
}

}  // namespace

Result<Command> driver_command(const Env& env, const std::vector<std::string>& args) {
  auto home = required_var(env, "SPARK_HOME", Kind::path);
  if (!home) return home.error_value();
  auto bind = required_var(env, "SPARK_DRIVER_BIND_ADDRESS", Kind::ip);
  if (!bind) return bind.error_value();
  if (args.size() > kMaxArgs) return err("driver arguments: more than " + std::to_string(kMaxArgs));
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].size() > kMaxArgLen)
      return err("driver argument " + std::to_string(i + 1) + ": longer than " + std::to_string(kMaxArgLen) + " bytes");
  }
  auto extra = exported(env);
  if (!extra) return extra.error_value();
  Command c;
  c.argv = {*home + "/bin/spark-submit", "--conf", "spark.driver.bindAddress=" + *bind, "--deploy-mode", "client"};
  c.argv.insert(c.argv.end(), args.begin(), args.end());
  c.extra_env = std::move(*extra);
  return c;
}

Result<Command> executor_command(const Env& env) {
  auto java_home = required_var(env, "JAVA_HOME", Kind::path);
  if (!java_home) return java_home.error_value();
  auto opts = java_opts(env);
  if (!opts) return opts.error_value();
  auto mem = required_var(env, "SPARK_EXECUTOR_MEMORY", Kind::memory);
  if (!mem) return mem.error_value();
  auto cp = executor_classpath(env);
  if (!cp) return cp.error_value();
  Command c;
  c.argv.push_back(*java_home + "/bin/java");
  c.argv.insert(c.argv.end(), opts->begin(), opts->end());
  c.argv.insert(c.argv.end(), {"-Xms" + *mem, "-Xmx" + *mem, "-cp", *cp, kBackend});
  struct Flag {
    const char* flag;
    const char* var;
    Kind kind;
  };
  for (const Flag& f : {Flag{"--driver-url", "SPARK_DRIVER_URL", Kind::driver_url},
                        Flag{"--executor-id", "SPARK_EXECUTOR_ID", Kind::token},
                        Flag{"--cores", "SPARK_EXECUTOR_CORES", Kind::number},
                        Flag{"--app-id", "SPARK_APPLICATION_ID", Kind::token},
                        Flag{"--hostname", "SPARK_EXECUTOR_POD_IP", Kind::ip},
                        Flag{"--resourceProfileId", "SPARK_RESOURCE_PROFILE_ID", Kind::number},
                        Flag{"--podName", "SPARK_EXECUTOR_POD_NAME", Kind::dns_name}}) {
    auto v = required_var(env, f.var, f.kind);
    if (!v) return v.error_value();
    c.argv.insert(c.argv.end(), {f.flag, *v});
  }
  auto extra = exported(env);
  if (!extra) return extra.error_value();
  c.extra_env = std::move(*extra);
  return c;
}

std::string work_dir(const Env& env) {
  auto home = optional_var(env, "SPARK_HOME", Kind::path);
  return home && *home ? **home + "/work-dir" : std::string();
}

Result<std::string> passwd_entry(const Env& env, unsigned uid, unsigned gid) {
  auto name = optional_var(env, "SPARK_USER_NAME", Kind::user_name);
  if (!name) return name.error_value();
  auto home = optional_var(env, "SPARK_HOME", Kind::path);
  if (!home) return home.error_value();
  std::string u = std::to_string(uid);
  return u + ":x:" + u + ":" + std::to_string(gid) + ":" + (*name ? **name : "anonymous uid") + ":" +
         (*home ? **home : "/") + ":/bin/false\n";
}

namespace {

bool has_gid(std::string_view group, unsigned gid) {
  std::string needle = ":" + std::to_string(gid) + ":";
  std::size_t start = 0;
  while (start < group.size()) {
    std::size_t end = std::min(group.find('\n', start), group.size());
    std::string_view line = group.substr(start, end - start);
    // name:password:GID:members -- the GID is the third field.
    std::size_t first = line.find(':');
    std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second != std::string_view::npos && line.substr(second).rfind(needle, 0) == 0) return true;
    start = end + 1;
  }
  return false;
}

std::string with_newline(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

}  // namespace

Result<NssFiles> nss_wrapper_files(const Env& env, unsigned uid, unsigned gid, std::string_view etc_passwd,
                                   std::string_view etc_group) {
  auto line = passwd_entry(env, uid, gid);
  if (!line) return line.error_value();
  NssFiles f{with_newline(etc_passwd) + *line, with_newline(etc_group)};
  if (!has_gid(etc_group, gid)) f.group += "spark" + std::to_string(gid) + ":x:" + std::to_string(gid) + ":\n";
  return f;
}

Env nss_wrapper_env(const Env& env, const std::string& library, const std::string& dir) {
  auto it = env.find("LD_PRELOAD");
  std::string preload = it == env.end() || it->second.empty() ? library : it->second + ":" + library;
  return {{"LD_PRELOAD", preload}, {"NSS_WRAPPER_PASSWD", dir + "/passwd"}, {"NSS_WRAPPER_GROUP", dir + "/group"}};
}

}  // namespace vessel::k8s
