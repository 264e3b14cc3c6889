/* sigcatch LOGFILE: the signal catcher of the PID-1 tests.
 *
 * Records its own SigBlk/SigIgn (what the init left it) into LOGFILE, then
 * catches every signal 1..31 that can be caught (all but KILL and STOP; CHLD
 * is left alone because an init never forwards it) and appends "sig N" per
 * delivery. write(2) in the handler is async-signal-safe and O_APPEND makes
 * each line atomic, so the log is an exact count of deliveries.
 * "ready" is appended once all handlers are in place. Runs until killed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1;

static void on_signal(int signo) {
  char buf[16];
  int n = snprintf(buf, sizeof buf, "sig %d\n", signo); /* no malloc: safe */
  if (n > 0) (void)!write(log_fd, buf, (size_t)n);
}

/* Copies the SigBlk and SigIgn lines of /proc/self/status into the log. */
static int log_inherited_mask(void) {
  FILE* f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0) {
      (void)!write(log_fd, line, strlen(line));
    }
  }
  fclose(f);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: sigcatch LOGFILE\n");
    return 2;
  }
  log_fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
  if (log_fd < 0 || log_inherited_mask() != 0) {
    perror("sigcatch");
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s = 1; s <= 31; ++s) {
    if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD) continue;
    if (sigaction(s, &sa, NULL) != 0) {
      perror("sigaction");
      return 2;
    }
  }
  (void)!write(log_fd, "ready\n", 6);
  for (;;) pause();
}
