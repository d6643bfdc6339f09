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

#endif
