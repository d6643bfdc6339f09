/*
 * core/config/cfg_tree.c — the configuration tree: reading YAML with libyaml,
 * ${VAR} expansion, lookup and edits. (Typed reads live in cfg_schema.c,
 * next to the validation that shares their parsing.)
 *
 * A small recursive builder walks libyaml's event stream and makes one
 * node per scalar, sequence and mapping, keeping libyaml's start mark
 * (0-based) as a 1-based line:col. Problems that do not derail the parser
 * (an unset ${VAR}, a duplicate key, an unknown alias) are all reported
 * before the load fails; a syntax error stops it.
 *
 * Every node and every file name belongs to the jutsu_cfg, in a flat
 * registry, not to the node's parent: callers swap or drop nodes in a map
 * (environment overrides, defaults, an instance's missing `config:`)
 * without anyone freeing twice or leaking. All of it goes at jutsu_cfg_free.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "jutsu/buf.h"
#include "jutsu/error.h"
#include "config/cfg.h"

/* An alias copies its anchor's tree, so a few lines of aliases of aliases
 * could ask for billions of nodes; no real config comes near this. */
#define MAX_NODES  100000
/* The builder recurses once per level; a hostile "[[[[..." must not
 * exhaust the stack. */
#define MAX_DEPTH  256
/* The largest config file read: a real one is a few KiB; the cap keeps
 * `-c /dev/zero` or a wrong path to a data file from eating memory. */
#define MAX_FILE_BYTES  (4 << 20)

struct jutsu_cfg {
    jutsu_cfg_node  *root;
    jutsu_cfg_node **nodes;         /* every node ever made */
    size_t           nnodes, capnodes;
    char           **names;         /* interned file / origin names */
    size_t           nnames;
    char            *dir;           /* relative PATH values start here; NULL: cwd */
};

/* ---- nodes ------------------------------------------------------------ */

static const char *intern(jutsu_cfg *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nnames; i++)
        if (strcmp(cfg->names[i], name) == 0)
            return cfg->names[i];
    char **names = realloc(cfg->names, (cfg->nnames + 1) * sizeof(*names));
    if (names == NULL)
        return NULL;
    cfg->names = names;
    if ((names[cfg->nnames] = strdup(name)) == NULL)
        return NULL;
    return names[cfg->nnames++];
}

static jutsu_cfg_node *node_new(jutsu_cfg *cfg, int kind, const char *file, int line, int col)
{
    if (cfg->nnodes == cfg->capnodes) {
        size_t cap = cfg->capnodes ? cfg->capnodes * 2 : 64;
        jutsu_cfg_node **v = realloc(cfg->nodes, cap * sizeof(*v));
        if (v == NULL)
            return NULL;
        cfg->nodes = v;
        cfg->capnodes = cap;
    }
    jutsu_cfg_node *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return NULL;
    n->kind = kind;
    n->file = file;
    n->line = line;
    n->col = col;
    cfg->nodes[cfg->nnodes++] = n;
    return n;
}

static void node_free(jutsu_cfg_node *n)
{
    if (n->keys)
        for (size_t i = 0; i < n->n; i++)
            free(n->keys[i]);
    free(n->keys);
    free(n->key_line);
    free(n->key_col);
    free(n->items);
    free(n->text);
    free(n);
}

/* Grows the arrays one slot at a time: configs are small, and a failed
 * realloc leaves the map as it was. */
static int map_append(jutsu_cfg_node *map, const char *key, size_t klen, int kline, int kcol,
                      jutsu_cfg_node *val)
{
    size_t n = map->n + 1;
    char *k = strndup(key, klen);
    char **keys = k ? realloc(map->keys, n * sizeof(*keys)) : NULL;
    if (keys)
        map->keys = keys;
    int *kl = keys ? realloc(map->key_line, n * sizeof(*kl)) : NULL;
    if (kl)
        map->key_line = kl;
    int *kc = kl ? realloc(map->key_col, n * sizeof(*kc)) : NULL;
    if (kc)
        map->key_col = kc;
    jutsu_cfg_node **items = kc ? realloc(map->items, n * sizeof(*items)) : NULL;
    if (items == NULL) {
        free(k);
        return JUTSU_ENOMEM;
    }
    map->items = items;
    map->keys[map->n] = k;
    map->key_line[map->n] = kline;
    map->key_col[map->n] = kcol;
    map->items[map->n++] = val;
    return 0;
}

