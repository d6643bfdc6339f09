/*
 * jutsu/host.h — the host vtable: everything the host offers a plugin.
 *
 * init() receives a pointer to a const struct jutsu_host that stays valid
 * until destroy() returns, and a jutsu_ctx handle naming the instance.
 * Every service takes the ctx first, so that log lines carry the instance
 * name and config lookups read the instance's own config.
 *
 * Threading: every function here may be called from any thread, at any
 * time between init and the return of destroy, unless its comment says
 * otherwise. Strings returned by the host stay valid for the same period
 * unless noted.
 *
 * Errors: functions returning int return 0 or a negative JUTSU_E* code.
 *
 * ABI: slots are only appended within a major. Before using a slot added
 * in minor N, check `host->abi_minor >= N` (a plugin that requires it can
 * simply be built with that minor; the loader then refuses older hosts).
 */
#ifndef JUTSU_HOST_H
#define JUTSU_HOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "jutsu/bus.h"
#include "jutsu/clock.h"
#include "jutsu/log.h"
#include "jutsu/money.h"
#include "jutsu/plugin.h"

#if defined(__GNUC__)
#define JUTSU_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define JUTSU_PRINTF(f, a)
#endif

struct jutsu_data;      /* the typed data API: jutsu/data.h          */
struct jutsu_sessions;  /* the host's sessions and roles: jutsu/session.h */
struct jutsu_engine;    /* entities, jobs, config, metrics: jutsu/engine.h */

struct jutsu_host {
    uint32_t size;            /* sizeof(struct jutsu_host) of the host      */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* --- identity and errors --------------------------------------------- */

    /* The instance name from the config ("v3_5b", "yahoo"). */
    const char *(*instance_name)(jutsu_ctx *ctx);
    /* Records why the last op failed; the host prints it with the instance
     * name when the op returns an error (init, start, a job step). */
    void (*set_error)(jutsu_ctx *ctx, const char *fmt, ...) JUTSU_PRINTF(2, 3);

    /* --- logging: one line per call, no trailing newline needed ---------- */

    void (*log)(jutsu_ctx *ctx, int level, const char *fmt, ...) JUTSU_PRINTF(3, 4);
    void (*vlog)(jutsu_ctx *ctx, int level, const char *fmt, va_list ap);
    /* Nonzero if a message at `level` would be written: skip costly work. */
    int  (*log_enabled)(jutsu_ctx *ctx, int level);

    /* --- this instance's config (validated, defaults filled in) ----------
     * Paths name keys of the instance's `config:` map: "path", "retry.max",
     * "symbols[2]". A key with a schema default always has a value. Returns
     * JUTSU_ENOENT if absent, JUTSU_EINVAL if the value is of another type.
     * Strings stay valid until destroy. */
    int (*cfg_str)(jutsu_ctx *ctx, const char *path, const char **out);
    int (*cfg_int)(jutsu_ctx *ctx, const char *path, int64_t *out);
    int (*cfg_bool)(jutsu_ctx *ctx, const char *path, int *out);
    int (*cfg_double)(jutsu_ctx *ctx, const char *path, double *out);
    int (*cfg_money)(jutsu_ctx *ctx, const char *path, jutsu_money_t *out);
    /* Number of elements of a list or keys of a map, or a negative code. */
    int (*cfg_count)(jutsu_ctx *ctx, const char *path);
    /* The idx-th key of a map (in file order). */
    int (*cfg_key_at)(jutsu_ctx *ctx, const char *path, int idx, const char **key);
    /* "file:line:col" of a key's value, for messages about its content. */
    const char *(*cfg_where)(jutsu_ctx *ctx, const char *path);

    /* --- the event bus (see jutsu/bus.h) --------------------------------- */

    /* Queues an event; takes the payload reference (NULL = empty object),
     * also on failure. JUTSU_EFULL if dropped by the full-queue policy,
     * JUTSU_ESHUTDOWN once the bus is stopping. */
    int  (*publish)(jutsu_ctx *ctx, const char *topic, struct json_object *payload);
    /* fn(ev, arg) is called on the dispatcher thread for every matching
     * event published after this returns. */
    int  (*subscribe)(jutsu_ctx *ctx, const char *pattern, jutsu_bus_fn fn,
                      void *arg, jutsu_sub_id *id);
    /* After this returns, fn is not running and will not be called again
     * (unless called from fn itself, which is allowed). */
    int  (*unsubscribe)(jutsu_ctx *ctx, jutsu_sub_id id);

