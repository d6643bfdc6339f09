/*
 * core/host/loader_check.c — validating a plugin descriptor before trusting it.
 *
 * Nothing here calls into the plugin: the checks read the descriptor's
 * fields, and only as far as the plugin says the descriptor reaches
 * (`size`). The per-kind tables list which ops a kind cannot do without;
 * they are data, so a new kind or op is one line.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/auth.h"
#include "jutsu/broker.h"
#include "jutsu/error.h"
#include "jutsu/frontend.h"
#include "jutsu/kpi.h"
#include "jutsu/money.h"
#include "jutsu/source.h"
#include "jutsu/storage.h"
#include "jutsu/strategy.h"
#include "config/cfg.h"
#include "host/loader.h"

/* The descriptor of ABI 1.0 ends with the `reserved` array; anything
 * shorter cannot have been built from our header. */
#define DESC_MIN_SIZE JUTSU_PLUGIN_SIZE_1_0

struct op_slot {
    size_t      offset;
    const char *name;
};

#define OP(type, field) { offsetof(struct type, field), #field }

struct kind_rule {
    uint32_t kind;
    size_t   min_size;           /* ops->size at ABI 1.0: frozen in its header */
    struct op_slot ops[24];      /* mandatory pointers; name NULL ends */
};

static const struct kind_rule kind_rules[] = {
    { JUTSU_KIND_STORAGE, JUTSU_STORAGE_OPS_SIZE_1_0, {
        OP(jutsu_storage_ops, dialect),    OP(jutsu_storage_ops, describe),
        OP(jutsu_storage_ops, connect),    OP(jutsu_storage_ops, disconnect),
        OP(jutsu_storage_ops, last_error), OP(jutsu_storage_ops, exec),
        OP(jutsu_storage_ops, prepare),    OP(jutsu_storage_ops, bind),
        OP(jutsu_storage_ops, step),       OP(jutsu_storage_ops, column),
        OP(jutsu_storage_ops, changes),    OP(jutsu_storage_ops, reset),
        OP(jutsu_storage_ops, finalize),   OP(jutsu_storage_ops, begin),
        OP(jutsu_storage_ops, commit),     OP(jutsu_storage_ops, rollback),
        OP(jutsu_storage_ops, savepoint),  OP(jutsu_storage_ops, release),
        OP(jutsu_storage_ops, rollback_to), OP(jutsu_storage_ops, bulk_begin),
        OP(jutsu_storage_ops, bulk_row),   OP(jutsu_storage_ops, bulk_end),
        OP(jutsu_storage_ops, migrations), { 0, NULL } } },
    { JUTSU_KIND_SOURCE, JUTSU_SOURCE_OPS_SIZE_1_0, {
        OP(jutsu_source_ops, caps), OP(jutsu_source_ops, fetch), { 0, NULL } } },
    { JUTSU_KIND_STRATEGY, JUTSU_STRATEGY_OPS_SIZE_1_0, {
        OP(jutsu_strategy_ops, needs), OP(jutsu_strategy_ops, on_day),
        OP(jutsu_strategy_ops, save),  OP(jutsu_strategy_ops, restore), { 0, NULL } } },
    { JUTSU_KIND_KPI, JUTSU_KPI_OPS_SIZE_1_0, {
        OP(jutsu_kpi_ops, columns), OP(jutsu_kpi_ops, fold), { 0, NULL } } },
    { JUTSU_KIND_AUTH, JUTSU_AUTH_OPS_SIZE_1_0, {
        OP(jutsu_auth_ops, factor), OP(jutsu_auth_ops, verify), { 0, NULL } } },
    { JUTSU_KIND_FRONTEND, JUTSU_FRONTEND_OPS_SIZE_1_0, { { 0, NULL } } },
    { JUTSU_KIND_BROKER, JUTSU_BROKER_OPS_SIZE_1_0, {
        OP(jutsu_broker_ops, place), OP(jutsu_broker_ops, status),
        OP(jutsu_broker_ops, cancel), { 0, NULL } } },
};

static const struct kind_rule *rule_for(uint32_t kind)
{
    for (size_t i = 0; i < sizeof(kind_rules) / sizeof(kind_rules[0]); i++)
        if (kind_rules[i].kind == kind)
            return &kind_rules[i];
    return NULL;
}