static int seq_append(jutsu_cfg_node *seq, jutsu_cfg_node *val)
{
    jutsu_cfg_node **items = realloc(seq->items, (seq->n + 1) * sizeof(*items));
    if (items == NULL)
        return JUTSU_ENOMEM;
    seq->items = items;
    seq->items[seq->n++] = val;
    return 0;
}

static long map_find(const jutsu_cfg_node *map, const char *key, size_t len)
{
    if (map == NULL || map->kind != JUTSU_CFG_NODE_MAP)
        return -1;
    for (size_t i = 0; i < map->n; i++)
        if (strncmp(map->keys[i], key, len) == 0 && map->keys[i][len] == '\0')
            return (long)i;
    return -1;
}

static int looks_null(const char *s)
{
    return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* ---- ${VAR} expansion ------------------------------------------------- */

/* The expanded text; `oom` once an allocation failed. */
struct sbuf {
    struct jutsu_buf b;
    int              oom;
};

static void sb_put(struct sbuf *o, const char *s, size_t n)
{
    if (!o->oom && jutsu_buf_append(&o->b, s, n, SIZE_MAX) != 0)
        o->oom = 1;
}

struct anchor {
    char           *name;
    jutsu_cfg_node *node;
};

struct builder {
    jutsu_cfg          *cfg;
    yaml_parser_t       parser;
    const char         *file;
    const char         *text;       /* the input, for where a reader error is */
    size_t              len;
    struct jutsu_diag  *diag;
    struct anchor      *anchors;
    size_t              nanchors;
    int                 errors;     /* reported, parsing goes on */
};

/* One ${NAME} or ${NAME:-default} at s (which starts with "${" and has a
 * '}' at close). Problems are reported and the reference expands to "". */
static void expand_ref(struct builder *b, struct sbuf *o, const char *s, const char *close,
                       int line, int col)
{
    const char *name = s + 2, *p = name;
    while (p < close && (isalnum((unsigned char)*p) || *p == '_'))
        p++;
    size_t len = (size_t)(p - name);
    int has_def = close - p >= 2 && p[0] == ':' && p[1] == '-';
    char var[256];
    if (len == 0 || len >= sizeof(var) || isdigit((unsigned char)*name) ||
        (p < close && !has_def)) {
        jutsu_diag_add(b->diag, "%s:%d:%d: bad variable reference \"%.*s\" "
                       "(use ${NAME} or ${NAME:-default}; \"$$\" is a literal $)",
                       b->file, line, col, (int)(close + 1 - s), s);
        b->errors++;
        return;
    }
    memcpy(var, name, len);
    var[len] = '\0';
    const char *val = getenv(var);
    if (has_def && (val == NULL || *val == '\0'))
        sb_put(o, p + 2, (size_t)(close - p - 2));
    else if (val != NULL)
        sb_put(o, val, strlen(val));
    else {
        jutsu_diag_add(b->diag, "%s:%d:%d: environment variable %s is not set "
                       "(write ${%s:-default} to give a default)", b->file, line, col, var, var);
        b->errors++;
    }
}

static int expand(struct builder *b, const char *s, size_t len, int line, int col, char **out)
{
    struct sbuf o = { 0 };
    const char *end = s + len;
    sb_put(&o, "", 0);
    while (s < end) {
        const char *dollar = memchr(s, '$', (size_t)(end - s));
        if (dollar == NULL || dollar + 1 == end) {
            sb_put(&o, s, (size_t)(end - s));
            break;
        }
        sb_put(&o, s, (size_t)(dollar - s));
        if (dollar[1] == '$') {
            sb_put(&o, "$", 1);
            s = dollar + 2;
        } else if (dollar[1] != '{') {
            sb_put(&o, "$", 1);
            s = dollar + 1;
        } else {
            const char *close = memchr(dollar, '}', (size_t)(end - dollar));
            if (close == NULL) {
                jutsu_diag_add(b->diag, "%s:%d:%d: \"${\" without a closing \"}\" "
                               "(\"$$\" is a literal $)", b->file, line, col);
                b->errors++;
                break;
            }
            expand_ref(b, &o, dollar, close, line, col);
            s = close + 1;
        }
    }
    if (o.oom) {
        jutsu_buf_free(&o.b);
        return JUTSU_ENOMEM;
    }
    *out = o.b.p;
    return 0;
}

/* ---- the builder ------------------------------------------------------ */

static int build(struct builder *b, yaml_event_t *ev, int depth, int is_key,
                 jutsu_cfg_node **out);

/* libyaml's reader stops before it has counted lines, and gives a byte
 * offset only; a person (and an editor's "go to") wants line and column.
 * Columns count characters, as libyaml's marks do: the bytes before the
 * offset are valid UTF-8, or the reader would have stopped sooner. */
static void offset_to_mark(const char *text, size_t len, size_t off, size_t *line,
                           size_t *col)
{
    size_t i = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;  /* not a column */
    *line = 1;
    *col = 1;
    for (; i < off && i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n' || (c == '\r' && (i + 1 >= len || text[i + 1] != '\n'))) {
            ++*line;
            *col = 1;
        } else if ((c & 0xC0) != 0x80 && c != '\r') {
            ++*col;
        }
    }
}

