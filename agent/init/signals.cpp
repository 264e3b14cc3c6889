#include "init/signals.hpp"

#include <sys/signalfd.h>

#include <array>
#include <charconv>
#include <cstring>

namespace vessel::sig {
namespace {

struct Named {
  int sig;
  const char* name;
};

// The names we accept in YAML and print in logs; numbers work for the rest.
constexpr std::array<Named, 31> kNames{{
    {SIGHUP, "HUP"},     {SIGINT, "INT"},     {SIGQUIT, "QUIT"},
    {SIGILL, "ILL"},     {SIGTRAP, "TRAP"},   {SIGABRT, "ABRT"},
    {SIGBUS, "BUS"},     {SIGFPE, "FPE"},     {SIGKILL, "KILL"},
    {SIGUSR1, "USR1"},   {SIGSEGV, "SEGV"},   {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"},   {SIGALRM, "ALRM"},   {SIGTERM, "TERM"},
    {SIGSTKFLT, "STKFLT"}, {SIGCHLD, "CHLD"}, {SIGCONT, "CONT"},
    {SIGSTOP, "STOP"},   {SIGTSTP, "TSTP"},   {SIGTTIN, "TTIN"},
    {SIGTTOU, "TTOU"},   {SIGURG, "URG"},     {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"},   {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"},
    {SIGWINCH, "WINCH"}, {SIGIO, "IO"},       {SIGPWR, "PWR"},
    {SIGSYS, "SYS"},
}};

}  // namespace

sigset_t handled_set() {
  sigset_t set;
  sigfillset(&set);
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT,
                SIGKILL, SIGSTOP}) {
    sigdelset(&set, s);
  }
  // Real-time signals 32/33 are used internally by glibc (thread
  // cancellation, setxid); blocking them would break setuid in threads.
  for (int s = SIGRTMIN; s <= SIGRTMAX; ++s) sigdelset(&set, s);
  return set;
}

sigset_t forwardable_set() {
  sigset_t set = handled_set();
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) {
    sigaddset(&set, s);
  }
  return set;
}

sigset_t block(const sigset_t& set) {
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &set, &old);
  return old;
}

int open_signalfd(const sigset_t& set) {
  return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

std::optional<int> from_name(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec == std::errc() && p == s.data() + s.size()) {
    if (n >= 1 && n < NSIG) return n;
    return std::nullopt;
  }
  if (s.substr(0, 3) == "SIG") s.remove_prefix(3);
  for (const auto& e : kNames) {
    if (s == e.name) return e.sig;
  }
  return std::nullopt;
}

std::string name(int sig) {
  for (const auto& e : kNames) {
    if (e.sig == sig) return std::string("SIG") + e.name;
  }
  return "SIG" + std::to_string(sig);
}

}  // namespace vessel::sig
