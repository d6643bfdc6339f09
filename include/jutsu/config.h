/*
 * jutsu/config.h — how a plugin declares its configuration.
 *
 * A plugin describes every key it accepts in a schema: a static array of
 * struct jutsu_cfg_key ended by an entry whose name is NULL. The host reads
 * the YAML file, validates each instance's `config:` map against its
 * plugin's schema before any plugin is initialised (unknown keys, wrong
 * types, missing required keys, values out of range are all reported with
 * file:line:col), fills in defaults, and prints `jutsu plugins describe`
 * from the same table.
 *
 * At run time the plugin gets its values in one of two ways:
 *
 *   - its own config struct, filled in one call (ABI 1.1). Each key that
 *     carries JUTSU_CFG_FIELD names a member of the struct by `offset`, and
 *     host->cfg_fill(ctx, &conf) writes every such key's validated value
 *     there, as the C type of its config type:
 *
 *         STR     const char *    (the host's string, valid until destroy)
 *         INT     int64_t
 *         BOOL    int             (0 or 1)
 *         DOUBLE  double
 *         MONEY   jutsu_money_t
 *         ENUM    int             (values[i] for choices[i]; i if no values;
 *                                  an int member, not one of a C enum type)
 *
 *     LIST, MAP and ANY keys cannot be fields (the loader refuses the flag
 *     on them, and on keys of a nested schema): read those by path with
 *     host->cfg_count, cfg_key_at and cfg_str/...("list[2]", "map.key").
 *     An optional key without a default that the config does not set
 *     leaves its field as it was: zero the struct, or put your fallback in
 *     it, before the call.
 *
 *     For example:
 *
 *     struct my_conf { const char *url; int64_t timeout_ms; int mode; };
 *     static const char *const modes[] = { "fast", "safe", NULL };
 *     static const int mode_values[] = { MY_FAST, MY_SAFE };
 *     static const struct jutsu_cfg_key schema[] = {
 *         JUTSU_CFG_REQ_AT("url", JUTSU_CFG_STR, "Where the API lives",
 *                          struct my_conf, url),
 *         JUTSU_CFG_INT_RANGE_AT("timeout_ms", "10000", 100, 600000, "Per-request timeout",
 *                                struct my_conf, timeout_ms),
 *         JUTSU_CFG_ENUM_AT("mode", modes, mode_values, "safe", "How hard to try",
 *                           struct my_conf, mode),
 *         JUTSU_CFG_END
 *     };
 *     ...
 *     struct my_conf conf = { 0 };
 *     if (host->cfg_fill(ctx, &conf) != 0)
 *         return JUTSU_ECONFIG;      (the host has recorded why, naming the key)
 *
 *   - one key at a time by path (host->cfg_str, cfg_int, ...), which never
 *     fails for a key the schema gives a default. Keys without the flag,
 *     and the values of lists and maps, are read this way.
 *
 * Paths (ABI 1.2). A STR key (or a LIST of STR) whose value names a file or
 * a directory carries JUTSU_CFG_PATH. Its value, from the file or from the
 * key's default, is then made absolute when the config is validated: a
 * relative one is joined to the directory of the config file it was read
 * from (`-c FILE`; the working directory for a config that is not a file),
 * as nginx and systemd do, so the plugin gets the same file whichever
 * directory `jutsu` was started in, and `config show` prints it. Leading
 * "./" and "../" steps are taken off the directory, which is known without
 * symbolic links: "../var/x.db" beside /etc/jutsu/jutsu.yaml is
 * /etc/var/x.db. An absolute value is kept; so are the empty string (the
 * usual "none") and a value starting with ':' (not a path, but a name a
 * plugin may give a meaning to, such as SQLite's ":memory:"). `jutsu
 * config check` then looks at the disk: a path must exist, or its nearest
 * existing ancestor must be a directory it can write into (a file or
 * directory made on first use); with JUTSU_CFG_MUST_EXIST as well, it must
 * exist (a file the plugin reads). A plugin reads the value as before, and
 * gets the absolute path. The environment's overrides (DATABASE_URL) are
 * not in a file: a relative path there is taken from the working directory.
 *
 *     JUTSU_CFG_PATH_AT("path", JUTSU_CFG_REQUIRED | JUTSU_CFG_MUST_EXIST, NULL,
 *                       "The CSV file to read", struct my_conf, path),
 *
 * ABI: schemas are arrays, so the size of struct jutsu_cfg_key is frozen
 * for a major version. ABI 1.1 gave two of its reserved slots a meaning
 * whose zero value is what 1.0 did (`offset` was reserved0, `values` was
 * reserved[0]): a 1.0 schema works unchanged. The remaining reserved slot
 * must be zero; the loader refuses a schema where it is not.
 */
