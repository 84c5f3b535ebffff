/*
 * spawnd: the benchmark's process launcher (a small fork server driven by runtime-bench over a pipe).
 *
 * Why it exists: ru_maxrss of a process is never lowered, not even by execve, which raises it to the
 * RSS of the mm it leaves. A child of the .NET harness (vfork or fork) therefore reports at least the
 * harness's ~35 MB. Forked from this small C process, a child starts near zero (/bin/true: ~1 MB),
 * so wait4's rusage shows the runtime's own peak RSS.
 *
 * It is also the child subreaper: container inits orphaned by a runtime are reparented here, so
 * their exits (time, status, peak RSS) are seen too. Timestamps are CLOCK_MONOTONIC nanoseconds.
 *
 * Protocol (native-endian): request = int32 op, then
 *   1 RUN:  int32 timeout_ms, str stdout_path, str stderr_path, int32 argc, str argv[argc]
 *           (argv[0] is the path executed; stdin is /dev/null)
 *           reply: int32 pid (or -errno), int64 start_ns, int32 timed_out, exits
 *   2 WAIT: int32 pid, int32 timeout_ms   reply: int32 result (0 exited, 1 timed out and killed,
 *           2 not our child), exits
 *   3 REAP: reply: exits (whatever has exited, without blocking)
 * str = int32 length + bytes; exits = int32 n, then n x (int32 pid, int32 status, int64 end_ns, int64 maxrss_kb).
 * Every exit is reported exactly once, in the reply to the request during which it was reaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 256
#define MAX_STR 4096
#define MAX_EXITS 4096

struct exit_rec { int32_t pid, status; int64_t end_ns, maxrss_kb; };
static struct exit_rec exits[MAX_EXITS];
static int nexits;
static int in_fd = 0, out_fd = 1;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "spawnd: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void read_full(void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(in_fd, p, n);
        if (r == 0) exit(0); /* the harness closed the pipe: done */
        if (r < 0) { if (errno == EINTR) continue; die("read request"); }
        p += r; n -= (size_t)r;
    }
}

static void write_full(const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(out_fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; die("write reply"); }
        p += w; n -= (size_t)w;
    }
}

static int32_t read_i32(void) { int32_t v; read_full(&v, sizeof v); return v; }

static char *read_str(void)
{
    int32_t len = read_i32();
    if (len < 0 || len > MAX_STR) { errno = EINVAL; die("string length in request"); }
    char *s = malloc((size_t)len + 1);
    if (!s) die("malloc");
    read_full(s, (size_t)len);
    s[len] = 0;
    return s;
}

static void send_exits(void)
{
    int32_t n = nexits;
    write_full(&n, sizeof n);
    write_full(exits, sizeof exits[0] * (size_t)nexits);
    nexits = 0;
}

static int reaped(pid_t pid)
{
    for (int i = 0; i < nexits; i++)
        if (exits[i].pid == pid) return 1;
    return 0;
}

/* Reaps one child; returns its pid, 0 if none has exited (non-blocking), -1 with errno otherwise. */
static pid_t reap_one(int blocking)
{
    int status;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, __WALL | (blocking ? 0 : WNOHANG), &ru);
    int64_t t = now_ns();
    if (pid > 0) {
        if (nexits == MAX_EXITS) { errno = ENOSPC; die("too many unreported exits"); }
        exits[nexits++] = (struct exit_rec){ pid, status, t, ru.ru_maxrss };
    }
    return pid;
}

static void on_alarm(int sig) { (void)sig; } /* only interrupts wait4 */

static void arm(int timeout_ms)
{
    struct itimerval it = { .it_value = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm(void)
{
    struct itimerval it = { 0 };
    setitimer(ITIMER_REAL, &it, NULL);
}

/* Reaps until pid has exited. Returns 0, 1 if it was killed at the deadline, 2 if it is not our child. */
static int wait_for(pid_t pid, int timeout_ms)
{
    int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
    int killed = 0;
    siginfo_t si;
    if (!reaped(pid) && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 && errno == ECHILD)
        return 2;
    arm(timeout_ms);
    while (!reaped(pid)) {
        if (reap_one(1) > 0) continue;
        if (errno == ECHILD) { disarm(); return 2; }
        if (errno != EINTR) die("wait4");
        if (!killed && now_ns() >= deadline) { kill(pid, SIGKILL); killed = 1; }
        else if (!killed) arm((int)((deadline - now_ns()) / 1000000) + 1);
    }
    disarm();
    return killed;
}

static void child(char **argv, const char *out, const char *err)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int in = open("/dev/null", O_RDONLY);
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) _exit(126);
    if (in > 2) close(in);
    if (o > 2) close(o);
    if (e > 2) close(e);
    execv(argv[0], argv);
    dprintf(2, "spawnd: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int main(void)
{
    /* The control pipe stays out of every child; the harness gave it to us as stdin/stdout. */
    in_fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
    out_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (in_fd < 0 || out_fd < 0) die("dup control pipe");
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) die("prctl(PR_SET_CHILD_SUBREAPER)");
    struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: wait4 must return EINTR */
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGINT, SIG_IGN); /* the harness handles ^C and still needs us to clean up */

    for (;;) {
        int32_t op = read_i32();
        if (op == 1) {
            int32_t timeout_ms = read_i32();
            char *out = read_str(), *err = read_str();
            int32_t argc = read_i32();
            if (argc < 1 || argc > MAX_ARGS) { errno = EINVAL; die("argc in request"); }
            char *argv[MAX_ARGS + 1];
            for (int i = 0; i < argc; i++) argv[i] = read_str();
            argv[argc] = NULL;
            int64_t start = now_ns();
            pid_t pid = fork();
            if (pid == 0) child(argv, out, err);
            int32_t timed_out = 0, rpid = pid < 0 ? -errno : pid;
            if (pid > 0) timed_out = wait_for(pid, timeout_ms) == 1;
            write_full(&rpid, sizeof rpid);
            write_full(&start, sizeof start);
            write_full(&timed_out, sizeof timed_out);
            send_exits();
            for (int i = 0; i < argc; i++) free(argv[i]);
            free(out); free(err);
        } else if (op == 2) {
            int32_t pid = read_i32(), timeout_ms = read_i32();
            int32_t r = wait_for(pid, timeout_ms);
            write_full(&r, sizeof r);
            send_exits();
        } else if (op == 3) {
            while (reap_one(0) > 0) {}
            send_exits();
        } else {
            errno = EINVAL;
            die("unknown request");
        }
    }
}
