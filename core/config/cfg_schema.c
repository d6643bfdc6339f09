/*
 * core/config/cfg_schema.c — typed reads of scalars, validating a config map
 * against a schema, and describing a schema (help text and JSON).
 *
 * Validation walks the map in file order (so messages come in the order a
 * person reads the file), then the schema for what is missing. Each
 * problem is one diag line and validation carries on: the whole list is
 * worth more than the first item. Keys in messages are full paths from the
 * validated map ("bus.queue_size", "plugins[1].name") so a nested problem
 * can be found without counting indentation.
 *
 * Only the public tree API is used here; defaults are written with
 * jutsu_cfg_set and then marked as defaults.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "config/cfg.h"

#define DEFAULT_FILE "(default)"
#define MASK         "********"
/* Key paths ("plugins[1].name") only name things in messages, in 512-byte
 * buffers; the "%.500s" below cut an absurdly deep one short. */

struct vctx {
    jutsu_cfg         *cfg;
    const char        *what;
    struct jutsu_diag *diag;
    int                errors;
    int                rc;      /* a hard failure (out of memory) */
};

static const char *const type_names[] = {
    [JUTSU_CFG_STR] = "str", [JUTSU_CFG_INT] = "int", [JUTSU_CFG_BOOL] = "bool",
    [JUTSU_CFG_DOUBLE] = "double", [JUTSU_CFG_MONEY] = "money", [JUTSU_CFG_ENUM] = "enum",
    [JUTSU_CFG_LIST] = "list", [JUTSU_CFG_MAP] = "map", [JUTSU_CFG_ANY] = "any"
};

const char *jutsu_cfg_type_name(uint32_t t)
{
    return t < sizeof(type_names) / sizeof(type_names[0]) && type_names[t] ? type_names[t] : "?";
}

static int is_scalar_type(uint32_t t)
{
    return t != JUTSU_CFG_LIST && t != JUTSU_CFG_MAP && t != JUTSU_CFG_ANY;
}

/* ---- typed reads --------------------------------------------------------
 * A validated node answers from its typed value; any other scalar is
 * parsed on the spot, the same way validation parses it. */

static int scalar_at(jutsu_cfg_node *node, const char *path, jutsu_cfg_node **out)
{
    jutsu_cfg_node *n = path && *path ? jutsu_cfg_get(node, path) : node;
    if (n == NULL || (n->kind == JUTSU_CFG_NODE_SCALAR && n->is_null))
        return JUTSU_ENOENT;
    if (n->kind != JUTSU_CFG_NODE_SCALAR)
        return JUTSU_EINVAL;
    *out = n;
    return 0;
}

int jutsu_cfg_str(jutsu_cfg_node *node, const char *path, const char **out)
{
    jutsu_cfg_node *n;
    int rc = scalar_at(node, path, &n);
    if (rc == 0)
        *out = n->text;
    return rc;
}

int jutsu_cfg_int(jutsu_cfg_node *node, const char *path, int64_t *out)
{
    jutsu_cfg_node *n;
    int rc = scalar_at(node, path, &n);
    if (rc != 0)
        return rc;
    if (n->type == JUTSU_CFG_INT) {
        *out = n->i;
        return 0;
    }
    const char *s = n->text, *d = (*s == '-' || *s == '+') ? s + 1 : s;
    char *end;
    if (!isdigit((unsigned char)*d))
        return JUTSU_EINVAL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || errno != 0)
        return JUTSU_EINVAL;
    *out = v;
    return 0;
}

int jutsu_cfg_parse_bool(const char *text, int *out)
{
    /* false spellings at even positions, true ones at odd */
    static const char *const names[] = { "false", "true", "no", "yes", "off", "on" };
    for (size_t i = 0; text && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(text, names[i]) == 0) {
            *out = (int)(i % 2);
            return 0;
        }
    return JUTSU_EINVAL;
}