    const char         *(*event_topic)(const jutsu_event *ev);
    /* Read-only: do not modify, do not call json_object_to_json_string. */
    struct json_object *(*event_payload)(const jutsu_event *ev);
    /* The payload as compact JSON text, made once and cached. */
    const char         *(*event_json)(const jutsu_event *ev);
    jutsu_time_t        (*event_time)(const jutsu_event *ev);   /* publish time */
    const char         *(*event_source)(const jutsu_event *ev); /* instance or "host" */
    const jutsu_event  *(*event_ref)(const jutsu_event *ev);
    void                (*event_unref)(const jutsu_event *ev);

    /* --- the clock ------------------------------------------------------- */

    /* Now, UTC. Tests inject a fixed or stepped clock here. */
    jutsu_time_t (*now)(jutsu_ctx *ctx);
    /* The exchange-local (America/New_York by default) civil date of an
     * instant, and the UTC instant of a local wall-clock time on a date.
     * Both use the system tz database. */
    int (*exchange_date)(jutsu_ctx *ctx, jutsu_time_t t, jutsu_date_t *out);
    int (*exchange_time)(jutsu_ctx *ctx, jutsu_date_t d, int hour, int minute,
                         jutsu_time_t *out);

    /* --- the data API ---------------------------------------------------- */

    /* The typed data API over the configured storage, or NULL when no
     * storage is configured (e.g. under `config check`). */
    const struct jutsu_data *(*data)(jutsu_ctx *ctx);

    /* --- ABI 1.1 --------------------------------------------------------- */

    /* Fills the plugin's own config struct from this instance's validated
     * config in one call: every key of the plugin's schema that has the
     * flag JUTSU_CFG_FIELD is written at (char *)conf + key.offset, as the
     * C type jutsu/config.h gives its type (strings stay valid until
     * destroy; an ENUM as its `values` entry or index). A key the config
     * does not set and the schema gives neither a default nor REQUIRED
     * leaves its field untouched: zero `conf` first, or put fallbacks in
     * it. Keys without the flag, and nested keys, are read by path as
     * above. Returns 0, or JUTSU_EINVAL when a value cannot go into its
     * field (the config was not validated against this schema: a host
     * bug); the reason, naming the key, is then recorded as by set_error,
     * so init can simply return an error. Fields written before the
     * failing key keep their values. */
    int (*cfg_fill)(jutsu_ctx *ctx, void *conf);
    /* Since ABI 1.1. Records, as set_error does, why the value of config
     * key `key` is refused, after its file:line:col (the instance's
     * declaration when the key has no position of its own: a default):
     * "conf/jutsu.yaml:12:15: base_url \"ftp://x\" must start with https://".
     * Returns JUTSU_ECONFIG, what init then returns. */
    int (*cfg_error)(jutsu_ctx *ctx, const char *key, const char *fmt, ...) JUTSU_PRINTF(3, 4);

    /* --- ABI 1.2: secrets at rest, sessions ---------------------------- */

    /* Seals `len` bytes (at most 1024) with the current key of the host's
     * key file (XChaCha20-Poly1305), bound to `aad` (say "totp:user:12":
     * a sealed value moved to another row does not open). Writes text,
     * "kid:base64url", NUL-terminated, into out (JUTSU_EFULL if outsz is
     * short; 2 * len + 64 is always enough). */
    int (*seal)(jutsu_ctx *ctx, const char *aad, const void *plain, size_t len,
                char *out, size_t outsz);
    /* Opens what seal wrote, under any key id the key file still holds.
     * JUTSU_EAUTH when it was altered, made for another aad or key, or
     * is not sealed text; *len is the plain length. */
    int (*unseal)(jutsu_ctx *ctx, const char *aad, const char *sealed, void *plain,
                  size_t plainsz, size_t *len);
    /* The host's sessions, tokens and roles (jutsu/session.h), or NULL
     * when no storage is configured. */
    const struct jutsu_sessions *(*sessions)(jutsu_ctx *ctx);

    /* --- ABI 1.3: the engine --------------------------------------------- */

    /* What the host knows and can do beyond the tables (jutsu/engine.h):
     * entities, jobs on request, config, backtests, metrics; NULL when
     * the host runs without one (config check, the test harness). */
    const struct jutsu_engine *(*engine)(jutsu_ctx *ctx);

    const void *reserved[10];  /* zero; appended slots come here */
};

#endif
