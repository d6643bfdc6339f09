/*
 * core/host/notify.h — telling the service manager how the service is.
 *
 * systemd's notify protocol (sd_notify(3)) without libsystemd: a unit of
 * Type=notify sets $NOTIFY_SOCKET to a datagram socket, a path or, when
 * it starts with '@', a name in the abstract namespace; the service sends
 * it newline-separated assignments: READY=1 once it answers, RELOADING=1
 * (with MONOTONIC_USEC) while it re-reads its config, STOPPING=1 when it
 * shuts down, STATUS=... a line `systemctl status` shows, WATCHDOG=1 as a
 * heartbeat when the unit asks for one ($WATCHDOG_USEC).
 *
 * Without $NOTIFY_SOCKET (a terminal, another supervisor) every call does
 * nothing, so callers need no test of their own. Thread-safe: each call
 * opens, sends on and closes a socket of its own.
 */
#ifndef JUTSU_CORE_NOTIFY_H
#define JUTSU_CORE_NOTIFY_H

#include <stdint.h>

#include "jutsu/host.h"

/* Sends `state` ("READY=1\nSTATUS=serving") as one datagram. 1 when no
 * manager listens ($NOTIFY_SOCKET unset or empty), 0 once sent,
 * JUTSU_EINVAL for a $NOTIFY_SOCKET that is no socket name, JUTSU_EIO
 * when it cannot be sent (logged once, as a warning: the service goes
 * on, but a Type=notify unit would time out waiting for READY=1). */
int jutsu_notify(const char *state);
/* The same, formatted; a state longer than 4 KiB is cut. */
int jutsu_notifyf(const char *fmt, ...) JUTSU_PRINTF(1, 2);

/* "RELOADING=1\nMONOTONIC_USEC=<now>": a reload begins (systemd 253 and
 * later match it against the time of `systemctl reload`). */
int jutsu_notify_reloading(void);

/* The heartbeat interval the manager asks for in microseconds: the value
 * of $WATCHDOG_USEC when $WATCHDOG_PID is unset or names this process;
 * 0 when there is none (or it cannot be read). */
uint64_t jutsu_notify_watchdog_usec(void);

#endif
