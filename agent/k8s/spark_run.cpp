#include "k8s/spark_run.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "init/minimal_init.hpp"
#include "init/spawn.hpp"
#include "k8s/spark_entrypoint.hpp"
#include "supervise/users.hpp"
#include "util/fs.hpp"

namespace vessel::k8s {
namespace {

constexpr const char* kSparkUser = "spark";

void note(const std::string& msg) { std::fprintf(stderr, "vessel k8s: %s\n", msg.c_str()); }

Env environment() {
  Env env;
  for (const auto& kv : current_environment()) {
    auto eq = kv.find('=');
    if (eq != std::string::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

// Runs `$HADOOP_HOME/bin/hadoop classpath` (no shell: argv exec'd) and
// reads at most the cap of its stdout.
Result<std::string> hadoop_classpath(const std::string& hadoop_home) {
  std::string bin = hadoop_home + "/bin/hadoop";
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return err(std::string("hadoop classpath: pipe: ") + std::strerror(errno));
  SpawnOptions so;
  so.argv = {bin, "classpath"};
  so.env = current_environment();
  so.stdout_fd = fds[1];
  auto r = spawn(so);
  close(fds[1]);
  if (!r || r->failure) {
    close(fds[0]);
    return err("cannot run " + bin + (r ? std::string(": ") + std::strerror(r->failure->err) : ": " + r.error()));
  }
  std::string out;
  char buf[8192];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxClasspathLen + 2) break;
  }
  close(fds[0]);
  int st = 0;
  while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return err(bin + " classpath failed");
  return parse_hadoop_classpath(out);
}

// The official script's SPARK_DIST_CLASSPATH step. A missing launcher
// leaves it empty, as the script's failed $(...) does.
Status fill_dist_classpath(Env& env) {
  if (!wants_hadoop_classpath(env)) return ok();
  const std::string& home = env["HADOOP_HOME"];
  if (access((home + "/bin/hadoop").c_str(), X_OK) != 0) {
    note("HADOOP_HOME has no bin/hadoop: SPARK_DIST_CLASSPATH stays empty");
    return ok();
  }
  auto cp = hadoop_classpath(home);
  if (!cp) return cp.error_value();
  env["SPARK_DIST_CLASSPATH"] = *cp;
  return ok();
}

// Debian's libnss-wrapper, where the image has it.
std::string nss_wrapper_library() {
  for (const char* p : {"/usr/lib/x86_64-linux-gnu/libnss_wrapper.so", "/usr/lib/aarch64-linux-gnu/libnss_wrapper.so",
                        "/usr/lib64/libnss_wrapper.so", "/usr/lib/libnss_wrapper.so"}) {
    if (access(p, R_OK) == 0) return p;
  }
  return "";
}

// A passwd entry for this UID through nss_wrapper, in a private directory.
Status use_nss_wrapper(Env& env) {
  std::string uid = std::to_string(getuid());
  std::string lib = nss_wrapper_library();
  if (lib.empty()) {
    note("UID " + uid + " has no passwd entry, /etc/passwd is not writable and there is no libnss_wrapper");
    return ok();
  }
  auto passwd = read_file("/etc/passwd", 4 * 1024 * 1024);
  if (!passwd) return passwd.error_value();
  auto group = read_file("/etc/group", 4 * 1024 * 1024);
  if (!group) return group.error_value();
  auto files = nss_wrapper_files(env, getuid(), getgid(), *passwd, *group);
  if (!files) return files.error_value();
  std::string tmpl = "/tmp/vessel-nss-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return err("mkdtemp /tmp/vessel-nss-XXXXXX: " + std::string(std::strerror(errno)));
  for (auto [name, content] : {std::pair{"/passwd", &files->passwd}, std::pair{"/group", &files->group}}) {
    if (auto st = write_file_atomic(tmpl + name, *content, 0644); !st) return st;
  }
  for (const auto& [k, v] : nss_wrapper_env(env, lib, tmpl)) env[k] = v;
  note("UID " + uid + " has no passwd entry: one is served through nss_wrapper from " + tmpl);
  return ok();
}

// As root: drop to the spark user (HOME, USER, LOGNAME follow). As any other
// UID: keep it, and give a UID without a passwd entry (OpenShift) one, as
// the official script does, when /etc/passwd is writable.
Status choose_user(init::MinimalInitOptions& o, Env& env) {
  if (geteuid() == 0) {
    auto id = resolve_identity(kSparkUser, "");
    if (!id) return id.error_value();
    o.uid = id->uid;
    o.gid = id->gid;
    o.groups = id->groups;
    env["HOME"] = id->home;
    env["USER"] = env["LOGNAME"] = id->name;
    return ok();
  }
  if (getpwuid(getuid()) != nullptr) return ok();
  if (access("/etc/passwd", W_OK) == 0) {
    auto line = passwd_entry(env, getuid(), getgid());
    if (!line) return line.error_value();
    int fd = open("/etc/passwd", O_WRONLY | O_APPEND | O_CLOEXEC);
    bool done = fd >= 0 && write(fd, line->data(), line->size()) == static_cast<ssize_t>(line->size());
    if (fd >= 0) close(fd);
    if (done) return ok();
  }
  return use_nss_wrapper(env);
}

// The pod's workingDir wins; only a container left in / moves to the work dir.
void choose_workdir(init::MinimalInitOptions& o, const Env& env) {
  std::string dir = work_dir(env);
  std::vector<char> cwd(4096);
  struct stat st {};
  if (dir.empty() || getcwd(cwd.data(), cwd.size()) == nullptr || std::string(cwd.data()) != "/") return;
  if (stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) o.workdir = dir;
}

std::vector<std::string> flatten(const Env& env) {
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

int cmd_spark(int argc, char** argv) {
  auto role = role_of(argv[0]);
  if (!role) return cmd_passthrough(argc, argv);
  Env env = environment();
  if (auto st = fill_dist_classpath(env); !st) {
    note(st.error());
    return 2;
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cmd = *role == Role::driver ? driver_command(env, args) : executor_command(env);
  if (!cmd) {
    note(std::string(argv[0]) + ": " + cmd.error());
    return 2;
  }
  init::MinimalInitOptions o;
  if (auto st = choose_user(o, env); !st) {
    note(st.error());
    return 2;
  }
  choose_workdir(o, env);
  for (const auto& [k, v] : cmd->extra_env) env[k] = v;
  o.argv = std::move(cmd->argv);
  o.env = flatten(env);
  // The argv is not logged: java options may carry secrets.
  note(std::string(argv[0]) + ": starting " + o.argv.front() + " as uid " + std::to_string(o.uid ? *o.uid : getuid()) +
       (o.uid ? " (user spark)" : ""));
  return init::run_minimal_init(o);
}

int cmd_passthrough(int argc, char** argv) {
  init::MinimalInitOptions o;
  o.argv.assign(argv, argv + argc);
  return init::run_minimal_init(o);
}

}  // namespace vessel::k8s