int jutsu_cfg_bool(jutsu_cfg_node *node, const char *path, int *out)
{
    jutsu_cfg_node *n;
    int rc = scalar_at(node, path, &n);
    if (rc != 0)
        return rc;
    if (n->type == JUTSU_CFG_BOOL) {
        *out = n->i != 0;
        return 0;
    }
    return jutsu_cfg_parse_bool(n->text, out);
}

int jutsu_cfg_double(jutsu_cfg_node *node, const char *path, double *out)
{
    jutsu_cfg_node *n;
    int rc = scalar_at(node, path, &n);
    if (rc != 0)
        return rc;
    if (n->type == JUTSU_CFG_DOUBLE) {
        *out = n->d;
        return 0;
    }
    char *end;
    if (*n->text == '\0' || isspace((unsigned char)*n->text))
        return JUTSU_EINVAL;
    double v = strtod(n->text, &end);
    if (*end != '\0' || !isfinite(v))
        return JUTSU_EINVAL;
    *out = v;
    return 0;
}

int jutsu_cfg_money(jutsu_cfg_node *node, const char *path, jutsu_money_t *out)
{
    jutsu_cfg_node *n;
    int rc = scalar_at(node, path, &n);
    if (rc != 0)
        return rc;
    if (n->type == JUTSU_CFG_MONEY) {
        *out = n->m;
        return 0;
    }
    return jutsu_money_parse(n->text, -1, JUTSU_MONEY_EXACT, out) == 0 ? 0 : JUTSU_EINVAL;
}

/* ---- validation ------------------------------------------------------- */

static void report(struct vctx *v, const char *where, const char *fmt, ...) JUTSU_PRINTF(3, 4);

static void report(struct vctx *v, const char *where, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int len = vasprintf(&msg, fmt, ap);
    va_end(ap);
    jutsu_diag_add(v->diag, "%s: %s", where, len >= 0 ? msg : "(message lost: out of memory)");
    if (len >= 0)
        free(msg);
    v->errors++;
}

static const char *where(const jutsu_cfg_node *n, char buf[static 256])
{
    return jutsu_cfg_where(n, buf, 256);
}

/* A key's own position; keys added by jutsu_cfg_set have none, so their
 * value's origin ("env DATABASE_URL") stands in. */
static const char *key_where(const jutsu_cfg_node *map, size_t i, char buf[static 256])
{
    if (map->key_line[i] <= 0)
        return where(map->items[i], buf);
    snprintf(buf, 256, "%s:%d:%d", map->file, map->key_line[i], map->key_col[i]);
    return buf;
}

static const char *kind_noun(const jutsu_cfg_node *n)
{
    if (n->kind == JUTSU_CFG_NODE_MAP)
        return "a map";
    if (n->kind == JUTSU_CFG_NODE_SEQ)
        return "a list";
    return n->is_null ? "an empty value" : "a single value";
}

static const char *want_noun(uint32_t t)
{
    return t == JUTSU_CFG_MAP ? "a map" : t == JUTSU_CFG_LIST ? "a list" : "a single value";
}

