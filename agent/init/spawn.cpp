#include "init/spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace vessel {
namespace {

// Everything after fork() below runs in the child of a possibly
// multi-threaded parent, so only async-signal-safe calls are allowed: no
// malloc, no locks. All strings were prepared before fork.
[[noreturn]] void child_fail(int pipe_fd, const char* step) {
  int e = errno;
  char buf[sizeof(int) + 16] = {};
  std::memcpy(buf, &e, sizeof(int));
  std::size_t n = std::strlen(step);
  if (n > 15) n = 15;
  std::memcpy(buf + sizeof(int), step, n);
  ssize_t w = write(pipe_fd, buf, sizeof(int) + n);
  (void)w;
  _exit(e == ENOENT ? 127 : 126);
}

void reset_signals() {
  // Handlers reset on exec by themselves, but ignored signals and the mask
  // survive exec: clear both so the child starts with empty SigIgn/SigBlk.
  for (int s = 1; s < NSIG; ++s) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    signal(s, SIG_DFL);
  }
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
}

void move_fd(int from, int to) {
  if (from >= 0 && from != to) dup2(from, to);  // dup2 clears FD_CLOEXEC
}

[[noreturn]] void child_main(const SpawnOptions& o, int pipe_fd,
                             const char* path, char* const* argv,
                             char* const* envp) {
  if (o.new_process_group && setpgid(0, 0) != 0) child_fail(pipe_fd, "setpgid");
  if (o.stdin_fd >= 0) {
    move_fd(o.stdin_fd, 0);
  } else {
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) move_fd(fd, 0);
  }
  if (o.new_process_group && o.foreground_tty && isatty(0)) {
    // We are a background group until this call; tcsetpgrp from the
    // background raises SIGTTOU unless it is blocked or ignored. It is still
    // blocked here (the caller's mask), and the mask is cleared below, so
    // the child inherits nothing. Failure is not fatal: the child still runs.
    (void)tcsetpgrp(0, getpgrp());
  }
  move_fd(o.stdout_fd, 1);
  move_fd(o.stderr_fd, 2);
  if (o.gid || o.uid) {
    // Order matters: supplementary groups and gid need root, so uid goes last.
    if (setgroups(o.groups.size(), o.groups.data()) != 0) child_fail(pipe_fd, "setgroups");
    if (o.gid && setgid(*o.gid) != 0) child_fail(pipe_fd, "setgid");
    if (o.uid && setuid(*o.uid) != 0) child_fail(pipe_fd, "setuid");
  }
  if (!o.workdir.empty() && chdir(o.workdir.c_str()) != 0) child_fail(pipe_fd, "chdir");
  reset_signals();
  execve(path, argv, envp);
  child_fail(pipe_fd, "exec");
}

std::string env_lookup(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& kv : env) {
    if (kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '=') {
      return kv.substr(key.size() + 1);
    }
  }
  return "";
}

}  // namespace

std::string resolve_in_path(const std::string& file, const std::string& path_var) {
  if (file.find('/') != std::string::npos) return file;
  std::string path = path_var.empty() ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : path_var;
  std::size_t start = 0;
  std::string first_found;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = end > start ? path.substr(start, end - start) : std::string(".");
    std::string cand = dir + "/" + file;
    struct stat st {};
    if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (access(cand.c_str(), X_OK) == 0) return cand;
      if (first_found.empty()) first_found = cand;  // exists, not executable: 126
    }
    start = end + 1;
  }
  return first_found.empty() ? file : first_found;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

Result<Spawned> spawn(const SpawnOptions& o) {
  if (o.argv.empty()) return err("spawn: empty argv");
  std::string path = resolve_in_path(o.argv[0], env_lookup(o.env, "PATH"));
  std::vector<char*> argv, envp;
  for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : o.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return err(std::string("spawn: pipe: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    return err(std::string("spawn: fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(o, fds[1], path.c_str(), argv.data(), envp.data());
  }
  close(fds[1]);
  // Also set the group from the parent: whichever of parent and child runs
  // first, the group exists before anyone signals it.
  if (o.new_process_group) setpgid(pid, pid);

  Spawned out;
  out.pid = pid;
  char buf[sizeof(int) + 16] = {};
  ssize_t n;
  do {
    n = read(fds[0], buf, sizeof(buf) - 1);
  } while (n < 0 && errno == EINTR);
  close(fds[0]);
  if (n >= static_cast<ssize_t>(sizeof(int))) {
    SpawnFailure f;
    std::memcpy(&f.err, buf, sizeof(int));
    f.step = std::string(buf + sizeof(int));
    // The child exits at once; reap exactly it so the caller's reaper never
    // mistakes it for an orphan.
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    out.failure = f;
  }
  return out;
}

}  // namespace vessel
