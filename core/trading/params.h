/*
 * core/trading/params.h — a strategy instance's parameters: its `config:` map from
 * the YAML file with the active config_overrides over it.
 *
 * An override names one top-level key of the plugin's config schema and a
 * value of that key's type: `jutsu config override set` checks both with
 * the same validation the YAML gets (unknown keys are refused with the
 * list of allowed ones, a wrong type with file:line:col-like context). The
 * trading job applies the active overrides at its next run: when the
 * result differs from what the instance runs with, the instance is
 * re-initialised with the merged config (its state is then rebuilt by a
 * replay: see trade.h).
 *
 * The merged config lives in a jutsu_cfg of its own, owned by the instance
 * (freed with it), so the YAML tree is never modified.
 */
#ifndef JUTSU_CORE_PARAMS_H
#define JUTSU_CORE_PARAMS_H

#include <stddef.h>

#include "host/app.h"
#include "store/store.h"

struct json_object;

/* One override, as text (from config_overrides or the command line). */
struct jutsu_param {
    const char *name;
    const char *value;
};

/* The jutsu_cfg value_type of a schema type: int, float, decimal, bool,
 * str; NULL for a key that cannot be overridden (a map or a list). */
const char *jutsu_params_value_type(const struct jutsu_cfg_key *key);

/* The schema entry of `name` in the instance's plugin, or NULL. */
const struct jutsu_cfg_key *jutsu_params_key(const struct jutsu_ctx *inst, const char *name);

/*
 * The instance's YAML config with `over[0..n)` applied, validated against
 * its plugin's schema: *cfg (a new tree, the caller's) and its validated
 * root map *root. Refuses (JUTSU_ECONFIG, reason in err) an unknown key, a
 * value of the wrong type, a key that is a map or a list.
 */
int jutsu_params_merge(const struct jutsu_ctx *inst, const struct jutsu_param *over, size_t n,
                       jutsu_cfg **cfg, jutsu_cfg_node **root, char *err, size_t errsz);

/* The active overrides of a strategy: *over (n of them) with the strings
 * copied into one block; free with jutsu_params_free. */
int  jutsu_params_active(jutsu_dbs *s, const char *strategy, struct jutsu_param **over,
                         size_t *n);
void jutsu_params_free(struct jutsu_param *over, size_t n);

/* The config map as compact JSON text (a fingerprint of the parameters);
 * malloc'd, NULL on allocation failure. */
char *jutsu_params_json(const jutsu_cfg_node *root);

/*
 * Re-initialises a started or initialised instance with a new config
 * (destroy, then init with `root`; `cfg` is handed to the instance, which
 * frees it with itself, as it does the one it replaces). On a failing
 * init the instance keeps running its previous config: JUTSU_ECONFIG or
 * the plugin's code, its reason in err.
 */
int jutsu_params_reinit(struct jutsu_ctx *inst, jutsu_cfg *cfg, jutsu_cfg_node *root,
                        char *err, size_t errsz);

/* --- changing overrides: the one path of `jutsu config override` and the
 * engine (REST) ----------------------------------------------------------- */

/* What a change did. Strings are copies (cut to fit). */
struct jutsu_override_change {
    char strategy[64];
    char parameter[64];
    char value[128];      /* in effect after: set, the override in its canonical
                             spelling (true/false, digits); unset, the file's
                             value (or the schema default)                        */
    char previous[128];   /* in effect before                                     */
    int  was_override;    /* previous was an active override (else the file's)    */
    int  is_override;     /* value is an override (set), not the file's (unset)   */
};

/* The strategy instance called `name`: the instance, or NULL with err
 * naming it and listing the strategy instances there are. */
struct jutsu_ctx *jutsu_params_strategy(struct jutsu_app *app, const char *name, char *err,
                                        size_t errsz);

/*
 * Sets (or replaces) the override of `param`: the strategy must be an
 * instance, the parameter a plain key of its plugin's schema, and the
 * result, with the other active overrides, a valid config of the plugin
 * (the YAML's validation: the schema's types, ranges and choices, then the
 * plugin's own init on a scratch instance, which judges what the schema
 * cannot say, such as a DOUBLE key's range). The override and its config_history row
 * (changed_by `by`) go in one transaction; then config.changed is
 * published on the app's bus (docs/events.md). Returns 0, JUTSU_ENOENT
 * (no such strategy instance), JUTSU_EINVAL (unknown parameter, a value
 * of the wrong type or out of range, a reason or value too long), or the database's code.
 * err says why; "" when the session's error says it (jutsu_dbs_error).
 */
int jutsu_params_override_set(struct jutsu_app *app, jutsu_dbs *s, const char *strategy,
                              const char *param, const char *value, const char *reason,
                              const char *by, struct jutsu_override_change *out, char *err,
                              size_t errsz);
/* Ends the active override of `param` (the file's value applies again),
 * with its config_history row; publishes config.changed. JUTSU_ENOENT: no
 * such strategy, or no active override of param (err says which). */
int jutsu_params_override_unset(struct jutsu_app *app, jutsu_dbs *s, const char *strategy,
                                const char *param, const char *reason, const char *by,
                                struct jutsu_override_change *out, char *err, size_t errsz);

/* The parameter's value in the file (or its default), as text; "" when
 * neither. */
const char *jutsu_params_file_value(const struct jutsu_ctx *inst, const char *param);

/* --- the effective config: the file with the active overrides over it ----- */

/* One active override (config_overrides), with who set it (config_history). */
struct jutsu_params_ov {
    char           *param, *value, *by, *reason;
    jutsu_time_t    at;
    jutsu_cfg_node *eff;        /* its value in the merged config; NULL if it does not apply */
};

/* A strategy instance's active overrides, merged over its file config as
 * the trading job merges them. */
struct jutsu_params_inst {
    struct jutsu_ctx       *inst;
    struct jutsu_params_ov *v;
    size_t                  n;
    jutsu_cfg              *merged;     /* owns the eff nodes; NULL without overrides */
    jutsu_cfg_node         *root;       /* its root map                               */
    char                    error[600]; /* why they do not apply to this config, or "" */
};

struct jutsu_params_shown {
    struct jutsu_params_inst *v;
    size_t                    n;
};

/* Every strategy instance's active overrides, read on s. 0, JUTSU_ENOMEM
 * or the database's error (in the session). */
int  jutsu_params_shown_read(struct jutsu_app *app, jutsu_dbs *s,
                             struct jutsu_params_shown *sh);
void jutsu_params_shown_free(struct jutsu_params_shown *sh);

/* The instance's `config:` map in the app's config tree (NULL if it has
 * none), and its index in `plugins:` (SIZE_MAX if not there). */
jutsu_cfg_node *jutsu_params_tree_config(jutsu_cfg_node *root, const char *name, size_t *index);

/*
 * The config as `jutsu config show --format json` prints it, and the
 * engine answers it: the app's tree as JSON, secrets masked, each
 * strategy's config with its overrides' values in place and `overrides`
 * beside it ({param: {value, file, default, changed_by, since, reason,
 * applies}}); sh may be NULL (no overrides read). 0 or JUTSU_ENOMEM.
 */
int jutsu_params_config_json(struct jutsu_app *app, const struct jutsu_params_shown *sh,
                             struct json_object **out);

#endif