static const struct jutsu_cfg_key *find_key(const struct jutsu_cfg_key *schema, const char *name)
{
    for (const struct jutsu_cfg_key *k = schema; k && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

/* "a, b, c" from a NULL-terminated list of names, "(none)" if empty;
 * caller frees. */
static char *join(const char *const *names)
{
    size_t len = sizeof("(none)");
    for (const char *const *p = names; p && *p; p++)
        len += strlen(*p) + 2;
    char *s = malloc(len), *o = s;
    if (s == NULL)
        return NULL;
    strcpy(s, "(none)");
    for (const char *const *p = names; p && *p; p++)
        o += sprintf(o, "%s%s", o == s ? "" : ", ", *p);
    return s;
}

static char *join_keys(const struct jutsu_cfg_key *schema)
{
    size_t n = 0;
    while (schema && schema[n].name)
        n++;
    const char **names = calloc(n + 1, sizeof(*names));
    if (names == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        names[i] = schema[i].name;
    char *s = join(names);
    free(names);
    return s;
}

/* A sub-schema is worth an empty map when it would fill something in and
 * demands nothing the file did not say. */
static int wants_empty_map(const struct jutsu_cfg_key *schema)
{
    int fills = 0;
    for (const struct jutsu_cfg_key *k = schema; k->name; k++) {
        if (k->flags & JUTSU_CFG_REQUIRED)
            return 0;
        if ((k->def && is_scalar_type(k->type)) ||
            (k->type == JUTSU_CFG_MAP && k->sub && wants_empty_map(k->sub)))
            fills = 1;
    }
    return fills;
}

static void check_map(struct vctx *v, jutsu_cfg_node *map, const struct jutsu_cfg_key *schema,
                      const char *prefix);

/* ---- scalars ---------------------------------------------------------- */

static void check_money(struct vctx *v, jutsu_cfg_node *n, const char *shown, const char *name,
                        const char *at)
{
    long len = (long)strlen(n->text);
    int rc = jutsu_money_parse(n->text, len, JUTSU_MONEY_EXACT, &n->m);
    if (rc == 0) {
        n->type = JUTSU_CFG_MONEY;
        return;
    }
    jutsu_money_t rounded;
    if (rc == JUTSU_ERANGE &&
        jutsu_money_parse(n->text, len, JUTSU_MONEY_HALF_EVEN, &rounded) == 0)
        report(v, at, "\"%s\" has more than 6 decimal places (key \"%s\" in %s)", shown, name,
               v->what);
    else if (rc == JUTSU_ERANGE)
        report(v, at, "\"%s\" is out of range for an amount of money (key \"%s\" in %s)", shown,
               name, v->what);
    else
        report(v, at, "\"%s\" is not an amount of money (key \"%s\" in %s)", shown, name,
               v->what);
}

static void check_enum(struct vctx *v, jutsu_cfg_node *n, const struct jutsu_cfg_key *k,
                       const char *shown, const char *name, const char *at)
{
    for (const char *const *c = k->choices; c && *c; c++)
        if (strcmp(*c, n->text) == 0) {
            n->type = JUTSU_CFG_ENUM;
            return;
        }
    char *choices = join(k->choices);
    report(v, at, "\"%s\" is not one of: %s (key \"%s\" in %s)", shown,
           choices ? choices : "?", name, v->what);
    free(choices);
}

/* A PATH value made absolute against the config's directory, so that the
 * file does not depend on where jutsu was started (jutsu/config.h); one
 * from the environment is the shell's, as it always was. Empty
 * means "none", and ":name" is no path (SQLite's :memory:): both are kept
 * for the plugin to judge. */
static void resolve_path(struct vctx *v, jutsu_cfg_node *n, const char *name)
{
    char *abs = NULL, at[256];
    if (n->text[0] == '\0' || n->text[0] == '/' || n->text[0] == ':')
        return;
    int rc = jutsu_cfg_path_join(n->from_env ? NULL : jutsu_cfg_dir(v->cfg), n->text, &abs);
    if (rc == JUTSU_ENOMEM) {
        v->rc = rc;
    } else if (rc != 0) {
        report(v, where(n, at), "\"%s\" is relative, and the working directory it would be "
               "taken from is unknown (key \"%s\" in %s)",
               (n->flags & JUTSU_CFG_SECRET) ? MASK : n->text, name, v->what);
    } else {
        free(n->text);
        n->text = abs;
        n->resolved = 1;
    }
}

/* Checks one scalar of scalar type `t` (the key's type, or a list's
 * element type) and stores its typed value. */
static void check_scalar(struct vctx *v, jutsu_cfg_node *n, uint32_t t,
                         const struct jutsu_cfg_key *k, const char *name)
{
    char at[256];
    const char *shown = (k->flags & JUTSU_CFG_SECRET) ? MASK : n->text;
    where(n, at);
    n->type = 0;    /* the typed reads below must parse the text */
    if (n->kind != JUTSU_CFG_NODE_SCALAR || n->is_null) {
        report(v, at, "expected %s, found %s (key \"%s\" in %s)", want_noun(t), kind_noun(n),
               name, v->what);
        return;
    }
    switch (t) {
    case JUTSU_CFG_INT:
        if (jutsu_cfg_int(n, NULL, &n->i) != 0)
            report(v, at, "\"%s\" is not an integer (key \"%s\" in %s)", shown, name, v->what);
        else if (k->min < k->max && (n->i < k->min || n->i > k->max))
            report(v, at, "%" PRId64 " is out of range %" PRId64 "..%" PRId64
                   " (key \"%s\" in %s)", n->i, k->min, k->max, name, v->what);
        else
            n->type = t;
        break;
    case JUTSU_CFG_BOOL: {
        int b;
        if (jutsu_cfg_bool(n, NULL, &b) != 0) {
            report(v, at, "\"%s\" is not true/false, yes/no or on/off (key \"%s\" in %s)",
                   shown, name, v->what);
        } else {
            n->i = b;
            n->type = t;
        }
        break;
    }
    case JUTSU_CFG_DOUBLE:
        if (jutsu_cfg_double(n, NULL, &n->d) != 0)
            report(v, at, "\"%s\" is not a number (key \"%s\" in %s)", shown, name, v->what);
        else
            n->type = t;
        break;
    case JUTSU_CFG_MONEY:
        check_money(v, n, shown, name, at);
        break;
    case JUTSU_CFG_ENUM:
        check_enum(v, n, k, shown, name, at);
        break;
    default:
        n->type = JUTSU_CFG_STR;
        if (k->flags & JUTSU_CFG_PATH)
            resolve_path(v, n, name);
        break;
    }
}

/* ---- defaults --------------------------------------------------------- */

static jutsu_cfg_node *default_scalar(struct vctx *v, jutsu_cfg_node *map,
                                      const struct jutsu_cfg_key *k, const char *name)
{
    int rc = jutsu_cfg_set(v->cfg, map, k->name, k->def, DEFAULT_FILE);
    jutsu_cfg_node *n = rc == 0 ? jutsu_cfg_map_get(map, k->name) : NULL;
    if (n == NULL) {
        v->rc = rc ? rc : JUTSU_ENOMEM;
        return NULL;
    }
    n->is_default = 1;
    n->quoted = 0;
    n->is_null = 0;
    n->flags = k->flags;
    check_scalar(v, n, k->type, k, name);
    return n;
}

/* Puts an empty map under `key` (replacing a null) and fills its defaults. */
static void default_map(struct vctx *v, jutsu_cfg_node *map, const struct jutsu_cfg_key *k,
                        const char *name)
{
    jutsu_cfg_node *m = jutsu_cfg_new_map(v->cfg, DEFAULT_FILE, 0, 0);
    int rc = m ? jutsu_cfg_set(v->cfg, map, k->name, "", DEFAULT_FILE) : JUTSU_ENOMEM;
    if (rc != 0) {
        v->rc = rc;
        return;
    }
    /* jutsu_cfg_set only makes scalars at the leaf; swap in the map */
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], k->name) == 0)
            map->items[i] = m;
    m->is_default = 1;
    m->type = JUTSU_CFG_MAP;
    m->flags = k->flags;
    char prefix[512];
    snprintf(prefix, sizeof(prefix), "%.500s.", name);
    check_map(v, m, k->sub, prefix);
}

