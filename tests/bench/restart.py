#!/usr/bin/env python3
"""Restart latency of a supervisor running as PID 1 (item 6 of run.sh).

    restart.py --fifo PATH --kills N --settle S [--raw FILE] -- SUPERVISOR ARGV...

Starts `unshare --pid --fork --mount-proc SUPERVISOR ARGV...`, whose only
service is tests/pid1/helpers/startstamp (it writes "NSPID MONOTONIC_NS" to
the FIFO when it starts). Then N times: wait SETTLE seconds (so the service
counts as stable and the supervisor's backoff is back at its first step),
read CLOCK_MONOTONIC, SIGKILL the service, and read the replacement's start
time from the FIFO. Latency = replacement start - kill; time.monotonic_ns()
is CLOCK_MONOTONIC on Linux, the clock startstamp uses.

Prints one line: samples=N min_ns= p50_ns= max_ns= (or failed=1 why=...).
"""
import argparse
import os
import select
import signal
import statistics
import subprocess
import sys
import time


class Fifo:
    """The read end, opened O_RDWR so it never sees EOF between two
    incarnations of the service and a writer's open never blocks."""

    def __init__(self, path):
        if os.path.exists(path):
            os.unlink(path)
        os.mkfifo(path, 0o600)
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        self.buf = b""

    def line(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise TimeoutError(f"no service start within {timeout:.0f}s")
            self.buf += os.read(self.fd, 4096)
        line, self.buf = self.buf.split(b"\n", 1)
        nspid, ns = line.split()
        return int(nspid), int(ns)


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except FileNotFoundError:
        return []


def host_pid(init_pid, nspid):
    """The host PID of the init's child whose PID in the namespace (last
    NSpid field) is nspid."""
    for c in children(init_pid):
        try:
            with open(f"/proc/{c}/status") as f:
                for l in f:
                    if l.startswith("NSpid:") and int(l.split()[-1]) == nspid:
                        return c
        except (FileNotFoundError, ProcessLookupError):
            continue
    raise LookupError(f"service with namespace pid {nspid} is not a child of {init_pid}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fifo", required=True)
    ap.add_argument("--kills", type=int, required=True)
    ap.add_argument("--settle", type=float, required=True)
    ap.add_argument("--raw")
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()

    fifo = Fifo(a.fifo)
    with open(a.log, "ab") as log:
        unshare = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc"] + a.cmd,
                                   stdout=log, stderr=log)
    init_pid = None
    samples = []
    try:
        for _ in range(500):
            kids = children(unshare.pid)
            if kids:
                init_pid = kids[0]
                break
            time.sleep(0.01)
        else:
            raise LookupError("unshare started no init")
        nspid, _ = fifo.line(30)  # the first start is not a restart
        for _ in range(a.kills):
            time.sleep(a.settle)
            victim = host_pid(init_pid, nspid)
            t_kill = time.monotonic_ns()
            os.kill(victim, signal.SIGKILL)
            nspid, t_start = fifo.line(30)
            samples.append(t_start - t_kill)
    except (TimeoutError, LookupError, OSError) as e:
        print(f"failed=1 samples={len(samples)} why={str(e).replace(' ', '_')}")
        return 1
    finally:
        # Killing PID 1 kills the whole namespace.
        if init_pid is not None:
            try:
                os.kill(init_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            unshare.kill()
        unshare.wait()
        os.close(fifo.fd)
        os.unlink(a.fifo)
    if a.raw:
        with open(a.raw, "w") as f:
            f.writelines(f"{s}\n" for s in samples)
    print(f"samples={len(samples)} min_ns={min(samples)} "
          f"p50_ns={int(statistics.median(samples))} max_ns={max(samples)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