/* A reader error (bytes that are not text) as FILE:LINE:COL and what the
 * byte was, in words. */
static void reader_error(struct builder *b)
{
    yaml_parser_t *p = &b->parser;
    size_t off = p->problem_offset, line, col;
    const char *problem = p->problem ? p->problem : "unreadable input";
    if (p->encoding != YAML_UTF8_ENCODING || b->text == NULL || off >= b->len) {
        /* UTF-16 input, or the end of the input: no byte to show */
        jutsu_diag_add(b->diag, "%s: %s at byte %zu", b->file, problem, off);
        return;
    }
    unsigned char c = (unsigned char)b->text[off];
    offset_to_mark(b->text, b->len, off, &line, &col);
    if (c == 0)
        jutsu_diag_add(b->diag, "%s:%zu:%zu: NUL byte (byte %zu): a config file is text; "
                       "is it a binary file, or UTF-16 without a byte order mark?",
                       b->file, line, col, off);
    else if (strcmp(problem, "control characters are not allowed") == 0)
        jutsu_diag_add(b->diag, "%s:%zu:%zu: control character U+%04X (byte %zu) is not "
                       "allowed in YAML", b->file, line, col, (unsigned)p->problem_value, off);
    else
        jutsu_diag_add(b->diag, "%s:%zu:%zu: not UTF-8: byte 0x%02X (byte %zu; %s); save the "
                       "file as UTF-8 (Latin-1 or Windows-1252 text looks like this)",
                       b->file, line, col, c, off, problem);
}

static int syntax_error(struct builder *b)
{
    yaml_parser_t *p = &b->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return JUTSU_ENOMEM;
    if (p->error == YAML_READER_ERROR)
        reader_error(b);
    else if (p->context)
        jutsu_diag_add(b->diag, "%s:%zu:%zu: %s (%s at line %zu)", b->file,
                       p->problem_mark.line + 1, p->problem_mark.column + 1, p->problem,
                       p->context, p->context_mark.line + 1);
    else
        jutsu_diag_add(b->diag, "%s:%zu:%zu: %s", b->file, p->problem_mark.line + 1,
                       p->problem_mark.column + 1, p->problem ? p->problem : "invalid YAML");
    return JUTSU_ECONFIG;
}

static int next(struct builder *b, yaml_event_t *ev)
{
    return yaml_parser_parse(&b->parser, ev) ? 0 : syntax_error(b);
}

