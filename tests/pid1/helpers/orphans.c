/* orphans N [TIMEOUT_MS]: makes N orphans, releases them at once, and
 * reports how many the init reaped.
 *
 * A middle process forks N workers and exits, so the workers are re-parented
 * to the init (PID 1 of the namespace, or the nearest subreaper). Every
 * worker blocks reading a "gate" pipe; closing our write end releases all of
 * them at the same moment, which is the burst that makes the kernel coalesce
 * their SIGCHLDs. A worker counts as:
 *   exited  once its end of the "done" pipe is closed (EOF = all exited),
 *   reaped  once kill(pid, 0) fails with ESRCH: a zombie still answers
 *           kill(), only a reaped process is gone.
 * Afterwards /proc is scanned for processes in state Z.
 * Prints: orphans=N exited=E reaped=R zombies=Z drain_us=U
 * drain_us is the time from release until the last worker was reaped (or
 * until the timeout). Exit 0 when the run completed, 1 on setup errors. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static int count_zombies(void) {
  DIR* d = opendir("/proc");
  if (!d) return -1;
  int z = 0;
  struct dirent* e;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE* f = fopen(path, "r");
    if (!f) continue; /* gone meanwhile */
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* The state follows the last ')': comm may itself contain ") ". */
    char* p = strrchr(buf, ')');
    if (p && p[1] == ' ' && p[2] == 'Z') ++z;
  }
  closedir(d);
  return z;
}

/* Middle process: forks the workers, sends their pids up, exits. */
static void middle(int n, int gate_r, int gate_w, int pids_w, int done_r) {
  close(gate_w);
  close(done_r);
  for (int i = 0; i < n; ++i) {
    pid_t w = fork();
    if (w < 0) {
      perror("orphans: fork worker");
      _exit(1);
    }
    if (w == 0) {
      char c;
      close(pids_w);
      while (read(gate_r, &c, 1) < 0 && errno == EINTR) {
      }
      _exit(0); /* done_w closes here */
    }
    if (write(pids_w, &w, sizeof w) != (ssize_t)sizeof w) _exit(1);
  }
  _exit(0);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: orphans N [TIMEOUT_MS]\n");
    return 2;
  }
  int n = atoi(argv[1]);
  long long timeout_us = (argc > 2 ? atoll(argv[2]) : 10000) * 1000LL;
  int gate[2], pids[2], done[2];
  if (n <= 0 || pipe(gate) || pipe(pids) || pipe(done)) return 2;
  pid_t *list = calloc((size_t)n, sizeof(pid_t));
  if (!list) return 2;

  pid_t m = fork();
  if (m < 0) return 1;
  if (m == 0) middle(n, gate[0], gate[1], pids[1], done[0]);
  close(gate[0]);
  close(pids[1]);
  close(done[1]);
  int have = 0;
  ssize_t r;
  while (have < n && (r = read(pids[0], &list[have], sizeof(pid_t))) == (ssize_t)sizeof(pid_t)) ++have;
  int st = 0;
  waitpid(m, &st, 0); /* the workers are orphans from here on */
  if (have != n || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "orphans: only %d of %d workers started\n", have, n);
    return 1;
  }

  long long t0 = now_us();
  close(gate[1]); /* release all workers at once */
  char c;
  while ((r = read(done[0], &c, 1)) < 0 && errno == EINTR) {
  }
  int exited = n;

  int reaped = 0;
  long long t_last = t0;
  const struct timespec nap = {0, 100000}; /* 100 us between passes */
  for (;;) {
    while (reaped < n && kill(list[reaped], 0) != 0 && errno == ESRCH) ++reaped;
    t_last = now_us();
    if (reaped == n || t_last - t0 > timeout_us) break;
    nanosleep(&nap, NULL);
  }
  printf("orphans=%d exited=%d reaped=%d zombies=%d drain_us=%lld\n", n, exited, reaped,
         count_zombies(), t_last - t0);
  fflush(stdout);
  free(list);
  return 0;
}