/* ---- maps and lists --------------------------------------------------- */

static void check_list(struct vctx *v, jutsu_cfg_node *seq, const struct jutsu_cfg_key *k,
                       const char *name)
{
    uint32_t t = k->elem ? k->elem : JUTSU_CFG_STR;
    char at[256], elem[512];
    for (size_t j = 0; j < seq->n; j++) {
        jutsu_cfg_node *n = seq->items[j];
        snprintf(elem, sizeof(elem), "%.480s[%zu]", name, j);
        n->flags = k->flags;
        if (is_scalar_type(t)) {
            check_scalar(v, n, t, k, elem);
        } else if (t == JUTSU_CFG_MAP && n->kind != JUTSU_CFG_NODE_MAP) {
            report(v, where(n, at), "expected a map, found %s (key \"%s\" in %s)", kind_noun(n),
                   elem, v->what);
        } else if (t == JUTSU_CFG_LIST && n->kind != JUTSU_CFG_NODE_SEQ) {
            report(v, where(n, at), "expected a list, found %s (key \"%s\" in %s)",
                   kind_noun(n), elem, v->what);
        } else {
            n->type = t;
            if (t == JUTSU_CFG_MAP && k->sub) {
                size_t len = strlen(elem);
                snprintf(elem + len, sizeof(elem) - len, ".");
                check_map(v, n, k->sub, elem);
            }
        }
    }
}