static int copy_tree(struct builder *b, const jutsu_cfg_node *src, jutsu_cfg_node **out)
{
    if (b->cfg->nnodes >= MAX_NODES) {
        jutsu_diag_add(b->diag, "%s: aliases expand to more than %d nodes", b->file, MAX_NODES);
        return JUTSU_ECONFIG;
    }
    jutsu_cfg_node *n = node_new(b->cfg, src->kind, src->file, src->line, src->col);
    if (n == NULL || (src->text && (n->text = strdup(src->text)) == NULL))
        return JUTSU_ENOMEM;
    n->quoted = src->quoted;
    n->is_null = src->is_null;
    for (size_t i = 0; i < src->n; i++) {
        jutsu_cfg_node *c;
        int rc = copy_tree(b, src->items[i], &c);
        if (rc == 0)
            rc = n->kind == JUTSU_CFG_NODE_MAP
                 ? map_append(n, src->keys[i], strlen(src->keys[i]), src->key_line[i],
                              src->key_col[i], c)
                 : seq_append(n, c);
        if (rc != 0)
            return rc;
    }
    *out = n;
    return 0;
}

static int alias(struct builder *b, const yaml_event_t *ev, int line, int col,
                 jutsu_cfg_node **out)
{
    const char *name = (const char *)ev->data.alias.anchor;
    for (size_t i = b->nanchors; i-- > 0;)
        if (strcmp(b->anchors[i].name, name) == 0)
            return copy_tree(b, b->anchors[i].node, out);
    jutsu_diag_add(b->diag, "%s:%d:%d: unknown anchor \"%s\" (an alias *%s must come after "
                   "the complete &%s node)", b->file, line, col, name, name, name);
    b->errors++;
    jutsu_cfg_node *n = node_new(b->cfg, JUTSU_CFG_NODE_SCALAR, b->file, line, col);
    if (n == NULL || (n->text = strdup("")) == NULL)
        return JUTSU_ENOMEM;
    n->is_null = 1;
    *out = n;
    return 0;
}

static int remember(struct builder *b, const char *name, jutsu_cfg_node *node)
{
    struct anchor *a = realloc(b->anchors, (b->nanchors + 1) * sizeof(*a));
    if (a == NULL)
        return JUTSU_ENOMEM;
    b->anchors = a;
    if ((a[b->nanchors].name = strdup(name)) == NULL)
        return JUTSU_ENOMEM;
    a[b->nanchors++].node = node;
    return 0;
}

static int scalar(struct builder *b, const yaml_event_t *ev, int is_key, int line, int col,
                  jutsu_cfg_node **out)
{
    const char *v = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    size_t len = ev->data.scalar.length;
    jutsu_cfg_node *n = node_new(b->cfg, JUTSU_CFG_NODE_SCALAR, b->file, line, col);
    if (n == NULL)
        return JUTSU_ENOMEM;
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
                (tag && strcmp(tag, YAML_STR_TAG) == 0);
    /* keys are names, not values: no ${} in them */
    if (is_key) {
        if ((n->text = strndup(v, len)) == NULL)
            return JUTSU_ENOMEM;
    } else {
        int rc = expand(b, v, len, line, col, &n->text);
        if (rc != 0)
            return rc;
    }
    n->is_null = !n->quoted && looks_null(n->text);
    *out = n;
    return 0;
}

static int sequence(struct builder *b, int depth, int line, int col, jutsu_cfg_node **out)
{
    jutsu_cfg_node *seq = node_new(b->cfg, JUTSU_CFG_NODE_SEQ, b->file, line, col);
    if (seq == NULL)
        return JUTSU_ENOMEM;
    for (;;) {
        yaml_event_t ev;
        jutsu_cfg_node *item;
        int rc = next(b, &ev);
        if (rc != 0)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if ((rc = build(b, &ev, depth + 1, 0, &item)) != 0 || (rc = seq_append(seq, item)) != 0)
            return rc;
    }
    *out = seq;
    return 0;
}

static int map_add(struct builder *b, jutsu_cfg_node *map, const jutsu_cfg_node *key,
                   jutsu_cfg_node *val)
{
    if (key->kind != JUTSU_CFG_NODE_SCALAR) {
        jutsu_diag_add(b->diag, "%s:%d:%d: a key must be a single value, not a %s", b->file,
                       key->line, key->col, key->kind == JUTSU_CFG_NODE_MAP ? "map" : "list");
        b->errors++;
        return 0;
    }
    if (!key->quoted && strcmp(key->text, "<<") == 0) {
        jutsu_diag_add(b->diag, "%s:%d:%d: merge keys (\"<<\") are not supported; "
                       "write the keys out (an alias *name may still stand for a whole value)",
                       b->file, key->line, key->col);
        b->errors++;
        return 0;
    }
    long first = map_find(map, key->text, strlen(key->text));
    if (first >= 0) {
        jutsu_diag_add(b->diag, "%s:%d:%d: duplicate key \"%s\" (first at line %d)", b->file,
                       key->line, key->col, key->text, map->key_line[first]);
        b->errors++;
        return 0;
    }
    return map_append(map, key->text, strlen(key->text), key->line, key->col, val);
}

