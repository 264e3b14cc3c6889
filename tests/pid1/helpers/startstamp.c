/* startstamp FIFO: the service of the restart-latency benchmark.
 *
 * At startup, before anything else, it reads CLOCK_MONOTONIC and writes one
 * line "PID NS\n" (PID as seen in its own namespace) to FIFO, then sleeps
 * until killed. The driver (tests/bench/restart.py) holds FIFO open for
 * reading, reads CLOCK_MONOTONIC just before it SIGKILLs us, and takes the
 * next line's NS as the moment the supervisor's replacement started.
 * Restart latency = next start - kill, both on one clock. One write of a
 * short line to a FIFO is atomic, so lines never interleave. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  if (argc != 2) {
    fprintf(stderr, "usage: startstamp FIFO\n");
    return 2;
  }
  int fd = open(argv[1], O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    perror(argv[1]);
    return 1;
  }
  char line[64];
  int n = snprintf(line, sizeof line, "%d %lld\n", (int)getpid(),
                   (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
  if (write(fd, line, (size_t)n) != n) {
    perror("write");
    return 1;
  }
  close(fd);
  for (;;) pause();
}