/* A null value: the default if there is one, else it stays null. */
static void check_null(struct vctx *v, jutsu_cfg_node *map, size_t i,
                       const struct jutsu_cfg_key *k, const char *name)
{
    char at[256];
    jutsu_cfg_node *n = map->items[i];
    if (k->flags & JUTSU_CFG_REQUIRED)
        report(v, where(n, at), "required key \"%s\" in %s has no value", name, v->what);
    else if (k->def && is_scalar_type(k->type))
        default_scalar(v, map, k, name);
    else if (k->type == JUTSU_CFG_MAP && k->sub && wants_empty_map(k->sub))
        default_map(v, map, k, name);
    else {
        n->type = k->type;
        n->flags = k->flags;
    }
}

static void check_value(struct vctx *v, jutsu_cfg_node *map, size_t i,
                        const struct jutsu_cfg_key *k, const char *name)
{
    char at[256], prefix[512];
    jutsu_cfg_node *n = map->items[i];
    if (n->kind == JUTSU_CFG_NODE_SCALAR && n->is_null && k->type != JUTSU_CFG_ANY) {
        check_null(v, map, i, k, name);
        return;
    }
    n->flags = k->flags;
    if (is_scalar_type(k->type)) {
        check_scalar(v, n, k->type, k, name);
        return;
    }
    int want = k->type == JUTSU_CFG_MAP ? JUTSU_CFG_NODE_MAP
             : k->type == JUTSU_CFG_LIST ? JUTSU_CFG_NODE_SEQ : n->kind;
    if (n->kind != want) {
        report(v, where(n, at), "expected %s, found %s (key \"%s\" in %s)", want_noun(k->type),
               kind_noun(n), name, v->what);
        return;
    }
    n->type = k->type;
    if (k->type == JUTSU_CFG_MAP && k->sub) {
        snprintf(prefix, sizeof(prefix), "%.500s.", name);
        check_map(v, n, k->sub, prefix);
    } else if (k->type == JUTSU_CFG_LIST) {
        check_list(v, n, k, name);
    }
}

static void check_map(struct vctx *v, jutsu_cfg_node *map, const struct jutsu_cfg_key *schema,
                      const char *prefix)
{
    char at[256], name[512];
    for (size_t i = 0; i < map->n && v->rc == 0; i++) {
        const struct jutsu_cfg_key *k = find_key(schema, map->keys[i]);
        snprintf(name, sizeof(name), "%s%s", prefix, map->keys[i]);
        if (k != NULL) {
            check_value(v, map, i, k, name);
            continue;
        }
        char *allowed = join_keys(schema);
        report(v, key_where(map, i, at), "unknown key \"%s\" in %s; allowed: %s", name, v->what,
               allowed ? allowed : "?");
        free(allowed);
    }
    for (const struct jutsu_cfg_key *k = schema; k && k->name && v->rc == 0; k++) {
        if (jutsu_cfg_map_get(map, k->name) != NULL)
            continue;
        snprintf(name, sizeof(name), "%s%s", prefix, k->name);
        if (k->flags & JUTSU_CFG_REQUIRED)
            report(v, where(map, at), "missing required key \"%s\" in %s", name, v->what);
        else if (k->def && is_scalar_type(k->type))
            default_scalar(v, map, k, name);
        else if (k->type == JUTSU_CFG_MAP && k->sub && wants_empty_map(k->sub))
            default_map(v, map, k, name);
    }
}