static int mapping(struct builder *b, int depth, int line, int col, jutsu_cfg_node **out)
{
    jutsu_cfg_node *map = node_new(b->cfg, JUTSU_CFG_NODE_MAP, b->file, line, col);
    if (map == NULL)
        return JUTSU_ENOMEM;
    for (;;) {
        yaml_event_t ev;
        jutsu_cfg_node *key, *val;
        int rc = next(b, &ev);
        if (rc != 0)
            return rc;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if ((rc = build(b, &ev, depth + 1, 1, &key)) != 0 || (rc = next(b, &ev)) != 0 ||
            (rc = build(b, &ev, depth + 1, 0, &val)) != 0 || (rc = map_add(b, map, key, val)) != 0)
            return rc;
    }
    *out = map;
    return 0;
}

/* Builds the node that starts with *ev, consuming the events up to its
 * end; deletes *ev. */
static int build(struct builder *b, yaml_event_t *ev, int depth, int is_key,
                 jutsu_cfg_node **out)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    const yaml_char_t *anchor = NULL;
    int rc;

    if (depth > MAX_DEPTH) {
        jutsu_diag_add(b->diag, "%s:%d:%d: nested more than %d levels deep", b->file, line, col,
                       MAX_DEPTH);
        yaml_event_delete(ev);
        return JUTSU_ECONFIG;
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        rc = alias(b, ev, line, col, out);
        break;
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        rc = scalar(b, ev, is_key, line, col, out);
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        rc = sequence(b, depth, line, col, out);
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        rc = mapping(b, depth, line, col, out);
        break;
    default:    /* libyaml only hands us the above inside a document */
        jutsu_diag_add(b->diag, "%s:%d:%d: unexpected YAML event %d", b->file, line, col,
                       (int)ev->type);
        rc = JUTSU_ECONFIG;
        break;
    }
    if (rc == 0 && anchor != NULL)
        rc = remember(b, (const char *)anchor, *out);
    yaml_event_delete(ev);
    return rc;
}

/* Drops the next event, which libyaml guarantees is of `type`. */
static int skip(struct builder *b, yaml_event_type_t type)
{
    yaml_event_t ev;
    int rc = next(b, &ev);
    if (rc != 0)
        return rc;
    if (ev.type != type) {
        jutsu_diag_add(b->diag, "%s:%zu:%zu: unexpected YAML event %d", b->file,
                       ev.start_mark.line + 1, ev.start_mark.column + 1, (int)ev.type);
        rc = JUTSU_ECONFIG;
    }
    yaml_event_delete(&ev);
    return rc;
}

static int read_document(struct builder *b)
{
    yaml_event_t ev;
    jutsu_cfg_node *root;
    int rc;

    if ((rc = skip(b, YAML_STREAM_START_EVENT)) != 0 || (rc = next(b, &ev)) != 0)
        return rc;
    int empty = ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);     /* the document start, or the end of an empty file */
    if (empty) {
        b->cfg->root = node_new(b->cfg, JUTSU_CFG_NODE_MAP, b->file, 1, 1);
        return b->cfg->root ? 0 : JUTSU_ENOMEM;
    }
    if ((rc = next(b, &ev)) != 0 || (rc = build(b, &ev, 0, 0, &root)) != 0)
        return rc;
    if (root->kind == JUTSU_CFG_NODE_SCALAR && root->is_null) {
        if ((root = node_new(b->cfg, JUTSU_CFG_NODE_MAP, b->file, root->line, root->col)) == NULL)
            return JUTSU_ENOMEM;
    } else if (root->kind != JUTSU_CFG_NODE_MAP) {
        jutsu_diag_add(b->diag, "%s:%d:%d: the top level of a config file must be a map "
                       "(key: value lines), not %s", b->file, root->line, root->col,
                       root->kind == JUTSU_CFG_NODE_SEQ ? "a list" : "a single value");
        return JUTSU_ECONFIG;
    }
    b->cfg->root = root;
    if ((rc = skip(b, YAML_DOCUMENT_END_EVENT)) != 0 || (rc = next(b, &ev)) != 0)
        return rc;
    if (ev.type != YAML_STREAM_END_EVENT) {
        jutsu_diag_add(b->diag, "%s:%zu:%zu: only one YAML document is allowed in a config file",
                       b->file, ev.start_mark.line + 1, ev.start_mark.column + 1);
        rc = JUTSU_ECONFIG;
    }
    yaml_event_delete(&ev);
    return rc;
}

