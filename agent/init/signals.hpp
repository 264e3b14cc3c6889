#pragma once
// Signal plumbing for PID 1. vessel blocks every asynchronous signal in all
// threads (before any thread starts) and reads them from a signalfd, so the
// main loop sees signals as ordinary readable events: no async handlers, no
// races with the reaper.
#include <signal.h>

#include <optional>
#include <string>
#include <string_view>

namespace vessel::sig {

// All signals vessel takes over: every signal except the synchronous fault
// signals (SEGV, BUS, FPE, ILL, TRAP, SYS, ABRT), which must keep their
// default action so a crash stays a crash, and KILL/STOP, which cannot be
// blocked anyway.
sigset_t handled_set();

// handled_set() plus the fault signals, for `vessel init`: a tini-style init
// must pass every signal a user can send (`kill -SEGV 1` included) on to its
// child. Blocking them does not hide real crashes: for a synchronous fault
// the kernel unblocks the signal and forces the default action
// (force_sig_info), and abort() unblocks SIGABRT before raising it.
sigset_t forwardable_set();

// Blocks `set` in the calling thread; returns the mask that was in effect.
sigset_t block(const sigset_t& set);

// A non-blocking, close-on-exec signalfd for `set`; -1 on error (errno set).
int open_signalfd(const sigset_t& set);

// "TERM", "SIGTERM" or "15" -> 15. nullopt for anything else.
std::optional<int> from_name(std::string_view s);
// 15 -> "SIGTERM"; unknown numbers print as "SIG<n>".
std::string name(int sig);

}  // namespace vessel::sig