static int valid_plugin_name(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static void check_ops(const struct jutsu_plugin *d, const char *file, int *bad,
                      struct jutsu_diag *diag)
{
    const struct kind_rule *rule = rule_for(d->kind);
    if (rule == NULL)
        return;
    if (d->ops == NULL) {
        jutsu_diag_add(diag, "%s: ops: missing (a %s plugin must provide struct jutsu_%s_ops)",
                       file, jutsu_kind_name(d->kind), jutsu_kind_name(d->kind));
        (*bad)++;
        return;
    }
    uint32_t size;
    memcpy(&size, d->ops, sizeof(size));
    if (size < rule->min_size) {
        jutsu_diag_add(diag, "%s: ops.size: plugin says %u, ABI %d.0 needs at least %zu",
                       file, size, JUTSU_ABI_MAJOR, rule->min_size);
        (*bad)++;
        return;
    }
    for (const struct op_slot *s = rule->ops; s->name; s++) {
        const void *p;
        memcpy(&p, (const char *)d->ops + s->offset, sizeof(p));
        if (p == NULL) {
            jutsu_diag_add(diag, "%s: ops.%s: missing (mandatory for a %s plugin)",
                           file, s->name, jutsu_kind_name(d->kind));
            (*bad)++;
        }
    }
}

int jutsu_plugin_check(const struct jutsu_plugin *d, const char *file,
                       struct jutsu_diag *diag)
{
    int bad = 0;

    if (d == NULL) {
        jutsu_diag_add(diag, "%s: %s() returned NULL", file, JUTSU_PLUGIN_ENTRY);
        return JUTSU_EABI;
    }
    /* The head is compared field by field even when the magic is wrong,
     * so the message shows everything that differs. */
    if (d->magic != JUTSU_PLUGIN_MAGIC) {
        jutsu_diag_add(diag, "%s: magic: plugin has 0x%08x, host expects 0x%08x "
                       "(not a Jutsu plugin descriptor, or a corrupt one)",
                       file, d->magic, JUTSU_PLUGIN_MAGIC);
        bad++;
    }
    if (d->abi_major != JUTSU_ABI_MAJOR) {
        jutsu_diag_add(diag, "%s: abi_major: plugin was built for ABI %u.%u, host has ABI %d.%d "
                       "(majors must be equal: rebuild the plugin against this host's headers)",
                       file, d->abi_major, d->abi_minor, JUTSU_ABI_MAJOR, JUTSU_ABI_MINOR);
        bad++;
    } else if (d->abi_minor > JUTSU_ABI_MINOR) {
        jutsu_diag_add(diag, "%s: abi_minor: plugin needs ABI %u.%u, host has only ABI %d.%d "
                       "(upgrade jutsu, or rebuild the plugin against these headers)",
                       file, d->abi_major, d->abi_minor, JUTSU_ABI_MAJOR, JUTSU_ABI_MINOR);
        bad++;
    }
    if (d->size < DESC_MIN_SIZE) {
        jutsu_diag_add(diag, "%s: size: descriptor is %u bytes, ABI %d.0 needs at least %zu",
                       file, d->size, JUTSU_ABI_MAJOR, (size_t)DESC_MIN_SIZE);
        bad++;
    }
    if (bad)  /* the rest of the descriptor cannot be trusted */
        return JUTSU_EABI;

    if (jutsu_kind_name(d->kind) == NULL) {
        jutsu_diag_add(diag, "%s: kind: %u is not a known plugin kind (1..%d)",
                       file, d->kind, JUTSU_KIND_MAX);
        bad++;
    }
    if (!valid_plugin_name(d->name)) {
        jutsu_diag_add(diag, "%s: name: %s%s%s is not a valid plugin name ([a-z0-9_-], 1..64)",
                       file, d->name ? "\"" : "", d->name ? d->name : "missing",
                       d->name ? "\"" : "");
        bad++;
    }
    if (d->version == NULL || *d->version == '\0') {
        jutsu_diag_add(diag, "%s: version: missing", file);
        bad++;
    }
    if (d->init == NULL) {
        jutsu_diag_add(diag, "%s: init: missing (mandatory)", file);
        bad++;
    }
    if (d->destroy == NULL) {
        jutsu_diag_add(diag, "%s: destroy: missing (mandatory)", file);
        bad++;
    }
    check_ops(d, file, &bad, diag);
    if (d->schema && jutsu_schema_check(d->schema, file, diag) != 0)
        bad++;
    return bad ? JUTSU_EABI : 0;
}

/* --- schema tables ---------------------------------------------------------- */

static int valid_key_name(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int default_ok(const struct jutsu_cfg_key *k)
{
    const char *v = k->def;
    char *end;
    switch (k->type) {
    case JUTSU_CFG_INT: {
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (end == v || *end || errno)
            return 0;
        return k->min >= k->max || (x >= k->min && x <= k->max);
    }
    case JUTSU_CFG_DOUBLE:
        (void)strtod(v, &end);    /* only whether it parses */
        return end != v && *end == '\0';
    case JUTSU_CFG_BOOL: {
        int b;
        return jutsu_cfg_parse_bool(v, &b) == 0;
    }
    case JUTSU_CFG_MONEY: {
        jutsu_money_t m;
        return jutsu_money_parse(v, -1, JUTSU_MONEY_EXACT, &m) == 0;
    }
    case JUTSU_CFG_ENUM:
        for (const char *const *c = k->choices; c && *c; c++)
            if (strcmp(*c, v) == 0)
                return 1;
        return 0;
    default:
        return 1;
    }
}

/* The bytes host->cfg_fill writes for a field of each type; 0: a key of
 * that type cannot be a field. Two fields must not share a byte. */
static const size_t field_size[] = {
    [JUTSU_CFG_STR] = sizeof(const char *), [JUTSU_CFG_INT] = sizeof(int64_t),
    [JUTSU_CFG_BOOL] = sizeof(int), [JUTSU_CFG_DOUBLE] = sizeof(double),
    [JUTSU_CFG_MONEY] = sizeof(jutsu_money_t), [JUTSU_CFG_ENUM] = sizeof(int),
    [JUTSU_CFG_LIST] = 0, [JUTSU_CFG_MAP] = 0, [JUTSU_CFG_ANY] = 0,
};

#define KNOWN_FLAGS (JUTSU_CFG_REQUIRED | JUTSU_CFG_SECRET | JUTSU_CFG_FIELD | JUTSU_CFG_PATH | \
                     JUTSU_CFG_MUST_EXIST)

/* JUTSU_CFG_PATH (1.2) rewrites text, so only text may carry it: a STR key
 * or a LIST of STR; MUST_EXIST only says more about a PATH. */
static int check_path_flags(const struct jutsu_cfg_key *k, const char *who,
                            struct jutsu_diag *diag)
{
    int is_text = k->type == JUTSU_CFG_STR ||
                  (k->type == JUTSU_CFG_LIST && (k->elem == 0 || k->elem == JUTSU_CFG_STR));
    if ((k->flags & JUTSU_CFG_PATH) && !is_text) {
        jutsu_diag_add(diag, "%s: schema: key \"%s\" of type %s has the flag JUTSU_CFG_PATH, "
                       "which only a str key or a list of str can have", who, k->name,
                       jutsu_cfg_type_name(k->type));
        return 1;
    }
    if ((k->flags & JUTSU_CFG_MUST_EXIST) && !(k->flags & JUTSU_CFG_PATH)) {
        jutsu_diag_add(diag, "%s: schema: key \"%s\" has the flag JUTSU_CFG_MUST_EXIST without "
                       "JUTSU_CFG_PATH: only a path can be looked for", who, k->name);
        return 1;
    }
    return 0;
}

/* What ABI 1.1 added to a key: its field (offset, flag), an enum's values,
 * and the slot still reserved. A key's type is known here. `nested`: the
 * key is in a MAP's or a LIST's schema, which cfg_fill does not descend. */
static int check_field(const struct jutsu_cfg_key *schema, const struct jutsu_cfg_key *k,
                       int nested, const char *who, struct jutsu_diag *diag)
{
    int bad = 0;
    if (k->flags & ~KNOWN_FLAGS) {
        jutsu_diag_add(diag, "%s: schema: key \"%s\" has unknown flags 0x%x", who, k->name,
                       (unsigned)(k->flags & ~KNOWN_FLAGS));
        bad++;
    }
    if (k->reserved[0] != NULL) {
        jutsu_diag_add(diag, "%s: schema: key \"%s\" has a nonzero reserved slot (it must be "
                       "zero: a key built from another jutsu/config.h?)", who, k->name);
        bad++;
    }
    if (k->values && k->type != JUTSU_CFG_ENUM) {
        jutsu_diag_add(diag, "%s: schema: key \"%s\" of type %s has values, which only an enum "
                       "key can have (one per choice)", who, k->name,
                       jutsu_cfg_type_name(k->type));
        bad++;
    } else if (k->values && !(k->flags & JUTSU_CFG_FIELD)) {
        jutsu_diag_add(diag, "%s: schema: enum key \"%s\" has values but not the flag "
                       "JUTSU_CFG_FIELD: no field would receive them", who, k->name);
        bad++;
    }
    if (!(k->flags & JUTSU_CFG_FIELD)) {
        if (k->offset != 0) {
            jutsu_diag_add(diag, "%s: schema: key \"%s\" has an offset (%u) but not the flag "
                           "JUTSU_CFG_FIELD: its field would never be filled", who, k->name,
                           k->offset);
            bad++;
        }
        return bad;
    }
    if (nested) {
        jutsu_diag_add(diag, "%s: schema: key \"%s\" of a nested schema has the flag "
                       "JUTSU_CFG_FIELD, but host->cfg_fill fills top-level keys only (read it "
                       "by path)", who, k->name);
        return bad + 1;
    }
    if (field_size[k->type] == 0) {
        jutsu_diag_add(diag, "%s: schema: key \"%s\" of type %s has the flag JUTSU_CFG_FIELD, "
                       "but a key of that type cannot be filled into a field (read it by path: "
                       "cfg_count, cfg_key_at)", who, k->name, jutsu_cfg_type_name(k->type));
        return bad + 1;
    }
    size_t lo = k->offset, hi = lo + field_size[k->type];
    for (const struct jutsu_cfg_key *j = schema; j < k; j++) {
        if (!(j->flags & JUTSU_CFG_FIELD) || j->type < JUTSU_CFG_STR || j->type > JUTSU_CFG_ANY ||
            field_size[j->type] == 0)
            continue;
        if (j->offset < hi && lo < j->offset + field_size[j->type]) {
            jutsu_diag_add(diag, "%s: schema: keys \"%s\" and \"%s\" fill overlapping bytes of "
                           "the config struct (offsets %u and %u): two keys, one member?", who,
                           j->name, k->name, j->offset, k->offset);
            bad++;
        }
    }
    return bad;
}

static int check_table(const struct jutsu_cfg_key *schema, const char *who, int nested,
                       struct jutsu_diag *diag)
{
    int bad = 0;
    for (const struct jutsu_cfg_key *k = schema; k->name; k++) {
        if (!valid_key_name(k->name)) {
            jutsu_diag_add(diag, "%s: schema: key \"%s\" is not a valid name", who, k->name);
            bad++;
        }
        for (const struct jutsu_cfg_key *j = schema; j < k; j++)
            if (strcmp(j->name, k->name) == 0) {
                jutsu_diag_add(diag, "%s: schema: key \"%s\" declared twice", who, k->name);
                bad++;
            }
        if (k->type < JUTSU_CFG_STR || k->type > JUTSU_CFG_ANY) {
            jutsu_diag_add(diag, "%s: schema: key \"%s\" has unknown type %u", who, k->name,
                           k->type);
            bad++;
            continue;
        }
        if (k->type == JUTSU_CFG_ENUM && (k->choices == NULL || k->choices[0] == NULL)) {
            jutsu_diag_add(diag, "%s: schema: enum key \"%s\" has no choices", who, k->name);
            bad++;
        }
        if (k->def && !default_ok(k)) {
            jutsu_diag_add(diag, "%s: schema: default \"%s\" of key \"%s\" is not a valid %s",
                           who, k->def, k->name,
                           k->type == JUTSU_CFG_ENUM ? "choice" : "value of its type");
            bad++;
        }
        if (k->help == NULL || *k->help == '\0') {
            jutsu_diag_add(diag, "%s: schema: key \"%s\" has no help text", who, k->name);
            bad++;
        }
        bad += check_field(schema, k, nested, who, diag);
        bad += check_path_flags(k, who, diag);
        if (k->sub && (k->type == JUTSU_CFG_MAP || k->type == JUTSU_CFG_LIST)) {
            char *sub = NULL;
            if (asprintf(&sub, "%s: %s", who, k->name) < 0)
                return JUTSU_ENOMEM;
            if (check_table(k->sub, sub, 1, diag) != 0)
                bad++;
            free(sub);
        }
    }
    return bad ? JUTSU_EABI : 0;
}

int jutsu_schema_check(const struct jutsu_cfg_key *schema, const char *who,
                       struct jutsu_diag *diag)
{
    return check_table(schema, who, 0, diag);
}