/* ---- loading ---------------------------------------------------------- */

int jutsu_cfg_new(jutsu_cfg **out)
{
    jutsu_cfg *cfg = calloc(1, sizeof(*cfg));
    *out = NULL;
    if (cfg == NULL)
        return JUTSU_ENOMEM;
    if ((cfg->root = jutsu_cfg_new_map(cfg, "(new)", 0, 0)) == NULL) {
        jutsu_cfg_free(cfg);
        return JUTSU_ENOMEM;
    }
    *out = cfg;
    return 0;
}

void jutsu_cfg_free(jutsu_cfg *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->nnodes; i++)
        node_free(cfg->nodes[i]);
    for (size_t i = 0; i < cfg->nnames; i++)
        free(cfg->names[i]);
    free(cfg->nodes);
    free(cfg->names);
    free(cfg->dir);
    free(cfg);
}

const char *jutsu_cfg_dir(const jutsu_cfg *cfg)
{
    return cfg ? cfg->dir : NULL;
}

int jutsu_cfg_set_dir(jutsu_cfg *cfg, const char *dir)
{
    if (cfg == NULL || dir == NULL || *dir != '/')
        return JUTSU_EINVAL;
    char *copy = strdup(dir);
    if (copy == NULL)
        return JUTSU_ENOMEM;
    free(cfg->dir);
    cfg->dir = copy;
    return 0;
}

int jutsu_cfg_load_string(const char *name, const char *text, size_t len,
                          jutsu_cfg **out, struct jutsu_diag *diag)
{
    struct builder b = { .diag = diag };
    int rc;

    *out = NULL;
    if ((rc = jutsu_cfg_new(&b.cfg)) != 0)
        return rc;
    if ((b.file = intern(b.cfg, name)) == NULL || !yaml_parser_initialize(&b.parser)) {
        jutsu_cfg_free(b.cfg);
        return JUTSU_ENOMEM;
    }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
    b.text = text;
    b.len = len;
    /* not from a file: relative paths are the shell's, as they always
     * were for a config given as text (tests, built-in defaults); without
     * a working directory they are resolved (and fail) at validation */
    b.cfg->dir = getcwd(NULL, 0);
    rc = read_document(&b);
    if (rc == 0 && b.errors > 0)
        rc = JUTSU_ECONFIG;
    yaml_parser_delete(&b.parser);
    for (size_t i = 0; i < b.nanchors; i++)
        free(b.anchors[i].name);
    free(b.anchors);
    if (rc != 0) {
        jutsu_cfg_free(b.cfg);
        return rc;
    }
    *out = b.cfg;
    return 0;
}

/* What kind of file a non-regular one is, for the message. */
static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode) ? "a directory" : S_ISCHR(mode) ? "a character device"
         : S_ISBLK(mode) ? "a block device" : S_ISFIFO(mode) ? "a pipe"
         : S_ISSOCK(mode) ? "a socket" : "not a file";
}

/* Reads a config file whole. Only a regular file of at most
 * MAX_FILE_BYTES is read: `-c /dev/zero` would otherwise grow the buffer
 * until memory runs out, and a pipe or FIFO could block for ever. It is
 * opened O_NONBLOCK so that opening a FIFO does not wait for a writer
 * before the check refuses it. The size is checked again while reading,
 * as the file may grow after fstat. */
