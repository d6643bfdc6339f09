/*
 * core/config/cfg_fill.c — filling a plugin's config struct from its
 * validated config (host->cfg_fill), as Fluent Bit's config map does.
 *
 * The schema says where each value goes (JUTSU_CFG_FIELD and `offset`,
 * jutsu/config.h); validation has already parsed, range-checked and
 * defaulted every value into its node, so filling is a copy, not a second
 * parse: the node's typed value is taken as it is. A node whose validated
 * type is not the key's means the tree was validated against some other
 * schema; that is refused rather than guessed at, because the bytes go
 * into a struct the host cannot see.
 *
 * Values are written with memcpy: the offset comes from the plugin, and a
 * misaligned one must not become undefined behaviour in the host.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "config/cfg.h"

/* ENUM: the position of the node's text among the key's choices, or -1. */
static int choice_index(const struct jutsu_cfg_key *k, const char *text)
{
    for (int i = 0; k->choices && k->choices[i]; i++)
        if (strcmp(k->choices[i], text) == 0)
            return i;
    return -1;
}

static int fill_key(const struct jutsu_cfg_key *k, const jutsu_cfg_node *n, char *field,
                    char *err, size_t errsz)
{
    if (n->kind != JUTSU_CFG_NODE_SCALAR || n->type != k->type) {
        snprintf(err, errsz, "config key \"%s\" is of type %s in the schema, but its value "
                 "was %s%s (the config was not validated against this schema)", k->name,
                 jutsu_cfg_type_name(k->type), n->type ? "validated as " : "never validated",
                 n->type ? jutsu_cfg_type_name(n->type) : "");
        return JUTSU_EINVAL;
    }
    switch (k->type) {
    case JUTSU_CFG_STR: {
        const char *s = n->text;
        memcpy(field, &s, sizeof(s));
        return 0;
    }
    case JUTSU_CFG_INT:
        memcpy(field, &n->i, sizeof(int64_t));
        return 0;
    case JUTSU_CFG_BOOL: {
        int b = n->i != 0;
        memcpy(field, &b, sizeof(b));
        return 0;
    }
    case JUTSU_CFG_DOUBLE:
        memcpy(field, &n->d, sizeof(double));
        return 0;
    case JUTSU_CFG_MONEY:
        memcpy(field, &n->m, sizeof(jutsu_money_t));
        return 0;
    case JUTSU_CFG_ENUM: {
        int i = choice_index(k, n->text);
        if (i < 0) {
            snprintf(err, errsz, "config key \"%s\": its value is none of the schema's choices "
                     "(the config was not validated against this schema)", k->name);
            return JUTSU_EINVAL;
        }
        int v = k->values ? k->values[i] : i;
        memcpy(field, &v, sizeof(v));
        return 0;
    }
    default:    /* refused by jutsu_cfg_fill */
        return JUTSU_EINVAL;
    }
}

int jutsu_cfg_fill(const jutsu_cfg_node *map, const struct jutsu_cfg_key *schema, void *conf,
                   char *err, size_t errsz)
{
    if (conf == NULL) {
        snprintf(err, errsz, "cfg_fill: no struct to fill (conf is NULL)");
        return JUTSU_EINVAL;
    }
    if (map == NULL || map->kind != JUTSU_CFG_NODE_MAP) {
        snprintf(err, errsz, "cfg_fill: the instance has no config map (a host bug)");
        return JUTSU_EINVAL;
    }
    for (const struct jutsu_cfg_key *k = schema; k && k->name; k++) {
        if (!(k->flags & JUTSU_CFG_FIELD))
            continue;
        /* the scalar types are STR..ENUM, numbers the ABI freezes */
        if (k->type < JUTSU_CFG_STR || k->type > JUTSU_CFG_ENUM) {
            snprintf(err, errsz, "config key \"%s\" is of type %s, which cannot be filled into "
                     "a field (only str, int, bool, double, money and enum keys can carry "
                     "JUTSU_CFG_FIELD)", k->name, jutsu_cfg_type_name(k->type));
            return JUTSU_EINVAL;
        }
        const jutsu_cfg_node *n = jutsu_cfg_map_get(map, k->name);
        if (n == NULL || (n->kind == JUTSU_CFG_NODE_SCALAR && n->is_null)) {
            /* validation gives such a key its default, or reports it */
            int demanded = (k->flags & JUTSU_CFG_REQUIRED) || k->def != NULL;
            if (!demanded)
                continue;   /* optional, no default: the field keeps its value */
            snprintf(err, errsz, "config key \"%s\" has no value, although the schema %s "
                     "(the config was not validated against this schema)", k->name,
                     (k->flags & JUTSU_CFG_REQUIRED) ? "requires it" : "gives it a default");
            return JUTSU_EINVAL;
        }
        int rc = fill_key(k, n, (char *)conf + k->offset, err, errsz);
        if (rc != 0)
            return rc;
    }
    return 0;
}