#ifndef JUTSU_CONFIG_H
#define JUTSU_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/money.h"

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
    JUTSU_CFG_SECRET   = 1u << 1,  /* masked by `jutsu config show`        */
    JUTSU_CFG_FIELD    = 1u << 2,  /* ABI 1.1: host->cfg_fill writes the value
                                      at `offset` (0 is a valid offset, so the
                                      flag, not the offset, says it is one) */
    JUTSU_CFG_PATH     = 1u << 3,  /* ABI 1.2: a filesystem path, made absolute
                                      against the config file's directory (STR,
                                      or LIST of STR; see "Paths" above)   */
    JUTSU_CFG_MUST_EXIST = 1u << 4 /* ABI 1.2, with PATH: `config check` wants
                                      it to exist (a file the plugin reads) */
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
    uint32_t    offset;               /* FIELD: the member's byte offset in
                                         the plugin's config struct (1.1)    */
    int64_t     min, max;             /* INT: inclusive bounds if min < max  */
    const int  *values;               /* ENUM with FIELD: the field receives
                                         values[i] for choices[i]; NULL: the
                                         index i. As many entries as
                                         choices (1.1)                       */
    const void *reserved[1];          /* zero                                */
};

/* Convenience initialisers for schema tables. */
#define JUTSU_CFG_KEY(n, t, d, h)        { .name = (n), .type = (t), .def = (d), .help = (h) }
#define JUTSU_CFG_REQ(n, t, h)           { .name = (n), .type = (t), .flags = JUTSU_CFG_REQUIRED, .help = (h) }
#define JUTSU_CFG_INT_RANGE(n, d, lo, hi, h) \
    { .name = (n), .type = JUTSU_CFG_INT, .def = (d), .help = (h), .min = (lo), .max = (hi) }
#define JUTSU_CFG_END                    { .name = 0 }

/*
 * The same rows with a field (ABI 1.1): the last two arguments name the
 * config struct and its member, e.g. `struct my_conf, timeout_ms` (a
 * member path such as `http.timeout_ms` or `sym[2]` works too).
 *
 * JUTSU_CFG_OFFSET(S, m, t) is the offset of member m of struct type S for
 * a key of config type t, and fails to compile when the member's C type is
 * not the one t fills (the table at the top): a wrong type would otherwise
 * be a silent write of the wrong width into the plugin's struct. t must be
 * spelled as the enum constant (JUTSU_CFG_INT), which names the C type by
 * token pasting; LIST, MAP and ANY have none, so they do not compile either.
 * Use it in a row written out by hand, together with JUTSU_CFG_FIELD:
 *
 *   { .name = "token", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_SECRET | JUTSU_CFG_FIELD,
 *     .offset = JUTSU_CFG_OFFSET(struct my_conf, token, JUTSU_CFG_STR), .help = "..." }
 */
#define JUTSU_CFG_CTYPE_JUTSU_CFG_STR    const char *
#define JUTSU_CFG_CTYPE_JUTSU_CFG_INT    int64_t
#define JUTSU_CFG_CTYPE_JUTSU_CFG_BOOL   int
#define JUTSU_CFG_CTYPE_JUTSU_CFG_DOUBLE double
#define JUTSU_CFG_CTYPE_JUTSU_CFG_MONEY  jutsu_money_t
#define JUTSU_CFG_CTYPE_JUTSU_CFG_ENUM   int
#define JUTSU_CFG_OFFSET(S, m, t) \
    ((uint32_t)_Generic(((S *)0)->m, JUTSU_CFG_CTYPE_##t: offsetof(S, m)))

#define JUTSU_CFG_KEY_AT(n, t, d, h, S, m) \
    { .name = (n), .type = (t), .flags = JUTSU_CFG_FIELD, .offset = JUTSU_CFG_OFFSET(S, m, t), \
      .def = (d), .help = (h) }
#define JUTSU_CFG_REQ_AT(n, t, h, S, m) \
    { .name = (n), .type = (t), .flags = JUTSU_CFG_REQUIRED | JUTSU_CFG_FIELD, \
      .offset = JUTSU_CFG_OFFSET(S, m, t), .help = (h) }
#define JUTSU_CFG_INT_RANGE_AT(n, d, lo, hi, h, S, m) \
    { .name = (n), .type = JUTSU_CFG_INT, .flags = JUTSU_CFG_FIELD, \
      .offset = JUTSU_CFG_OFFSET(S, m, JUTSU_CFG_INT), .def = (d), .help = (h), \
      .min = (lo), .max = (hi) }
/* A path (ABI 1.2): a STR field with JUTSU_CFG_PATH, and the flags in fl besides
 * (0, JUTSU_CFG_MUST_EXIST, JUTSU_CFG_REQUIRED, ...). */
#define JUTSU_CFG_PATH_AT(n, fl, d, h, S, m) \
    { .name = (n), .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_FIELD | JUTSU_CFG_PATH | (fl), \
      .offset = JUTSU_CFG_OFFSET(S, m, JUTSU_CFG_STR), .def = (d), .help = (h) }
/* c: the NULL-terminated choices; v: their values, or NULL for the index. */
#define JUTSU_CFG_ENUM_AT(n, c, v, d, h, S, m) \
    { .name = (n), .type = JUTSU_CFG_ENUM, .flags = JUTSU_CFG_FIELD, \
      .offset = JUTSU_CFG_OFFSET(S, m, JUTSU_CFG_ENUM), .def = (d), .help = (h), \
      .choices = (c), .values = (v) }

#endif
