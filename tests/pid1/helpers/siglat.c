/* siglat N [RAWFILE]: signal-forwarding latency through the init.
 *
 * Run as the init's child. We fork a helper (our child, so it shares the
 * namespace); for each sample the helper reads CLOCK_MONOTONIC, sends
 * SIGUSR1 to PID 1 (the init), and blocks until our handler, running after
 * the init forwarded the signal, writes its own CLOCK_MONOTONIC reading to a
 * pipe. Latency = handler time - time before kill(), both on one clock.
 * One signal is in flight at a time, so none coalesce. 100 warm-up samples
 * are discarded. Prints samples, min, p50, p99, max in ns; RAWFILE gets one
 * sample per line. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ts_w = -1;

static long long ns(const struct timespec* t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

static void on_usr1(int signo) {
  (void)signo;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t); /* async-signal-safe */
  (void)!write(ts_w, &t, sizeof t);
}

static int cmp(const void* a, const void* b) {
  long long x = *(const long long*)a, y = *(const long long*)b;
  return (x > y) - (x < y);
}

static int helper(int n, int ts_r, const char* raw) {
  signal(SIGUSR1, SIG_IGN); /* we share the process group; never count ourselves */
  const int warmup = 100;
  long long* s = calloc((size_t)n, sizeof *s);
  if (!s) return 2;
  for (int i = 0; i < warmup + n; ++i) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (kill(1, SIGUSR1) != 0) {
      perror("siglat: kill(1)");
      return 1;
    }
    ssize_t r;
    while ((r = read(ts_r, &t1, sizeof t1)) < 0 && errno == EINTR) {
    }
    if (r != (ssize_t)sizeof t1) return 1;
    if (i >= warmup) s[i - warmup] = ns(&t1) - ns(&t0);
  }
  if (raw) {
    FILE* f = fopen(raw, "w");
    if (f) {
      for (int i = 0; i < n; ++i) fprintf(f, "%lld\n", s[i]);
      fclose(f);
    }
  }
  qsort(s, (size_t)n, sizeof *s, cmp);
  printf("samples=%d min_ns=%lld p50_ns=%lld p99_ns=%lld max_ns=%lld\n", n, s[0], s[n / 2],
         s[(n * 99) / 100], s[n - 1]);
  fflush(stdout);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2 || atoi(argv[1]) <= 0) {
    fprintf(stderr, "usage: siglat N [RAWFILE]\n");
    return 2;
  }
  int p[2];
  if (pipe(p)) return 2;
  ts_w = p[1];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  pid_t h = fork();
  if (h < 0) return 2;
  if (h == 0) _exit(helper(atoi(argv[1]), p[0], argc > 2 ? argv[2] : NULL));
  int st = 0;
  while (waitpid(h, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
