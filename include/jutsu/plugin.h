/*
 * jutsu/plugin.h — the plugin descriptor: what a plugin is.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * jutsu_plugin_describe(), returning a pointer to a static, const
 * struct jutsu_plugin. The host dlopen()s the file, calls that function and
 * validates the descriptor before it calls anything else: magic, ABI major
 * (must equal the host's), ABI minor (must not exceed the host's), size,
 * kind, and the presence of every mandatory op. A plugin that fails any
 * check is never called into.
 *
 * Lifecycle, for each configured instance (one .so may be instantiated
 * several times under different instance names, each with its own config
 * and its own state):
 *
 *   init(host, ctx, &state)   config is validated; read it, allocate state,
 *                             open nothing slow. Return 0 or a negative
 *                             JUTSU_E* code, after host->set_error() with a
 *                             reason a person can act on. On failure the
 *                             host does not call destroy: free what you made.
 *   start(state)              optional; begin work (threads, subscriptions,
 *                             listening sockets). Same error convention.
 *   stop(state)               optional; stop work started by start. Must
 *                             return promptly; no callbacks after it.
 *   destroy(state)            free everything. Called once after a
 *                             successful init, also when start failed.
 *
 * Instances are started in configuration order (storage first) and stopped
 * and destroyed in reverse order. All four are called on the main thread.
 *
 * `ops` points to the kind's operations table (struct jutsu_<kind>_ops,
 * declared in jutsu/<kind>.h), which starts with its own size so that it
 * can grow within a major version.
 *
 * ABI rules: fields are only appended within a major; the host reads no
 * field beyond `size`. Each ops table's size at ABI 1.0 is frozen in its
 * header (JUTSU_<KIND>_OPS_SIZE_1_0): the loader takes any table at least
 * that long, so a plugin built for 1.0 keeps loading after ops are
 * appended, and whoever calls a slot that a table may lack asks first
 * with JUTSU_OPS_HAS. See docs/plugin-abi.md.
 */
#ifndef JUTSU_PLUGIN_H
#define JUTSU_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/version.h"
#include "jutsu/config.h"

#define JUTSU_PLUGIN_MAGIC  UINT32_C(0x4A55545A)  /* "JUTZ" */
#define JUTSU_PLUGIN_ENTRY  "jutsu_plugin_describe"

enum jutsu_plugin_kind {
    JUTSU_KIND_STORAGE  = 1,  /* a database dialect driver      jutsu/storage.h  */
    JUTSU_KIND_SOURCE   = 2,  /* market data bars               jutsu/source.h   */
    JUTSU_KIND_STRATEGY = 3,  /* target weights from bars       jutsu/strategy.h */
    JUTSU_KIND_KPI      = 4,  /* incremental performance stats  jutsu/kpi.h      */
    JUTSU_KIND_AUTH     = 5,  /* a way to prove who you are     jutsu/auth.h     */
    JUTSU_KIND_FRONTEND = 6,  /* serves people: REST, dashboard jutsu/frontend.h */
    JUTSU_KIND_BROKER   = 7,  /* places orders, reports fills   jutsu/broker.h   */
    JUTSU_KIND_MAX      = 7
};

enum jutsu_plugin_flag {
    JUTSU_PLUGIN_SINGLETON = 1u << 0   /* at most one instance per process */
};

typedef struct jutsu_ctx jutsu_ctx;  /* the host's handle for one instance */
struct jutsu_host;

struct jutsu_plugin {
    /* The first four fields never move: the loader reads them first. */
    uint32_t    magic;          /* JUTSU_PLUGIN_MAGIC                        */
    uint16_t    abi_major;      /* JUTSU_ABI_MAJOR the plugin was built with */
    uint16_t    abi_minor;      /* JUTSU_ABI_MINOR the plugin was built with */
    uint32_t    size;           /* sizeof(struct jutsu_plugin) at build time */
    uint32_t    kind;           /* enum jutsu_plugin_kind                    */

    const char *name;           /* "storage-sqlite": [a-z0-9-], unique       */
    const char *version;        /* the plugin's own version, "1.2.0"         */
    const char *description;    /* one line for `jutsu plugins list`         */
    const struct jutsu_cfg_key *schema;  /* NULL-name-terminated, or NULL    */
    uint32_t    flags;          /* enum jutsu_plugin_flag bits               */
    uint32_t    reserved0;

    int  (*init)(const struct jutsu_host *host, jutsu_ctx *ctx, void **state); /* mandatory */
    int  (*start)(void *state);     /* optional */
    void (*stop)(void *state);      /* optional */
    void (*destroy)(void *state);   /* mandatory */

    const void *ops;            /* struct jutsu_<kind>_ops; mandatory        */
    const void *reserved[8];    /* zero; room to grow without moving `ops`   */
};

typedef const struct jutsu_plugin *(*jutsu_plugin_describe_fn)(void);

/* The size of struct `type` through its member `field`: what a table built
 * when `field` was its last member declares as its size. */
#define JUTSU_SIZE_THROUGH(type, field) \
    (offsetof(struct type, field) + sizeof(((const struct type *)0)->field))

/* The descriptor's size at ABI 1.0 (through `reserved`), frozen. */
#define JUTSU_PLUGIN_SIZE_1_0 JUTSU_SIZE_THROUGH(jutsu_plugin, reserved)

/*
 * Nonzero when the table `p` (an ops table or a host-provided vtable: a
 * struct that starts with its uint32_t size) reaches member `field` and
 * sets it. Ask before calling an optional slot, or one appended after the
 * minor version the other side may have been built with:
 *
 *   if (JUTSU_OPS_HAS(ops, jutsu_strategy_ops, committed))
 *       ops->committed(state, weights, n);
 *
 * `field` is read only when the table is long enough to hold it.
 */
#define JUTSU_OPS_HAS(p, type, field) \
    ((p) != NULL && (p)->size >= JUTSU_SIZE_THROUGH(type, field) && (p)->field != NULL)

#if defined(__GNUC__)
#define JUTSU_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define JUTSU_PLUGIN_EXPORT
#endif

/*
 * Declares the entry point. Use once per plugin, at file scope:
 *
 *   static const struct jutsu_plugin desc = { JUTSU_PLUGIN_HEADER, ... };
 *   JUTSU_PLUGIN_DECLARE(desc)
 *
 * The descriptor is returned by a function, not exported as data, because
 * dlsym() of data objects is not portable.
 */
#define JUTSU_PLUGIN_HEADER                                   \
    .magic = JUTSU_PLUGIN_MAGIC, .abi_major = JUTSU_ABI_MAJOR, \
    .abi_minor = JUTSU_ABI_MINOR, .size = sizeof(struct jutsu_plugin)

#define JUTSU_PLUGIN_DECLARE(desc)                                      \
    JUTSU_PLUGIN_EXPORT const struct jutsu_plugin *jutsu_plugin_describe(void); \
    JUTSU_PLUGIN_EXPORT const struct jutsu_plugin *jutsu_plugin_describe(void) \
    { return &(desc); }

/* Name of a kind ("storage"), or NULL if unknown. */
static inline const char *jutsu_kind_name(uint32_t kind)
{
    static const char *const names[] = {
        0, "storage", "source", "strategy", "kpi", "auth", "frontend", "broker"
    };
    return kind >= 1 && kind <= JUTSU_KIND_MAX ? names[kind] : 0;
}

#endif