int jutsu_cfg_validate(jutsu_cfg *cfg, jutsu_cfg_node *map,
                       const struct jutsu_cfg_key *schema, const char *what,
                       struct jutsu_diag *diag)
{
    struct vctx v = { .cfg = cfg, .what = what ? what : "the config", .diag = diag };
    char at[256];
    if (cfg == NULL || map == NULL)
        return JUTSU_EINVAL;
    if (map->kind != JUTSU_CFG_NODE_MAP) {
        report(&v, where(map, at), "expected a map of settings for %s, found %s", v.what,
               kind_noun(map));
        return JUTSU_ECONFIG;
    }
    map->type = JUTSU_CFG_MAP;
    check_map(&v, map, schema, "");
    if (v.rc != 0)
        return v.rc;
    return v.errors ? JUTSU_ECONFIG : 0;
}

/* ---- describing a schema ---------------------------------------------- */

static void type_label(const struct jutsu_cfg_key *k, char *buf, size_t size)
{
    if (k->type == JUTSU_CFG_LIST)
        snprintf(buf, size, "list[%s]", jutsu_cfg_type_name(k->elem ? k->elem : JUTSU_CFG_STR));
    else
        snprintf(buf, size, "%s", jutsu_cfg_type_name(k->type));
}

static const char *default_label(const struct jutsu_cfg_key *k)
{
    if (k->flags & JUTSU_CFG_REQUIRED)
        return "required";
    if (k->def == NULL)
        return "-";
    return (k->flags & JUTSU_CFG_SECRET) ? MASK : k->def;
}

/* The keys nested under k, if any, and the prefix they are shown with. */
static const struct jutsu_cfg_key *nested(const struct jutsu_cfg_key *k, const char *prefix,
                                          char *buf, size_t size)
{
    int list_of_maps = k->type == JUTSU_CFG_LIST && k->elem == JUTSU_CFG_MAP;
    if (k->sub == NULL || (k->type != JUTSU_CFG_MAP && !list_of_maps))
        return NULL;
    snprintf(buf, size, "%s%s%s.", prefix, k->name, list_of_maps ? "[]" : "");
    return k->sub;
}

struct widths {
    int key, type, def;
};

static void measure(const struct jutsu_cfg_key *schema, const char *prefix, struct widths *w)
{
    char type[64], sub[512];
    for (const struct jutsu_cfg_key *k = schema; k->name; k++) {
        int len = (int)(strlen(prefix) + strlen(k->name));
        type_label(k, type, sizeof(type));
        w->key = len > w->key ? len : w->key;
        w->type = (int)strlen(type) > w->type ? (int)strlen(type) : w->type;
        w->def = (int)strlen(default_label(k)) > w->def ? (int)strlen(default_label(k)) : w->def;
        const struct jutsu_cfg_key *s = nested(k, prefix, sub, sizeof(sub));
        if (s)
            measure(s, sub, w);
    }
}

