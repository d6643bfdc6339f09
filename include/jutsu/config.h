/*
 * jutsu/config.h — how a plugin declares its configuration.
 *
 * A plugin describes every key it accepts in a schema: a static array of
 * struct jutsu_cfg_key ended by an entry whose name is NULL. The host reads
 * the YAML file, validates each instance's `config:` map against its
 * plugin's schema before any plugin is initialised (unknown keys, wrong
 * types, missing required keys, values out of range are all reported with
 * file:line:col), fills in defaults, and prints `jutsu plugins describe`
 * from the same table. At run time the plugin reads its values through the
 * host vtable (host->cfg_*), which never fails for a key the schema gives
 * a default.
 *
 * ABI: schemas are arrays, so the size of struct jutsu_cfg_key is frozen
 * for a major version; its reserved slots must be zero.
 */
#ifndef JUTSU_CONFIG_H
#define JUTSU_CONFIG_H

#include <stdint.h>

enum jutsu_cfg_type {
    JUTSU_CFG_STR    = 1,  /* any scalar, kept as text                     */
    JUTSU_CFG_INT    = 2,  /* int64, decimal; bounds in min/max            */
    JUTSU_CFG_BOOL   = 3,  /* true/false/yes/no/on/off                      */
    JUTSU_CFG_DOUBLE = 4,  /* a ratio or parameter, never money            */
    JUTSU_CFG_MONEY  = 5,  /* decimal text, exact to 6 places (jutsu_money_t) */
    JUTSU_CFG_ENUM   = 6,  /* one of `choices`                              */
    JUTSU_CFG_LIST   = 7,  /* a sequence; elements of type `elem`          */
    JUTSU_CFG_MAP    = 8,  /* a mapping validated against `sub`            */
    JUTSU_CFG_ANY    = 9   /* free-form, not validated (use sparingly)     */
};

enum jutsu_cfg_flag {
    JUTSU_CFG_REQUIRED = 1u << 0,  /* must be present; `def` is ignored   */
    JUTSU_CFG_SECRET   = 1u << 1   /* masked by `jutsu config show`        */
};

struct jutsu_cfg_key {
    const char *name;                 /* key in the map; NULL ends the table */
    uint32_t    type;                 /* enum jutsu_cfg_type                 */
    uint32_t    flags;                /* enum jutsu_cfg_flag bits            */
    const char *def;                  /* default as YAML scalar text, or NULL */
    const char *help;                 /* one sentence for describe/--help    */
    const char *const *choices;       /* ENUM: NULL-terminated list          */
    const struct jutsu_cfg_key *sub;  /* MAP, or LIST of MAP: nested schema  */
    uint32_t    elem;                 /* LIST: element type (0 = STR)        */
    uint32_t    reserved0;
    int64_t     min, max;             /* INT: inclusive bounds if min < max  */
    const void *reserved[2];
};

/* Convenience initialisers for schema tables. */
#define JUTSU_CFG_KEY(n, t, d, h)        { .name = (n), .type = (t), .def = (d), .help = (h) }
#define JUTSU_CFG_REQ(n, t, h)           { .name = (n), .type = (t), .flags = JUTSU_CFG_REQUIRED, .help = (h) }
#define JUTSU_CFG_INT_RANGE(n, d, lo, hi, h) \
    { .name = (n), .type = JUTSU_CFG_INT, .def = (d), .help = (h), .min = (lo), .max = (hi) }
#define JUTSU_CFG_END                    { .name = 0 }

#endif