static int read_all(const char *path, char **text, size_t *len, struct jutsu_diag *diag)
{
    struct stat st;
    char *buf = NULL;
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0)
        goto fail;
    if (!S_ISREG(st.st_mode)) {
        jutsu_diag_add(diag, "%s: not a regular file (%s): a config file is a YAML file",
                       path, file_kind(st.st_mode));
        close(fd);
        return JUTSU_ECONFIG;
    }
    if (st.st_size > MAX_FILE_BYTES)
        goto too_big;
    /* one byte more than the limit, to see a file that grew past it */
    size_t cap = (size_t)st.st_size < MAX_FILE_BYTES ? (size_t)st.st_size + 1
                                                     : (size_t)MAX_FILE_BYTES + 1;
    if ((buf = malloc(cap + 1)) == NULL) {
        close(fd);
        return JUTSU_ENOMEM;
    }
    for (;;) {
        if (n == cap) {
            if (cap > MAX_FILE_BYTES)
                goto too_big;
            size_t ncap = cap * 2 < (size_t)MAX_FILE_BYTES + 1 ? cap * 2
                                                               : (size_t)MAX_FILE_BYTES + 1;
            char *p = realloc(buf, ncap + 1);
            if (p == NULL) {
                free(buf);
                close(fd);
                return JUTSU_ENOMEM;
            }
            buf = p;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            goto fail;
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
too_big:
    jutsu_diag_add(diag, "%s: larger than %d MiB, the most a config file may be", path,
                   MAX_FILE_BYTES >> 20);
    free(buf);
    close(fd);
    return JUTSU_ECONFIG;
fail:
    jutsu_diag_add(diag, "%s: cannot read the config file: %s", path, strerror(errno));
    free(buf);
    if (fd >= 0)
        close(fd);
    return JUTSU_EIO;
}

/* Nonzero if text holds no YAML at all: only blanks, line ends, comments
 * and a byte order mark. */
static int no_content(const char *text, size_t len)
{
    size_t i = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len) {
        if (text[i] == '#') {
            while (i < len && text[i] != '\n')
                i++;
        } else if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
            i++;
        } else {
            return 0;
        }
    }
    return 1;
}

int jutsu_cfg_load_file(const char *path, jutsu_cfg **out, struct jutsu_diag *diag)
{
    char *text, *dir = NULL;
    size_t len;
    *out = NULL;
    int rc = read_all(path, &text, &len, diag);
    if (rc != 0)
        return rc;
    /* Nothing in docs/config.md makes an empty file mean "every default"
     * (which would be a host with no database and no plugins): an empty
     * file is far more often a failed copy or the wrong path. `{}` asks
     * for the defaults explicitly. */
    if (no_content(text, len)) {
        jutsu_diag_add(diag, "%s: the config file is empty (no settings, only blank lines "
                       "or comments); write {} to mean every default", path);
        free(text);
        return JUTSU_ECONFIG;
    }
    /* the file was just read, so its directory can be found */
    rc = jutsu_cfg_file_dir(path, &dir, diag);
    if (rc == 0)
        rc = jutsu_cfg_load_string(path, text, len, out, diag);
    free(text);
    if (rc == 0) {
        free((*out)->dir);
        (*out)->dir = dir;
    } else {
        free(dir);
    }
    return rc;
}

/* ---- lookup and edits ------------------------------------------------- */

jutsu_cfg_node *jutsu_cfg_root(jutsu_cfg *cfg)
{
    return cfg ? cfg->root : NULL;
}

jutsu_cfg_node *jutsu_cfg_map_get(const jutsu_cfg_node *map, const char *key)
{
    long i = key ? map_find(map, key, strlen(key)) : -1;
    return i < 0 ? NULL : map->items[i];
}

/* One step of a path: "[n]" into a sequence or "key" into a map. */
static jutsu_cfg_node *step(jutsu_cfg_node *cur, const char **pp)
{
    const char *p = *pp;
    if (*p == '[') {
        char *end;
        if (cur->kind != JUTSU_CFG_NODE_SEQ || !isdigit((unsigned char)p[1]))
            return NULL;
        errno = 0;
        unsigned long long idx = strtoull(p + 1, &end, 10);
        if (*end != ']' || errno || idx >= cur->n)
            return NULL;
        *pp = end + 1;
        return cur->items[idx];
    }
    size_t len = strcspn(p, ".[");
    long i = len ? map_find(cur, p, len) : -1;
    *pp = p + len;
    return i < 0 ? NULL : cur->items[i];
}