static void print_rows(const struct jutsu_cfg_key *schema, const char *prefix,
                       const struct widths *w, FILE *out, int indent)
{
    char type[64], sub[512];
    for (const struct jutsu_cfg_key *k = schema; k->name; k++) {
        type_label(k, type, sizeof(type));
        fprintf(out, "%*s%s%-*s  %-*s  %-*s  %s", indent, "", prefix,
                w->key - (int)strlen(prefix), k->name, w->type, type, w->def, default_label(k),
                k->help ? k->help : "");
        if (k->type == JUTSU_CFG_ENUM || (k->type == JUTSU_CFG_LIST && k->elem == JUTSU_CFG_ENUM)) {
            char *choices = join(k->choices);
            fprintf(out, " (one of: %s)", choices ? choices : "?");
            free(choices);
        }
        if (k->min < k->max)
            fprintf(out, " (%" PRId64 "..%" PRId64 ")", k->min, k->max);
        fputc('\n', out);
        const struct jutsu_cfg_key *s = nested(k, prefix, sub, sizeof(sub));
        if (s)
            print_rows(s, sub, w, out, indent);
    }
}

void jutsu_cfg_schema_help(const struct jutsu_cfg_key *schema, FILE *out, int indent)
{
    struct widths w = { .key = 3, .type = 4, .def = 7 };    /* the header's words */
    if (schema == NULL)
        return;
    measure(schema, "", &w);
    fprintf(out, "%*s%-*s  %-*s  %-*s  %s\n", indent, "", w.key, "key", w.type, "type",
            w.def, "default", "help");
    print_rows(schema, "", &w, out, indent);
}

static int add(struct json_object *o, const char *key, struct json_object *val)
{
    return jutsu_json_add(o, key, val) != 0 ? JUTSU_ENOMEM : 0;
}

static struct json_object *key_json(const struct jutsu_cfg_key *k)
{
    struct json_object *o = json_object_new_object();
    int rc = o ? 0 : JUTSU_ENOMEM;
    if (rc == 0)
        rc = add(o, "name", json_object_new_string(k->name));
    if (rc == 0)
        rc = add(o, "type", json_object_new_string(jutsu_cfg_type_name(k->type)));
    if (rc == 0)
        rc = add(o, "required", json_object_new_boolean(!!(k->flags & JUTSU_CFG_REQUIRED)));
    if (rc == 0)
        rc = add(o, "secret", json_object_new_boolean(!!(k->flags & JUTSU_CFG_SECRET)));
    if (rc == 0 && k->def && !(k->flags & JUTSU_CFG_REQUIRED))
        rc = add(o, "default", json_object_new_string(default_label(k)));
    if (rc == 0)
        rc = add(o, "help", json_object_new_string(k->help ? k->help : ""));
    if (rc == 0 && k->type == JUTSU_CFG_LIST)
        rc = add(o, "elem", json_object_new_string(
                                jutsu_cfg_type_name(k->elem ? k->elem : JUTSU_CFG_STR)));
    if (rc == 0 && k->choices) {
        struct json_object *c = json_object_new_array();
        for (const char *const *p = k->choices; c && *p && rc == 0; p++) {
            struct json_object *s = json_object_new_string(*p);
            if (s == NULL || json_object_array_add(c, s) != 0) {
                json_object_put(s);
                rc = JUTSU_ENOMEM;
            }
        }
        if (rc == 0)
            rc = add(o, "choices", c);
        else
            json_object_put(c);
    }
    if (rc == 0 && k->min < k->max)
        rc = add(o, "min", json_object_new_int64(k->min));
    if (rc == 0 && k->min < k->max)
        rc = add(o, "max", json_object_new_int64(k->max));
    if (rc == 0 && k->sub)
        rc = add(o, "keys", jutsu_cfg_schema_json(k->sub));
    if (rc != 0) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

struct json_object *jutsu_cfg_schema_json(const struct jutsu_cfg_key *schema)
{
    struct json_object *a = json_object_new_array();
    for (const struct jutsu_cfg_key *k = schema; a && k && k->name; k++) {
        struct json_object *o = key_json(k);
        if (o == NULL || json_object_array_add(a, o) != 0) {
            json_object_put(o);
            json_object_put(a);
            return NULL;
        }
    }
    return a;
}
