#include "init/minimal_init.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <optional>

#include "init/reaper.hpp"

#include "init/signals.hpp"
#include "init/spawn.hpp"

namespace vessel::init {
namespace {

// Everything the loop needs to remember between wake-ups.
struct State {
  const MinimalInitOptions& opts;
  pid_t child = -1;
  std::size_t reaped_others = 0;  // orphans and other descendants we reaped
};

// C varargs rather than a template pack so the compiler checks every call's
// format string against its arguments (clang's -Wformat-security refuses a
// non-literal format otherwise).
[[gnu::format(printf, 2, 3)]] void logv(const MinimalInitOptions& o, const char* fmt, ...) {
  if (!o.verbose) return;
  std::fputs("vessel init: ", stderr);
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fputc('\n', stderr);
}

// Signals must be blocked before fork: a SIGTERM that arrives between fork
// and the first read of the signalfd would otherwise kill us (outside a PID
// namespace) or be lost. The child's mask is cleared again in spawn().
int take_over_signals() {
  sigset_t set = sig::forwardable_set();
  sig::block(set);
  int fd = sig::open_signalfd(set);
  if (fd < 0) {
    std::fprintf(stderr, "vessel init: signalfd: %s\n", std::strerror(errno));
    return -1;
  }
  // open_signalfd() is non-blocking for event loops; this loop sleeps in
  // read() itself, which saves a poll() per signal.
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
    std::fprintf(stderr, "vessel init: signalfd: %s\n", std::strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

// As PID 1 the kernel hands us every orphan anyway. Anywhere else (e.g.
// `docker run --init` replaced by us under a shell) orphans would go to the
// real PID 1 unless we register as their subreaper.
void claim_orphans(const MinimalInitOptions& o) {
  if (getpid() == 1) return;
  if (!become_subreaper()) {
    std::fprintf(stderr,
                 "vessel init: warning: cannot become a child subreaper (%s); "
                 "orphaned descendants will not be reaped by vessel init but "
                 "by the system's PID 1, so zombies may pile up there\n",
                 std::strerror(errno));
    return;
  }
  logv(o, "not PID 1: registered as child subreaper");
}

// Maps a failed start to the shell's convention so callers can tell "no
// such command" (127) from "found but not runnable" (126).
int report_spawn_failure(const MinimalInitOptions& o, const SpawnFailure& f) {
  const std::string& cmd = o.argv.front();
  if (f.step == "exec") {
    std::fprintf(stderr, "vessel init: cannot execute '%s': %s\n", cmd.c_str(),
                 std::strerror(f.err));
    return f.err == ENOENT ? 127 : 126;
  }
  std::fprintf(stderr, "vessel init: cannot start '%s': %s failed: %s\n", cmd.c_str(),
               f.step.c_str(), std::strerror(f.err));
  return 126;
}

// The child gets our stdin (an interactive shell must stay interactive), its
// own process group (so -g can signal the whole job), and the terminal's
// foreground when stdin is one.
std::optional<pid_t> start_child(const MinimalInitOptions& o, int& exit_code) {
  SpawnOptions so;
  so.argv = o.argv;
  so.env = o.env ? *o.env : current_environment();
  so.uid = o.uid;
  so.gid = o.gid;
  so.groups = o.groups;
  so.workdir = o.workdir;
  so.stdin_fd = 0;
  so.new_process_group = true;
  so.foreground_tty = true;
  auto r = spawn(so);
  if (!r) {
    std::fprintf(stderr, "vessel init: %s\n", r.error().c_str());
    exit_code = 1;
    return std::nullopt;
  }
  if (r->failure) {
    exit_code = report_spawn_failure(o, *r->failure);
    return std::nullopt;
  }
  logv(o, "started '%s' as pid %d", o.argv.front().c_str(), static_cast<int>(r->pid));
  return r->pid;
}

// Passes one signal on. ESRCH is normal: the child may have exited between
// the signal's arrival and now; its exit is picked up by the reaper.
void forward(const State& s, int signo) {
  pid_t target = s.opts.forward_to_group ? -s.child : s.child;
  if (kill(target, signo) != 0 && errno != ESRCH) {
    std::fprintf(stderr, "vessel init: forwarding %s to %d: %s\n", sig::name(signo).c_str(),
                 static_cast<int>(target), std::strerror(errno));
    return;
  }
  logv(s.opts, "forwarded %s to %s %d", sig::name(signo).c_str(),
       s.opts.forward_to_group ? "process group" : "pid", static_cast<int>(s.child));
}

// Sleeps until at least one signal is queued, then forwards all that one
// read returned (anything beyond the buffer is read on the next pass).
// SIGCHLD only means "look at the children" and is not forwarded; the
// reaper runs after every wake-up regardless, because the kernel coalesces
// SIGCHLD (many exits may leave one pending signal). Returns false on a
// read error other than EINTR.
bool wait_and_forward(const State& s, int fd) {
  signalfd_siginfo buf[16];
  ssize_t n = read(fd, buf, sizeof(buf));
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    std::fprintf(stderr, "vessel init: reading signals: %s\n", std::strerror(errno));
    return false;
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(n) / sizeof(buf[0]); ++i) {
    int signo = static_cast<int>(buf[i].ssi_signo);
    if (signo != SIGCHLD) forward(s, signo);
  }
  return true;
}

// Collects exited children. Returns the main child's wait status once it
// has been reaped.
std::optional<int> collect(State& s) {
  std::optional<int> main_status;
  if (!s.opts.reap_orphans) {
    int st = 0;
    if (waitpid(s.child, &st, WNOHANG) == s.child) main_status = st;
    return main_status;
  }
  reap_all([&](const Reaped& r) {
    if (r.pid == s.child) {
      main_status = r.status;
    } else {
      ++s.reaped_others;
      logv(s.opts, "reaped pid %d", static_cast<int>(r.pid));
    }
  });
  return main_status;
}

// Blocks in read() on the signalfd without a timeout: an idle init must
// cause no wake-ups. Every signal we care about (SIGCHLD included) is
// blocked and queued to the signalfd, so nothing can arrive unnoticed
// between two reads. One read per wake-up keeps forwarding latency low.
int main_loop(State& s, int fd) {
  for (;;) {
    if (!wait_and_forward(s, fd)) return 1;
    if (auto st = collect(s)) {
      int code = exit_code_of(*st);
      logv(s.opts, "main child %d exited with code %d; reaped %zu other process(es) in total",
           static_cast<int>(s.child), code, s.reaped_others);
      return code;
    }
  }
}

}  // namespace

int run_minimal_init(const MinimalInitOptions& opts) {
  if (opts.argv.empty()) {
    std::fprintf(stderr, "vessel init: no command given\n");
    return 2;
  }
  int fd = take_over_signals();
  if (fd < 0) return 1;
  claim_orphans(opts);
  int code = 0;
  auto child = start_child(opts, code);
  if (!child) return code;
  State s{opts, *child, 0};
  code = main_loop(s, fd);
  close(fd);
  return code;
}

}  // namespace vessel::init