jutsu_cfg_node *jutsu_cfg_get(jutsu_cfg_node *node, const char *path)
{
    const char *p = path;
    if (node == NULL || p == NULL)
        return node;
    while (*p && node) {
        node = step(node, &p);
        if (node && *p == '.' && *++p == '\0')
            return NULL;    /* "a." */
    }
    return node;
}

/* Replaces the value under key (keeping where the key was written), or
 * adds the key at the end. */
static int put(jutsu_cfg_node *map, const char *key, size_t len, jutsu_cfg_node *val)
{
    long i = map_find(map, key, len);
    if (i >= 0) {
        map->items[i] = val;
        return 0;
    }
    return map_append(map, key, len, 0, 0, val);
}

int jutsu_cfg_set(jutsu_cfg *cfg, jutsu_cfg_node *root, const char *path,
                  const char *text, const char *origin)
{
    if (cfg == NULL || root == NULL || path == NULL || text == NULL ||
        root->kind != JUTSU_CFG_NODE_MAP)
        return JUTSU_EINVAL;
    /* reject an empty step before changing anything */
    if (*path == '\0' || *path == '.' || path[strlen(path) - 1] == '.' || strstr(path, ".."))
        return JUTSU_EINVAL;
    const char *file = intern(cfg, origin ? origin : "(set)");
    if (file == NULL)
        return JUTSU_ENOMEM;
    for (jutsu_cfg_node *cur = root;;) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        long i = map_find(cur, path, len);
        if (dot && i >= 0 && cur->items[i]->kind == JUTSU_CFG_NODE_MAP) {
            cur = cur->items[i];
            path = dot + 1;
            continue;
        }
        /* a missing step, or a value in the way of one, becomes a map */
        int kind = dot ? JUTSU_CFG_NODE_MAP : JUTSU_CFG_NODE_SCALAR;
        jutsu_cfg_node *val = node_new(cfg, kind, file, 0, 0);
        if (val == NULL || (!dot && (val->text = strdup(text)) == NULL))
            return JUTSU_ENOMEM;
        /* an override is a literal value; only an empty one means "unset" */
        val->is_null = !dot && *text == '\0';
        val->quoted = !dot && *text != '\0';
        int rc = put(cur, path, len, val);
        if (rc != 0 || !dot)
            return rc;
        cur = val;
        path = dot + 1;
    }
}

int jutsu_cfg_unset(jutsu_cfg_node *map, const char *key)
{
    long i = key ? map_find(map, key, strlen(key)) : -1;
    if (i < 0)
        return JUTSU_ENOENT;
    size_t rest = map->n - (size_t)i - 1;
    free(map->keys[i]);
    memmove(map->keys + i, map->keys + i + 1, rest * sizeof(*map->keys));
    memmove(map->key_line + i, map->key_line + i + 1, rest * sizeof(*map->key_line));
    memmove(map->key_col + i, map->key_col + i + 1, rest * sizeof(*map->key_col));
    memmove(map->items + i, map->items + i + 1, rest * sizeof(*map->items));
    map->n--;
    return 0;
}

jutsu_cfg_node *jutsu_cfg_new_map(jutsu_cfg *cfg, const char *file, int line, int col)
{
    const char *name = intern(cfg, file ? file : "(none)");
    return name ? node_new(cfg, JUTSU_CFG_NODE_MAP, name, line, col) : NULL;
}

const char *jutsu_cfg_where(const jutsu_cfg_node *node, char *buf, size_t size)
{
    if (size == 0)
        return "";
    if (node == NULL)
        snprintf(buf, size, "(unknown)");
    else if (node->line > 0)
        snprintf(buf, size, "%s:%d:%d", node->file, node->line, node->col);
    else
        snprintf(buf, size, "%s", node->file ? node->file : "(unknown)");
    return buf;
}
