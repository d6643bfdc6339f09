/*
 * core/host/notify.c — the sd_notify datagram, without libsystemd.
 *
 * libsystemd would be a dependency of the core package for one sendto();
 * the protocol is a stable, documented datagram (sd_notify(3)), so the
 * host speaks it itself.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "base/clock.h"
#include "base/log.h"
#include "host/notify.h"

/* One warning per process: a manager that does not listen would
 * otherwise get one per heartbeat. */
static int warned;

static void warn_once(const char *sock, const char *why)
{
    if (__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
        return;
    jutsu_log("jutsu", JUTSU_LOG_WARN, "cannot notify the service manager at NOTIFY_SOCKET=%s: "
              "%s (a Type=notify unit waits for READY=1 and then fails; use Type=exec when "
              "nothing listens)", sock, why);
}

/* $NOTIFY_SOCKET as an address: a path, or '@name' in the abstract
 * namespace (sun_path starts with a NUL and is not NUL-terminated). */
static int address_of(const char *sock, struct sockaddr_un *sa, socklen_t *len)
{
    size_t n = strlen(sock);
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if ((sock[0] != '/' && sock[0] != '@') || n < 2 || n > sizeof(sa->sun_path) - 1)
        return JUTSU_EINVAL;
    memcpy(sa->sun_path, sock, n);
    if (sock[0] == '@')
        sa->sun_path[0] = '\0';
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (sock[0] == '/'));
    return 0;
}

int jutsu_notify(const char *state)
{
    const char *sock = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    socklen_t len;
    if (sock == NULL || *sock == '\0')
        return 1;
    if (address_of(sock, &sa, &len) != 0) {
        warn_once(sock, "not an absolute path nor an @abstract name of at most 107 bytes");
        return JUTSU_EINVAL;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        warn_once(sock, strerror(errno));
        return JUTSU_EIO;
    }
    size_t n = strlen(state);
    ssize_t sent = sendto(fd, state, n, MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
    int err = errno;
    if (close(fd) != 0 && sent >= 0)
        err = errno;
    if (sent < 0 || (size_t)sent != n) {
        warn_once(sock, sent < 0 ? strerror(err) : "the datagram was cut");
        return JUTSU_EIO;
    }
    jutsu_log("jutsu", JUTSU_LOG_DEBUG, "notified the service manager: %.*s",
              (int)strcspn(state, "\n"), state);
    return 0;
}

int jutsu_notifyf(const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return n < 0 ? JUTSU_EINVAL : jutsu_notify(buf);
}

int jutsu_notify_reloading(void)
{
    return jutsu_notifyf("RELOADING=1\nMONOTONIC_USEC=%lld",
                         (long long)jutsu_clock_mono_us());
}

uint64_t jutsu_notify_watchdog_usec(void)
{
    const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    char *end;
    if (usec == NULL || *usec == '\0')
        return 0;
    if (pid && *pid) {
        errno = 0;
        long long p = strtoll(pid, &end, 10);
        if (errno || *end || p != (long long)getpid())
            return 0;      /* meant for another process (our parent's) */
    }
    errno = 0;
    unsigned long long v = strtoull(usec, &end, 10);
    return errno || *end || usec[0] == '-' ? 0 : (uint64_t)v;
}
