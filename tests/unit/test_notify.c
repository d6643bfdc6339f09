/*
 * tests/unit/test_notify.c — the service manager's side of `jutsu serve`:
 * a datagram socket stands where systemd's would ($NOTIFY_SOCKET, a path
 * or an @abstract name) and receives what jutsu_notify sends, then what
 * a real `jutsu serve` sends while it starts, reloads on SIGHUP and stops.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "host/notify.h"
#include "testutil.h"

/* A bound datagram socket at `name` (a path, or "@..." abstract); a
 * receive waits at most 60 s, so that a serve that never notifies fails
 * the test instead of hanging it. */
static int listener(const char *name)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    size_t n = strlen(name);
    ck_assert_uint_lt(n, sizeof(sa.sun_path));
    memcpy(sa.sun_path, name, n);
    if (name[0] == '@')
        sa.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    ck_assert_msg(bind(fd, (struct sockaddr *)&sa, len) == 0, "bind %s: %s", name,
                  strerror(errno));
    struct timeval tv = { .tv_sec = 60 };
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    return fd;
}

/* The next datagram as a string; "" when none came in time. */
static void receive(int fd, char *buf, size_t size)
{
    ssize_t n = recv(fd, buf, size - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
}

START_TEST(path_socket)
{
    char *dir = tu_tmpdir(), *path = NULL, buf[512];
    ck_assert_int_gt(asprintf(&path, "%s/notify", dir), 0);
    int fd = listener(path);
    ck_assert_int_eq(setenv("NOTIFY_SOCKET", path, 1), 0);
    ck_assert_int_eq(jutsu_notify("READY=1\nSTATUS=serving"), 0);
    receive(fd, buf, sizeof(buf));
    ck_assert_str_eq(buf, "READY=1\nSTATUS=serving");
    ck_assert_int_eq(jutsu_notifyf("STATUS=%d instances", 3), 0);
    receive(fd, buf, sizeof(buf));
    ck_assert_str_eq(buf, "STATUS=3 instances");
    close(fd);
    unsetenv("NOTIFY_SOCKET");
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

START_TEST(abstract_socket)
{
    char name[64], buf[512];
    snprintf(name, sizeof(name), "@jutsu-test-notify-%ld", (long)getpid());
    int fd = listener(name);
    ck_assert_int_eq(setenv("NOTIFY_SOCKET", name, 1), 0);
    ck_assert_int_eq(jutsu_notify_reloading(), 0);
    receive(fd, buf, sizeof(buf));
    ck_assert_msg(strncmp(buf, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0, "got %s", buf);
    ck_assert_msg(atoll(buf + 27) > 0, "got %s", buf);
    close(fd);
    unsetenv("NOTIFY_SOCKET");
}
END_TEST

START_TEST(no_manager)
{
    unsetenv("NOTIFY_SOCKET");
    ck_assert_int_eq(jutsu_notify("READY=1"), 1);
    ck_assert_int_eq(setenv("NOTIFY_SOCKET", "", 1), 0);
    ck_assert_int_eq(jutsu_notify("READY=1"), 1);
    ck_assert_int_eq(setenv("NOTIFY_SOCKET", "relative/name", 1), 0);
    ck_assert_int_eq(jutsu_notify("READY=1"), JUTSU_EINVAL);
    ck_assert_int_eq(setenv("NOTIFY_SOCKET", "/nonexistent/jutsu/notify", 1), 0);
    ck_assert_int_eq(jutsu_notify("READY=1"), JUTSU_EIO);
    unsetenv("NOTIFY_SOCKET");
}
END_TEST

START_TEST(watchdog_interval)
{
    char pid[32];
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    ck_assert_uint_eq(jutsu_notify_watchdog_usec(), 0);
    ck_assert_int_eq(setenv("WATCHDOG_USEC", "3000000", 1), 0);
    ck_assert_uint_eq(jutsu_notify_watchdog_usec(), 3000000);
    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
    ck_assert_uint_eq(jutsu_notify_watchdog_usec(), 3000000);
    snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
    ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
    ck_assert_uint_eq(jutsu_notify_watchdog_usec(), 0);   /* our parent's, not ours */
    ck_assert_int_eq(setenv("WATCHDOG_USEC", "soon", 1), 0);
    unsetenv("WATCHDOG_PID");
    ck_assert_uint_eq(jutsu_notify_watchdog_usec(), 0);
    unsetenv("WATCHDOG_USEC");
}
END_TEST

/* Datagrams until one holds `want`; fails on a silence. */
static void await(int fd, const char *want, char *buf, size_t size)
{
    for (;;) {
        receive(fd, buf, size);
        ck_assert_msg(buf[0] != '\0', "no datagram with \"%s\" from serve", want);
        if (strstr(buf, want))
            return;
    }
}

START_TEST(serve_notifies)
{
    /* absolute: a relative plugin_path is taken from the config file's
     * directory, a temporary one (scripts/valgrind.sh passes build/...) */
    const char *tp_env = getenv("JUTSU_TEST_PLUGIN_DIR");
    ck_assert_ptr_nonnull(tp_env);
    char *tp = realpath(tp_env, NULL);
    ck_assert_ptr_nonnull(tp);
    char *dir = tu_tmpdir(), *yaml = NULL, *jutsu = NULL, *conf, *errlog = NULL;
    char name[64], buf[1024];
    ck_assert_int_gt(asprintf(&yaml, "plugin_path: [\"%s\"]\nlog: {format: text}\n"
                              "plugins:\n  - {name: alpha, plugin: tp-good}\n", tp), 0);
    conf = tu_write_file(dir, "j.yaml", yaml);
    ck_assert_int_gt(asprintf(&jutsu, "%s/jutsu", tu_build_dir()), 0);
    ck_assert_int_gt(asprintf(&errlog, "%s/err", dir), 0);
    snprintf(name, sizeof(name), "@jutsu-test-serve-%ld", (long)getpid());
    int fd = listener(name);

    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (setenv("NOTIFY_SOCKET", name, 1) != 0 || freopen(errlog, "w", stderr) == NULL)
            _exit(127);
        execl(jutsu, jutsu, "-c", conf, "serve", (char *)NULL);
        _exit(127);
    }
    await(fd, "READY=1", buf, sizeof(buf));
    ck_assert_msg(strstr(buf, "STATUS=serving: 1 instance running, scheduler off"),
                  "got %s", buf);
    ck_assert_int_eq(kill(pid, SIGHUP), 0);
    receive(fd, buf, sizeof(buf));
    ck_assert_msg(strncmp(buf, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0, "got %s", buf);
    receive(fd, buf, sizeof(buf));
    ck_assert_msg(strstr(buf, "READY=1\nSTATUS=serving (config reloaded)"), "got %s", buf);
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    await(fd, "STOPPING=1", buf, sizeof(buf));
    ck_assert_msg(strstr(buf, "STATUS=shutting down (SIGTERM)"), "got %s", buf);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "serve ended with %d", status);

    close(fd);
    tu_rmtree(dir);
    free(errlog);
    free(jutsu);
    free(conf);
    free(yaml);
    free(tp);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("notify");
    TCase *tc = tcase_create("notify");
    tcase_add_test(tc, path_socket);
    tcase_add_test(tc, abstract_socket);
    tcase_add_test(tc, no_manager);
    tcase_add_test(tc, watchdog_interval);
    tcase_add_test(tc, serve_notifies);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
