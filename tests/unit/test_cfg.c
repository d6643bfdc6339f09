/*
 * tests/unit/test_cfg.c — the configuration tree: loading, ${} expansion,
 * lookup and edits, schema validation (exact messages and positions),
 * defaults, YAML/JSON output and secret masking, schema help, boolean
 * spellings, filling a plugin's config struct (jutsu_cfg_fill), and paths:
 * made absolute against the config file's directory, then looked for on
 * disk as `config check` does.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "config/cfg.h"
#include "host/loader.h"
#include "testutil.h"

/* struct jutsu_cfg_key as ABI 1.0 declared it. Schemas are arrays, so 1.1
 * must keep its size and every old field where it was; `offset` and
 * `values` took the places of reserved0 and reserved[0]. */
struct cfg_key_1_0 {
    const char *name;
    uint32_t    type, flags;
    const char *def, *help;
    const char *const *choices;
    const struct jutsu_cfg_key *sub;
    uint32_t    elem, reserved0;
    int64_t     min, max;
    const void *reserved[2];
};
#define SAME_PLACE(new_field, old_field) \
    _Static_assert(offsetof(struct jutsu_cfg_key, new_field) == \
                   offsetof(struct cfg_key_1_0, old_field), #new_field " moved")
_Static_assert(sizeof(struct jutsu_cfg_key) == sizeof(struct cfg_key_1_0),
               "struct jutsu_cfg_key changed size within ABI major 1");
SAME_PLACE(name, name);
SAME_PLACE(type, type);
SAME_PLACE(flags, flags);
SAME_PLACE(def, def);
SAME_PLACE(help, help);
SAME_PLACE(choices, choices);
SAME_PLACE(sub, sub);
SAME_PLACE(elem, elem);
SAME_PLACE(offset, reserved0);
SAME_PLACE(min, min);
SAME_PLACE(max, max);
SAME_PLACE(values, reserved[0]);
SAME_PLACE(reserved[0], reserved[1]);

#define WHAT "test config"

static const char *const policies[] = { "block", "drop_newest", NULL };

static const struct jutsu_cfg_key db_schema[] = {
    JUTSU_CFG_REQ("path", JUTSU_CFG_STR, "Database file"),
    JUTSU_CFG_INT_RANGE("busy_timeout_ms", "5000", 0, 60000, "How long to wait for a lock"),
    { .name = "password", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_SECRET,
      .help = "Encryption key" },
    JUTSU_CFG_END
};

static const struct jutsu_cfg_key feed_schema[] = {
    JUTSU_CFG_REQ("symbol", JUTSU_CFG_STR, "Ticker"),
    JUTSU_CFG_KEY("weight", JUTSU_CFG_DOUBLE, "1.0", "Share of the portfolio"),
    JUTSU_CFG_END
};

static const struct jutsu_cfg_key log_schema[] = {
    JUTSU_CFG_KEY("level", JUTSU_CFG_STR, "info", "Least severe level written"),
    JUTSU_CFG_KEY("color", JUTSU_CFG_BOOL, "no", "Colour the output"),
    JUTSU_CFG_END
};

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_INT_RANGE("port", "8080", 1, 65535, "TCP port"),
    JUTSU_CFG_KEY("verbose", JUTSU_CFG_BOOL, "false", "Say more"),
    JUTSU_CFG_KEY("ratio", JUTSU_CFG_DOUBLE, "0.5", "A ratio"),
    JUTSU_CFG_KEY("cash", JUTSU_CFG_MONEY, "100000", "Starting cash"),
    { .name = "policy", .type = JUTSU_CFG_ENUM, .def = "block", .choices = policies,
      .help = "What to do when full" },
    { .name = "db", .type = JUTSU_CFG_MAP, .sub = db_schema, .help = "Storage" },
    { .name = "log", .type = JUTSU_CFG_MAP, .sub = log_schema, .help = "Logging" },
    { .name = "symbols", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR, .help = "Tickers" },
    { .name = "feeds", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_MAP, .sub = feed_schema,
      .help = "Data feeds" },
    JUTSU_CFG_KEY("extra", JUTSU_CFG_ANY, NULL, "Free-form"),
    JUTSU_CFG_END
};

static char *fixture(const char *name)
{
    char *path = NULL;
    ck_assert_int_gt(asprintf(&path, "%s/tests/fixtures/config/%s", tu_source_dir(), name), 0);
    return path;
}

static jutsu_cfg *load_ok(const char *text)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = NULL;
    jutsu_diag_init(&d);
    int rc = jutsu_cfg_load_string("t.yaml", text, strlen(text), &cfg, &d);
    ck_assert_msg(rc == 0, "load: %d, %s", rc, d.n ? jutsu_diag_line(&d, 0) : "");
    jutsu_diag_free(&d);
    return cfg;
}

/* Loading fails with exactly one message, `want`. */
static void load_fails(const char *text, const char *want)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = NULL;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_load_string("t.yaml", text, strlen(text), &cfg, &d),
                     JUTSU_ECONFIG);
    ck_assert_ptr_null(cfg);
    ck_assert_uint_eq(jutsu_diag_count(&d), 1);
    ck_assert_str_eq(jutsu_diag_line(&d, 0), want);
    jutsu_diag_free(&d);
}

/* Loads, validates against `schema`, expects exactly one message `want`. */
static void invalid(const char *text, const char *want)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = load_ok(text);
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), schema, WHAT, &d),
                     JUTSU_ECONFIG);
    ck_assert_msg(jutsu_diag_count(&d) == 1, "%zu lines, first: %s", jutsu_diag_count(&d),
                  jutsu_diag_line(&d, 0));
    ck_assert_str_eq(jutsu_diag_line(&d, 0), want);
    jutsu_diag_free(&d);
    jutsu_cfg_free(cfg);
}

static jutsu_cfg *valid_cfg(int validate)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = NULL;
    char *path = fixture("valid.yaml");
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_load_file(path, &cfg, &d), 0);
    if (validate)
        ck_assert_int_eq(jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), schema, WHAT, &d), 0);
    ck_assert_uint_eq(jutsu_diag_count(&d), 0);
    jutsu_diag_free(&d);
    free(path);
    return cfg;
}

static char *where(jutsu_cfg_node *root, const char *path)
{
    static char buf[512];
    return (char *)jutsu_cfg_where(jutsu_cfg_get(root, path), buf, sizeof(buf));
}

/* ---- loading and lookup ------------------------------------------------ */

START_TEST(valid_file_loads_and_reads)
{
    jutsu_cfg *cfg = valid_cfg(1);
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    const char *s;
    int64_t i;
    int b;
    double dv;
    jutsu_money_t m;
    char *path = fixture("valid.yaml"), want[600];

    ck_assert_int_eq(jutsu_cfg_int(root, "port", &i), 0);
    ck_assert_int_eq(i, 9090);
    ck_assert_int_eq(jutsu_cfg_bool(root, "verbose", &b), 0);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(jutsu_cfg_double(root, "ratio", &dv), 0);
    ck_assert_double_eq(dv, 0.25);
    ck_assert_int_eq(jutsu_cfg_money(root, "cash", &m), 0);
    ck_assert_int_eq(m, INT64_C(1234500000));
    ck_assert_int_eq(jutsu_cfg_str(root, "policy", &s), 0);
    ck_assert_str_eq(s, "drop_newest");
    ck_assert_int_eq(jutsu_cfg_str(root, "db.path", &s), 0);
    ck_assert_str_eq(s, "/var/lib/jutsu.db");
    ck_assert_int_eq(jutsu_cfg_str(root, "symbols[2]", &s), 0);
    ck_assert_str_eq(s, "SPY");
    ck_assert_int_eq(jutsu_cfg_str(root, "feeds[1].symbol", &s), 0);
    ck_assert_str_eq(s, "TLT");
    ck_assert_int_eq(jutsu_cfg_double(root, "feeds[0].weight", &dv), 0);
    ck_assert_double_eq(dv, 0.6);
    ck_assert_int_eq(jutsu_cfg_int(root, "extra.anything[1].two", &i), 0);
    ck_assert_int_eq(i, 2);
    ck_assert_int_eq(jutsu_cfg_int(jutsu_cfg_get(root, "db"), "busy_timeout_ms", &i), 0);
    ck_assert_int_eq(i, 5000);

    /* positions: libyaml marks + 1 */
    snprintf(want, sizeof(want), "%s:13:13", path);
    ck_assert_str_eq(where(root, "feeds[0].weight"), want);
    snprintf(want, sizeof(want), "%s:10:23", path);
    ck_assert_str_eq(where(root, "symbols[2]"), want);
    snprintf(want, sizeof(want), "%s:8:3", path);
    ck_assert_str_eq(where(root, "db"), want);

    /* lookups that miss */
    ck_assert_ptr_null(jutsu_cfg_get(root, "symbols[3]"));
    ck_assert_ptr_null(jutsu_cfg_get(root, "symbols.x"));
    ck_assert_ptr_null(jutsu_cfg_get(root, "db[0]"));
    ck_assert_ptr_null(jutsu_cfg_get(root, "db.path.x"));
    ck_assert_ptr_null(jutsu_cfg_get(root, "db."));
    ck_assert_ptr_null(jutsu_cfg_get(root, "nope"));
    ck_assert_ptr_eq(jutsu_cfg_get(root, ""), root);

    /* typed reads that fail */
    ck_assert_int_eq(jutsu_cfg_str(root, "missing", &s), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_cfg_str(root, "db", &s), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_cfg_int(root, "policy", &i), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_cfg_bool(root, "db.path", &b), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_cfg_money(root, "policy", &m), JUTSU_EINVAL);
    free(path);
    jutsu_cfg_free(cfg);
}
END_TEST

START_TEST(unvalidated_typed_reads)
{
    jutsu_cfg *cfg = load_ok("n: -42\nb: Off\nd: 1e3\nm: 0.000001\nz:\nbig: 99999999999999999999\n"
                             "f: 1.5x\n");
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    int64_t i;
    int b;
    double dv;
    jutsu_money_t m;
    const char *s;
    ck_assert_int_eq(jutsu_cfg_int(root, "n", &i), 0);
    ck_assert_int_eq(i, -42);
    ck_assert_int_eq(jutsu_cfg_bool(root, "b", &b), 0);
    ck_assert_int_eq(b, 0);
    ck_assert_int_eq(jutsu_cfg_double(root, "d", &dv), 0);
    ck_assert_double_eq(dv, 1000.0);
    ck_assert_int_eq(jutsu_cfg_money(root, "m", &m), 0);
    ck_assert_int_eq(m, 1);
    ck_assert_int_eq(jutsu_cfg_str(root, "z", &s), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_cfg_int(root, "big", &i), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_cfg_double(root, "f", &dv), JUTSU_EINVAL);
    jutsu_cfg_free(cfg);
}
END_TEST

START_TEST(syntax_error_has_position)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = NULL;
    char *path = fixture("errors.yaml"), *bad = NULL;
    char *dir = tu_tmpdir();
    jutsu_diag_init(&d);
    /* line 2, column 4: the second ':' */
    ck_assert_int_eq(jutsu_cfg_load_string("t.yaml", "a: 1\n  b: 2\n", 12, &cfg, &d),
                     JUTSU_ECONFIG);
    ck_assert_ptr_null(cfg);
    ck_assert_uint_eq(jutsu_diag_count(&d), 1);
    ck_assert_str_eq(jutsu_diag_line(&d, 0),
                     "t.yaml:2:4: mapping values are not allowed in this context");
    jutsu_diag_free(&d);

    /* an unclosed flow list: found at 4:4, opened on line 3 */
    bad = tu_write_file(dir, "bad.yaml", "a: 1\nb:\n  c: [1, 2\n  d: x\n");
    ck_assert_int_eq(jutsu_cfg_load_file(bad, &cfg, &d), JUTSU_ECONFIG);
    ck_assert_uint_eq(jutsu_diag_count(&d), 1);
    char want[600];
    snprintf(want, sizeof(want), "%s:4:4: did not find expected ',' or ']' "
             "(while parsing a flow sequence at line 3)", bad);
    ck_assert_str_eq(jutsu_diag_line(&d, 0), want);
    jutsu_diag_free(&d);

    /* unreadable file */
    ck_assert_int_eq(jutsu_cfg_load_file("/nonexistent/jutsu.yaml", &cfg, &d), JUTSU_EIO);
    ck_assert_str_eq(jutsu_diag_line(&d, 0),
                     "/nonexistent/jutsu.yaml: cannot read the config file: "
                     "No such file or directory");
    jutsu_diag_free(&d);
    tu_rmtree(dir);
    free(dir);
    free(bad);
    free(path);
}
END_TEST

START_TEST(root_must_be_map)
{
    load_fails("- a\n- b\n",
               "t.yaml:1:1: the top level of a config file must be a map (key: value lines), "
               "not a list");
    load_fails("just text\n",
               "t.yaml:1:1: the top level of a config file must be a map (key: value lines), "
               "not a single value");
    load_fails("a: 1\n---\nb: 2\n",
               "t.yaml:2:1: only one YAML document is allowed in a config file");

    jutsu_cfg *cfg = load_ok("# only a comment\n");
    ck_assert_int_eq(jutsu_cfg_root(cfg)->kind, JUTSU_CFG_NODE_MAP);
    ck_assert_uint_eq(jutsu_cfg_root(cfg)->n, 0);
    jutsu_cfg_free(cfg);
    cfg = load_ok("");
    ck_assert_uint_eq(jutsu_cfg_root(cfg)->n, 0);
    jutsu_cfg_free(cfg);
}
END_TEST

START_TEST(duplicate_key)
{
    load_fails("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key \"a\" (first at line 1)");

    /* both, in a nested map and at the top */
    struct jutsu_diag d;
    jutsu_cfg *cfg;
    const char *text = "a: 1\nb:\n  x: 1\n  x: 2\na: 3\n";
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_load_string("t.yaml", text, strlen(text), &cfg, &d),
                     JUTSU_ECONFIG);
    ck_assert_uint_eq(jutsu_diag_count(&d), 2);
    ck_assert_str_eq(jutsu_diag_line(&d, 0), "t.yaml:4:3: duplicate key \"x\" (first at line 3)");
    ck_assert_str_eq(jutsu_diag_line(&d, 1), "t.yaml:5:1: duplicate key \"a\" (first at line 1)");
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(aliases_copy)
{
    jutsu_cfg *cfg = load_ok("base: &b\n  host: h\n  port: 5\ncopy: *b\n"
                             "list: [&s x, *s]\n");
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    const char *s;
    int64_t i;
    ck_assert_int_eq(jutsu_cfg_str(root, "copy.host", &s), 0);
    ck_assert_str_eq(s, "h");
    ck_assert_int_eq(jutsu_cfg_int(root, "copy.port", &i), 0);
    ck_assert_int_eq(i, 5);
    ck_assert_int_eq(jutsu_cfg_str(root, "list[1]", &s), 0);
    ck_assert_str_eq(s, "x");
    /* a copy, not a shared node: editing one leaves the other alone */
    ck_assert_ptr_ne(jutsu_cfg_get(root, "copy"), jutsu_cfg_get(root, "base"));
    ck_assert_int_eq(jutsu_cfg_set(cfg, root, "copy.host", "other", "test"), 0);
    ck_assert_int_eq(jutsu_cfg_str(root, "base.host", &s), 0);
    ck_assert_str_eq(s, "h");
    jutsu_cfg_free(cfg);

    load_fails("a: *nope\n", "t.yaml:1:4: unknown anchor \"nope\" (an alias *nope must come "
               "after the complete &nope node)");
    load_fails("a: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
               "t.yaml:3:3: merge keys (\"<<\") are not supported; write the keys out "
               "(an alias *name may still stand for a whole value)");
}
END_TEST

START_TEST(alias_bomb_stops)
{
    /* 10^7 nodes if expanded */
    const char *text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    load_fails(text, "t.yaml: aliases expand to more than 100000 nodes");
}
END_TEST

START_TEST(env_expansion)
{
    setenv("JUTSU_T_HOST", "db.example", 1);
    setenv("JUTSU_T_EMPTY", "", 1);
    unsetenv("JUTSU_T_UNSET");
    jutsu_cfg *cfg = load_ok("host: ${JUTSU_T_HOST}:5432\n"
                             "user: ${JUTSU_T_UNSET:-guest}\n"
                             "price: $$5 and $x$\n"
                             "blank: ${JUTSU_T_EMPTY:-}\n"
                             "quoted: \"${JUTSU_T_EMPTY}\"\n"
                             "${JUTSU_T_HOST}: key\n");
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    const char *s;
    ck_assert_int_eq(jutsu_cfg_str(root, "host", &s), 0);
    ck_assert_str_eq(s, "db.example:5432");
    ck_assert_int_eq(jutsu_cfg_str(root, "user", &s), 0);
    ck_assert_str_eq(s, "guest");
    ck_assert_int_eq(jutsu_cfg_str(root, "price", &s), 0);
    ck_assert_str_eq(s, "$5 and $x$");
    ck_assert_int_eq(jutsu_cfg_str(root, "blank", &s), JUTSU_ENOENT);   /* plain "" is null */
    ck_assert_int_eq(jutsu_cfg_str(root, "quoted", &s), 0);
    ck_assert_str_eq(s, "");
    ck_assert_ptr_nonnull(jutsu_cfg_map_get(root, "${JUTSU_T_HOST}"));  /* keys are names */
    jutsu_cfg_free(cfg);

    load_fails("a: 1\nb:\n  c: x-${JUTSU_T_UNSET}\n",
               "t.yaml:3:6: environment variable JUTSU_T_UNSET is not set "
               "(write ${JUTSU_T_UNSET:-default} to give a default)");
    load_fails("a: ${JUTSU_T_HOST\n",
               "t.yaml:1:4: \"${\" without a closing \"}\" (\"$$\" is a literal $)");
    load_fails("a: ${1X}\n", "t.yaml:1:4: bad variable reference \"${1X}\" "
               "(use ${NAME} or ${NAME:-default}; \"$$\" is a literal $)");

    /* every problem of the file, not just the first */
    struct jutsu_diag d;
    jutsu_cfg *c2;
    const char *text = "a: ${JUTSU_T_UNSET}\nb: ${JUTSU_T_UNSET2}\n";
    jutsu_diag_init(&d);
    unsetenv("JUTSU_T_UNSET2");
    ck_assert_int_eq(jutsu_cfg_load_string("t.yaml", text, strlen(text), &c2, &d),
                     JUTSU_ECONFIG);
    ck_assert_uint_eq(jutsu_diag_count(&d), 2);
    ck_assert(strncmp(jutsu_diag_line(&d, 1), "t.yaml:2:4: environment variable JUTSU_T_UNSET2",
                      46) == 0);
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(set_and_unset)
{
    jutsu_cfg *cfg;
    ck_assert_int_eq(jutsu_cfg_new(&cfg), 0);
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    const char *s;
    char buf[64];

    ck_assert_int_eq(jutsu_cfg_set(cfg, root, "database.postgresql.host", "pg",
                                   "env POSTGRES_HOST"), 0);
    ck_assert_int_eq(jutsu_cfg_str(root, "database.postgresql.host", &s), 0);
    ck_assert_str_eq(s, "pg");
    ck_assert_str_eq(jutsu_cfg_where(jutsu_cfg_get(root, "database.postgresql.host"), buf,
                                     sizeof(buf)), "env POSTGRES_HOST");
    ck_assert_int_eq(jutsu_cfg_get(root, "database.postgresql")->kind, JUTSU_CFG_NODE_MAP);
    ck_assert_int_eq(jutsu_cfg_set(cfg, root, "a..b", "x", "t"), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_cfg_set(cfg, root, "", "x", "t"), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_cfg_set(cfg, root, "new.x.", "x", "t"), JUTSU_EINVAL);
    ck_assert_ptr_null(jutsu_cfg_get(root, "new"));    /* nothing half-made */
    jutsu_cfg_free(cfg);

    cfg = load_ok("database:\n  type: sqlite\n  path: x\nother: 1\n");
    root = jutsu_cfg_root(cfg);
    jutsu_cfg_node *db = jutsu_cfg_get(root, "database");
    ck_assert_int_eq(jutsu_cfg_set(cfg, root, "database.type", "postgresql", "env DATABASE_TYPE"),
                     0);
    ck_assert_ptr_eq(jutsu_cfg_get(root, "database"), db);     /* the map was reused */
    ck_assert_int_eq(jutsu_cfg_str(root, "database.type", &s), 0);
    ck_assert_str_eq(s, "postgresql");
    ck_assert_uint_eq(db->n, 2);
    ck_assert_str_eq(db->keys[0], "type");
    ck_assert_int_eq(db->key_line[0], 2);
    /* a literal value, even if it reads like null; an empty one is null */
    ck_assert_int_eq(jutsu_cfg_set(cfg, root, "database.path", "null", "t"), 0);
    ck_assert_int_eq(jutsu_cfg_str(root, "database.path", &s), 0);
    ck_assert_str_eq(s, "null");
    ck_assert_int_eq(jutsu_cfg_set(cfg, root, "database.path", "", "t"), 0);
    ck_assert_int_eq(jutsu_cfg_str(root, "database.path", &s), JUTSU_ENOENT);
    /* a scalar in the way of a path becomes a map */
    ck_assert_int_eq(jutsu_cfg_set(cfg, root, "other.deep", "v", "t"), 0);
    ck_assert_int_eq(jutsu_cfg_str(root, "other.deep", &s), 0);
    ck_assert_str_eq(s, "v");

    ck_assert_int_eq(jutsu_cfg_unset(db, "type"), 0);
    ck_assert_int_eq(jutsu_cfg_unset(db, "type"), JUTSU_ENOENT);
    ck_assert_uint_eq(db->n, 1);
    ck_assert_str_eq(db->keys[0], "path");
    ck_assert_int_eq(db->key_line[0], 3);

    jutsu_cfg_node *m = jutsu_cfg_new_map(cfg, "here.yaml", 4, 2);
    ck_assert_str_eq(jutsu_cfg_where(m, buf, sizeof(buf)), "here.yaml:4:2");
    ck_assert_str_eq(jutsu_cfg_where(NULL, buf, sizeof(buf)), "(unknown)");
    jutsu_cfg_free(cfg);
}
END_TEST

/* ---- validation --------------------------------------------------------- */

START_TEST(unknown_key_lists_allowed)
{
    invalid("port: 1\npth: /x\n",
            "t.yaml:2:1: unknown key \"pth\" in " WHAT "; allowed: port, verbose, ratio, cash, "
            "policy, db, log, symbols, feeds, extra");
    invalid("log:\n  lvl: debug\n",
            "t.yaml:2:3: unknown key \"log.lvl\" in " WHAT "; allowed: level, color");
}
END_TEST

START_TEST(wrong_types)
{
    invalid("port: abc\n", "t.yaml:1:7: \"abc\" is not an integer (key \"port\" in " WHAT ")");
    invalid("port: 1.5\n", "t.yaml:1:7: \"1.5\" is not an integer (key \"port\" in " WHAT ")");
    invalid("verbose: maybe\n", "t.yaml:1:10: \"maybe\" is not true/false, yes/no or on/off "
            "(key \"verbose\" in " WHAT ")");
    invalid("cash: abc\n",
            "t.yaml:1:7: \"abc\" is not an amount of money (key \"cash\" in " WHAT ")");
    invalid("cash: 1.0000001\n", "t.yaml:1:7: \"1.0000001\" has more than 6 decimal places "
            "(key \"cash\" in " WHAT ")");
    invalid("cash: 1e13\n", "t.yaml:1:7: \"1e13\" is out of range for an amount of money "
            "(key \"cash\" in " WHAT ")");
    invalid("ratio: 1.5x\n", "t.yaml:1:8: \"1.5x\" is not a number (key \"ratio\" in " WHAT ")");
    invalid("ratio: inf\n", "t.yaml:1:8: \"inf\" is not a number (key \"ratio\" in " WHAT ")");
    invalid("db: [1]\n", "t.yaml:1:5: expected a map, found a list (key \"db\" in " WHAT ")");
    invalid("symbols: x\n",
            "t.yaml:1:10: expected a list, found a single value (key \"symbols\" in " WHAT ")");
    invalid("symbols: [a, {b: 1}]\n", "t.yaml:1:14: expected a single value, found a map "
            "(key \"symbols[1]\" in " WHAT ")");
    invalid("port: {a: 1}\n",
            "t.yaml:1:7: expected a single value, found a map (key \"port\" in " WHAT ")");
}
END_TEST

START_TEST(range_enum_required)
{
    invalid("port: 70000\n", "t.yaml:1:7: 70000 is out of range 1..65535 (key \"port\" in "
            WHAT ")");
    invalid("port: 0\n", "t.yaml:1:7: 0 is out of range 1..65535 (key \"port\" in " WHAT ")");
    invalid("policy: maybe\n", "t.yaml:1:9: \"maybe\" is not one of: block, drop_newest "
            "(key \"policy\" in " WHAT ")");
    /* the position of a missing key is its map's */
    invalid("port: 1\ndb:\n  busy_timeout_ms: 10\n",
            "t.yaml:3:3: missing required key \"db.path\" in " WHAT);
    invalid("feeds:\n  - weight: 2\n",
            "t.yaml:2:5: missing required key \"feeds[0].symbol\" in " WHAT);
    invalid("db:\n  path:\n", "t.yaml:2:8: required key \"db.path\" in " WHAT " has no value");
}
END_TEST

START_TEST(bools_and_quoting)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = load_ok("verbose: \"YES\"\nlog:\n  color: On\nport:\n");
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    int b;
    int64_t i;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_validate(cfg, root, schema, WHAT, &d), 0);
    ck_assert_int_eq(jutsu_cfg_bool(root, "verbose", &b), 0);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(jutsu_cfg_bool(root, "log.color", &b), 0);
    ck_assert_int_eq(b, 1);
    /* a null takes the default */
    ck_assert_int_eq(jutsu_cfg_int(root, "port", &i), 0);
    ck_assert_int_eq(i, 8080);
    ck_assert_int_eq(jutsu_cfg_get(root, "port")->is_default, 1);
    ck_assert_int_eq(jutsu_cfg_get(root, "port")->type, JUTSU_CFG_INT);
    jutsu_diag_free(&d);
    jutsu_cfg_free(cfg);

    /* quoting matters for null: a quoted "" is an (invalid) integer */
    invalid("port: \"\"\n", "t.yaml:1:7: \"\" is not an integer (key \"port\" in " WHAT ")");
}
END_TEST

START_TEST(all_errors_reported)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = NULL;
    char *path = fixture("errors.yaml");
    const char *want[] = {
        ":1:7: 70000 is out of range 1..65535 (key \"port\" in " WHAT ")",
        ":2:10: \"maybe\" is not true/false, yes/no or on/off (key \"verbose\" in " WHAT ")",
        ":3:8: \"abc\" is not a number (key \"ratio\" in " WHAT ")",
        ":4:7: \"1.0000001\" has more than 6 decimal places (key \"cash\" in " WHAT ")",
        ":5:9: \"drop_oldest\" is not one of: block, drop_newest (key \"policy\" in " WHAT ")",
        ":6:1: unknown key \"pth\" in " WHAT "; allowed: port, verbose, ratio, cash, policy, "
        "db, log, symbols, feeds, extra",
        ":8:20: \"1.5\" is not an integer (key \"db.busy_timeout_ms\" in " WHAT ")",
        ":8:3: missing required key \"db.path\" in " WHAT,
        ":10:5: missing required key \"feeds[0].symbol\" in " WHAT,
        ":12:5: unknown key \"feeds[1].wieght\" in " WHAT "; allowed: symbol, weight",
    };
    size_t n = sizeof(want) / sizeof(want[0]);
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_load_file(path, &cfg, &d), 0);
    ck_assert_int_eq(jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), schema, WHAT, &d),
                     JUTSU_ECONFIG);
    ck_assert_uint_eq(jutsu_diag_count(&d), n);
    for (size_t i = 0; i < n; i++) {
        char line[1024];
        snprintf(line, sizeof(line), "%s%s", path, want[i]);
        ck_assert_str_eq(jutsu_diag_line(&d, i), line);
    }
    jutsu_diag_free(&d);
    jutsu_cfg_free(cfg);
    free(path);
}
END_TEST

START_TEST(defaults_filled)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = load_ok("feeds:\n  - symbol: A\n");
    jutsu_cfg_node *root = jutsu_cfg_root(cfg), *n;
    const char *s;
    double dv;
    jutsu_money_t m;
    char buf[64];
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_validate(cfg, root, schema, WHAT, &d), 0);
    ck_assert_uint_eq(jutsu_diag_count(&d), 0);

    n = jutsu_cfg_get(root, "cash");
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->is_default, 1);
    ck_assert_int_eq(n->line, 0);
    ck_assert_int_eq(n->col, 0);
    ck_assert_str_eq(n->file, "(default)");
    ck_assert_str_eq(jutsu_cfg_where(n, buf, sizeof(buf)), "(default)");
    ck_assert_int_eq(jutsu_cfg_money(root, "cash", &m), 0);
    ck_assert_int_eq(m, INT64_C(100000000000));
    ck_assert_int_eq(jutsu_cfg_str(root, "policy", &s), 0);
    ck_assert_str_eq(s, "block");
    /* a MAP key missing from the file whose schema has defaults */
    n = jutsu_cfg_get(root, "log");
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->is_default, 1);
    ck_assert_int_eq(jutsu_cfg_str(root, "log.level", &s), 0);
    ck_assert_str_eq(s, "info");
    ck_assert_int_eq(jutsu_cfg_get(root, "log.color")->is_default, 1);
    /* ... but not one with required keys */
    ck_assert_ptr_null(jutsu_cfg_get(root, "db"));
    /* defaults inside list elements */
    ck_assert_int_eq(jutsu_cfg_double(root, "feeds[0].weight", &dv), 0);
    ck_assert_double_eq(dv, 1.0);
    ck_assert_int_eq(jutsu_cfg_get(root, "feeds[0].weight")->is_default, 1);
    /* file values are not defaults; order: file keys, then defaults */
    ck_assert_int_eq(jutsu_cfg_get(root, "feeds")->is_default, 0);
    ck_assert_str_eq(root->keys[0], "feeds");
    ck_assert_str_eq(root->keys[1], "port");

    /* validating again changes nothing */
    size_t keys = root->n;
    ck_assert_int_eq(jutsu_cfg_validate(cfg, root, schema, WHAT, &d), 0);
    ck_assert_uint_eq(root->n, keys);
    jutsu_diag_free(&d);
    jutsu_cfg_free(cfg);
}
END_TEST

/* ---- output ------------------------------------------------------------- */

static void same_tree(const jutsu_cfg_node *a, const jutsu_cfg_node *b, const char *at)
{
    ck_assert_msg(a->kind == b->kind, "kind differs at %s", at);
    ck_assert_msg(a->n == b->n, "size differs at %s", at);
    if (a->kind == JUTSU_CFG_NODE_SCALAR) {
        ck_assert_msg(a->is_null == b->is_null, "null differs at %s", at);
        if (!a->is_null)
            ck_assert_msg(strcmp(a->text, b->text) == 0, "\"%s\" vs \"%s\" at %s", a->text,
                          b->text, at);
    }
    for (size_t i = 0; i < a->n; i++) {
        if (a->kind == JUTSU_CFG_NODE_MAP)
            ck_assert_str_eq(a->keys[i], b->keys[i]);
        same_tree(a->items[i], b->items[i], a->kind == JUTSU_CFG_NODE_MAP ? a->keys[i] : at);
    }
}

static char *dump(const jutsu_cfg_node *n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(jutsu_cfg_dump_yaml(n, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

START_TEST(dump_round_trip)
{
    struct jutsu_diag d;
    jutsu_cfg *a = NULL, *b = NULL;
    char *path = fixture("roundtrip.yaml");
    jutsu_diag_init(&d);
    unsetenv("JUTSU_CFG_NOT_SET");
    ck_assert_int_eq(jutsu_cfg_load_file(path, &a, &d), 0);
    char *text = dump(jutsu_cfg_root(a));
    int rc = jutsu_cfg_load_string("dump", text, strlen(text), &b, &d);
    ck_assert_msg(rc == 0, "reload failed: %s\n%s", jutsu_diag_line(&d, 0), text);
    same_tree(jutsu_cfg_root(a), jutsu_cfg_root(b), "root");
    /* spot checks that the comparison saw what we think */
    const char *s;
    ck_assert_int_eq(jutsu_cfg_str(jutsu_cfg_root(b), "dollars", &s), 0);
    ck_assert_str_eq(s, "pa$word x");
    ck_assert_int_eq(jutsu_cfg_str(jutsu_cfg_root(b), "null_text", &s), 0);
    ck_assert_str_eq(s, "null");
    ck_assert_int_eq(jutsu_cfg_str(jutsu_cfg_root(b), "nothing", &s), JUTSU_ENOENT);
    ck_assert_ptr_nonnull(strstr(text, "\nnested:\n  list:\n"));    /* block style */
    free(text);
    jutsu_cfg_free(b);

    /* a validated tree, defaults included, dumps and reloads too */
    jutsu_cfg *c = valid_cfg(1);
    text = dump(jutsu_cfg_root(c));
    ck_assert_int_eq(jutsu_cfg_load_string("dump", text, strlen(text), &b, &d), 0);
    ck_assert_int_eq(jutsu_cfg_validate(b, jutsu_cfg_root(b), schema, WHAT, &d), 0);
    int64_t i;
    ck_assert_int_eq(jutsu_cfg_int(jutsu_cfg_root(b), "db.busy_timeout_ms", &i), 0);
    ck_assert_int_eq(i, 5000);
    ck_assert_int_eq(jutsu_cfg_int(jutsu_cfg_root(b), "port", &i), 0);
    ck_assert_int_eq(i, 9090);
    free(text);
    jutsu_cfg_free(b);
    jutsu_cfg_free(c);
    jutsu_cfg_free(a);
    jutsu_diag_free(&d);
    free(path);
}
END_TEST

START_TEST(secrets_masked)
{
    jutsu_cfg *cfg = valid_cfg(1);
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    ck_assert_int_eq(jutsu_cfg_set(cfg, jutsu_cfg_get(root, "extra"), "creds.API_KEY", "k-123",
                                   "t"), 0);
    static const char *const secret_keys[] = { "api_key", "token", NULL };
    jutsu_cfg_mark_secret(root, secret_keys);

    char *text = dump(root);
    ck_assert_ptr_nonnull(strstr(text, "  password: '********'\n"));
    ck_assert_ptr_null(strstr(text, "hunter2"));
    ck_assert_ptr_null(strstr(text, "k-123"));
    free(text);

    /* the value itself is still readable by the program */
    const char *s;
    ck_assert_int_eq(jutsu_cfg_str(root, "db.password", &s), 0);
    ck_assert_str_eq(s, "hunter2");

    struct json_object *o = NULL, *v;
    ck_assert_int_eq(jutsu_cfg_to_json(root, &o), 0);
    const char *js = json_object_to_json_string(o);
    ck_assert_ptr_null(strstr(js, "hunter2"));
    ck_assert_ptr_null(strstr(js, "k-123"));
    ck_assert(json_object_object_get_ex(o, "db", &v));
    ck_assert(json_object_object_get_ex(v, "password", &v));
    ck_assert_str_eq(json_object_get_string(v), "********");
    /* typed values */
    ck_assert(json_object_object_get_ex(o, "port", &v));
    ck_assert(json_object_is_type(v, json_type_int));
    ck_assert_int_eq(json_object_get_int64(v), 9090);
    ck_assert(json_object_object_get_ex(o, "verbose", &v));
    ck_assert(json_object_is_type(v, json_type_boolean));
    ck_assert(json_object_get_boolean(v));
    ck_assert(json_object_object_get_ex(o, "ratio", &v));
    ck_assert(json_object_is_type(v, json_type_double));
    ck_assert_double_eq(json_object_get_double(v), 0.25);
    ck_assert(json_object_object_get_ex(o, "cash", &v));
    ck_assert_str_eq(json_object_get_string(v), "1234.500000");
    ck_assert(json_object_object_get_ex(o, "symbols", &v));
    ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(v, 2)), "SPY");
    ck_assert(json_object_object_get_ex(o, "log", &v));
    ck_assert(json_object_object_get_ex(v, "level", &v));
    ck_assert_str_eq(json_object_get_string(v), "info");
    json_object_put(o);
    jutsu_cfg_free(cfg);
}
END_TEST

static char *help_text(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    jutsu_cfg_schema_help(schema, f, 2);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

/* The line of the help text whose first column is `key`. */
static const char *help_line(const char *text, const char *key)
{
    size_t len = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, "  ", 2) == 0 && strncmp(p + 2, key, len) == 0 && p[2 + len] == ' ')
            return p;
    return NULL;
}

START_TEST(schema_help)
{
    char *text = help_text();
    const char *port = help_line(text, "port"), *path = help_line(text, "db.path");
    ck_assert_ptr_nonnull(port);
    ck_assert_ptr_nonnull(path);
    /* aligned: the type column starts at the same offset */
    ck_assert_int_eq(strstr(port, "int ") - port, strstr(path, "str ") - path);
    ck_assert_ptr_nonnull(strstr(port, " 8080 "));
    ck_assert_ptr_nonnull(strstr(path, " required "));
    ck_assert_ptr_nonnull(strstr(help_line(text, "policy"), "(one of: block, drop_newest)"));
    ck_assert_ptr_nonnull(strstr(help_line(text, "db.busy_timeout_ms"), " 5000 "));
    ck_assert_ptr_nonnull(strstr(help_line(text, "feeds[].weight"), " 1.0 "));
    ck_assert_ptr_nonnull(strstr(help_line(text, "symbols"), " list[str] "));
    ck_assert_ptr_nonnull(strstr(help_line(text, "log.level"), " info "));
    for (const struct jutsu_cfg_key *k = schema; k->name; k++)
        ck_assert_msg(help_line(text, k->name) != NULL, "no line for %s", k->name);
    free(text);

    struct json_object *a = jutsu_cfg_schema_json(schema), *v;
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(json_object_array_length(a), 10);
    struct json_object *port_o = json_object_array_get_idx(a, 0);
    ck_assert(json_object_object_get_ex(port_o, "default", &v));
    ck_assert_str_eq(json_object_get_string(v), "8080");
    ck_assert(json_object_object_get_ex(port_o, "max", &v));
    ck_assert_int_eq(json_object_get_int64(v), 65535);
    ck_assert(json_object_object_get_ex(json_object_array_get_idx(a, 5), "keys", &v));
    ck_assert_str_eq(json_object_get_string(json_object_object_get(
                         json_object_array_get_idx(v, 0), "name")), "path");
    json_object_put(a);
}
END_TEST

/* ---- boolean spellings --------------------------------------------------- */

START_TEST(bool_spellings)
{
    static const struct { const char *text; int want; } ok[] = {
        { "true", 1 }, { "TRUE", 1 }, { "yes", 1 }, { "Yes", 1 }, { "on", 1 }, { "ON", 1 },
        { "false", 0 }, { "False", 0 }, { "no", 0 }, { "NO", 0 }, { "off", 0 }, { "oFF", 0 },
    };
    static const char *const bad[] = { "", "1", "0", "y", "n", "truee", "of", "yes ", " no" };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int b = -1;
        ck_assert_msg(jutsu_cfg_parse_bool(ok[i].text, &b) == 0, "%s refused", ok[i].text);
        ck_assert_msg(b == ok[i].want, "%s read as %d", ok[i].text, b);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int b = -1;
        ck_assert_msg(jutsu_cfg_parse_bool(bad[i], &b) == JUTSU_EINVAL, "\"%s\" taken", bad[i]);
        ck_assert_int_eq(b, -1);
    }
    int b = -1;
    ck_assert_int_eq(jutsu_cfg_parse_bool(NULL, &b), JUTSU_EINVAL);
    ck_assert_int_eq(b, -1);
}
END_TEST

/* ---- filling a config struct --------------------------------------------- */

enum { MODE_FAST = 10, MODE_SAFE = 20, MODE_SLOW = 30 };
static const char *const fill_modes[] = { "fast", "safe", "slow", NULL };
static const int fill_mode_values[] = { MODE_FAST, MODE_SAFE, MODE_SLOW };
static const char *const fill_levels[] = { "low", "mid", "high", NULL };

/* Canaries around and between the fields: a value written at the wrong
 * offset, or wider than its field, shows as a changed canary or a field
 * that kept its poison. */
struct fill_conf {
    const char   *name;       /* at offset 0: a valid offset */
    int           canary0;
    int64_t       port;
    int           verbose;
    int           canary1;
    double        ratio;
    jutsu_money_t cash;
    int           mode;       /* enum with values */
    int           level;      /* enum by index */
    const char   *optional;   /* no default: untouched unless set */
    int64_t       not_field;  /* a key without the flag */
    const char   *secret;     /* required, secret */
    int           canary2;
};

static const struct jutsu_cfg_key fill_schema[] = {
    JUTSU_CFG_KEY_AT("name", JUTSU_CFG_STR, "anon", "A name", struct fill_conf, name),
    JUTSU_CFG_INT_RANGE_AT("port", "8080", 1, 65535, "TCP port", struct fill_conf, port),
    JUTSU_CFG_KEY_AT("verbose", JUTSU_CFG_BOOL, "false", "Say more", struct fill_conf, verbose),
    JUTSU_CFG_KEY_AT("ratio", JUTSU_CFG_DOUBLE, "0.5", "A ratio", struct fill_conf, ratio),
    JUTSU_CFG_KEY_AT("cash", JUTSU_CFG_MONEY, "100000", "Starting cash", struct fill_conf, cash),
    JUTSU_CFG_ENUM_AT("mode", fill_modes, fill_mode_values, "safe", "How hard",
                      struct fill_conf, mode),
    JUTSU_CFG_ENUM_AT("level", fill_levels, NULL, "mid", "How loud", struct fill_conf, level),
    JUTSU_CFG_KEY_AT("optional", JUTSU_CFG_STR, NULL, "Only if set", struct fill_conf, optional),
    JUTSU_CFG_INT_RANGE("not_field", "7", 0, 100, "Read by path"),
    { .name = "secret", .type = JUTSU_CFG_STR,
      .flags = JUTSU_CFG_REQUIRED | JUTSU_CFG_SECRET | JUTSU_CFG_FIELD,
      .offset = JUTSU_CFG_OFFSET(struct fill_conf, secret, JUTSU_CFG_STR), .help = "A token" },
    { .name = "tags", .type = JUTSU_CFG_LIST, .help = "Read by path" },
    JUTSU_CFG_END
};

#define POISON_I64 INT64_C(-7777777777)
#define POISON_INT (-77)
static const char poison_text[] = "poison";

static struct fill_conf poisoned(void)
{
    return (struct fill_conf){
        .name = poison_text, .canary0 = 0x5a5a, .port = POISON_I64, .verbose = POISON_INT,
        .canary1 = 0x6b6b, .ratio = -777.0, .cash = POISON_I64, .mode = POISON_INT,
        .level = POISON_INT, .optional = poison_text, .not_field = POISON_I64,
        .secret = poison_text, .canary2 = 0x7c7c };
}

static void canaries_intact(const struct fill_conf *c)
{
    ck_assert_int_eq(c->canary0, 0x5a5a);
    ck_assert_int_eq(c->canary1, 0x6b6b);
    ck_assert_int_eq(c->canary2, 0x7c7c);
    ck_assert_int_eq(c->not_field, POISON_I64);
}

/* Loads and validates text against fill_schema. */
static jutsu_cfg *fill_cfg(const char *text)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = load_ok(text);
    jutsu_diag_init(&d);
    int rc = jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), fill_schema, WHAT, &d);
    ck_assert_msg(rc == 0, "validate: %s", jutsu_diag_count(&d) ? jutsu_diag_line(&d, 0) : "");
    jutsu_diag_free(&d);
    return cfg;
}

START_TEST(fill_each_type)
{
    jutsu_cfg *cfg = fill_cfg("name: db1\nport: 5432\nverbose: on\nratio: 0.25\n"
                              "cash: 12.345678\nmode: slow\nlevel: high\noptional: here\n"
                              "not_field: 9\nsecret: s3cr3t\ntags: [a, b]\n");
    struct fill_conf c = poisoned();
    char err[256] = "";
    ck_assert_int_eq(jutsu_cfg_fill(jutsu_cfg_root(cfg), fill_schema, &c, err, sizeof(err)), 0);
    ck_assert_str_eq(err, "");
    ck_assert_str_eq(c.name, "db1");
    ck_assert_int_eq(c.port, 5432);
    ck_assert_int_eq(c.verbose, 1);
    ck_assert_double_eq(c.ratio, 0.25);
    ck_assert_int_eq(c.cash, 12345678);
    ck_assert_int_eq(c.mode, MODE_SLOW);     /* values[2], not the index */
    ck_assert_int_eq(c.level, 2);            /* no values: the index */
    ck_assert_str_eq(c.optional, "here");
    ck_assert_str_eq(c.secret, "s3cr3t");
    canaries_intact(&c);
    /* strings are the tree's own text, valid as long as the tree */
    ck_assert_ptr_eq(c.name, jutsu_cfg_get(jutsu_cfg_root(cfg), "name")->text);
    jutsu_cfg_free(cfg);
}
END_TEST

START_TEST(fill_defaults_and_untouched)
{
    jutsu_cfg *cfg = fill_cfg("secret: x\noptional:\n");
    struct fill_conf c = poisoned();
    char err[256] = "";
    ck_assert_int_eq(jutsu_cfg_fill(jutsu_cfg_root(cfg), fill_schema, &c, err, sizeof(err)), 0);
    ck_assert_str_eq(c.name, "anon");
    ck_assert_int_eq(c.port, 8080);
    ck_assert_int_eq(c.verbose, 0);
    ck_assert_double_eq(c.ratio, 0.5);
    ck_assert_int_eq(c.cash, 100000 * JUTSU_MONEY_SCALE);
    ck_assert_int_eq(c.mode, MODE_SAFE);
    ck_assert_int_eq(c.level, 1);
    /* optional without a default, given as null: the field keeps its value */
    ck_assert_ptr_eq(c.optional, poison_text);
    ck_assert_str_eq(c.secret, "x");
    canaries_intact(&c);
    jutsu_cfg_free(cfg);

    /* the same when the key is absent altogether; each enum choice maps */
    static const char *const modes[] = { "fast", "safe", "slow" };
    static const int want[] = { MODE_FAST, MODE_SAFE, MODE_SLOW };
    for (int i = 0; i < 3; i++) {
        char text[64];
        snprintf(text, sizeof(text), "secret: x\nmode: %s\nlevel: %s\n", modes[i],
                 fill_levels[i]);
        cfg = fill_cfg(text);
        c = poisoned();
        ck_assert_int_eq(jutsu_cfg_fill(jutsu_cfg_root(cfg), fill_schema, &c, err, sizeof(err)),
                         0);
        ck_assert_int_eq(c.mode, want[i]);
        ck_assert_int_eq(c.level, i);
        ck_assert_ptr_eq(c.optional, poison_text);
        canaries_intact(&c);
        jutsu_cfg_free(cfg);
    }
}
END_TEST

START_TEST(fill_refusals)
{
    char err[256];
    struct fill_conf c = poisoned();

    /* validated against another schema: "port" is a str there */
    static const struct jutsu_cfg_key other[] = {
        JUTSU_CFG_KEY("port", JUTSU_CFG_STR, "x", "A port, as text"),
        JUTSU_CFG_END
    };
    struct jutsu_diag d;
    jutsu_cfg *cfg = load_ok("port: \"5432\"\n");
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), other, WHAT, &d), 0);
    jutsu_diag_free(&d);
    ck_assert_int_eq(jutsu_cfg_fill(jutsu_cfg_root(cfg), fill_schema, &c, err, sizeof(err)),
                     JUTSU_EINVAL);
    ck_assert_str_eq(err, "config key \"name\" has no value, although the schema gives it a "
                          "default (the config was not validated against this schema)");
    /* "name" is the first field: the failing key and those after it keep theirs */
    ck_assert_ptr_eq(c.name, poison_text);
    ck_assert_int_eq(c.port, POISON_I64);

    static const struct jutsu_cfg_key port_only[] = {
        JUTSU_CFG_INT_RANGE_AT("port", "1", 1, 65535, "TCP port", struct fill_conf, port),
        JUTSU_CFG_END
    };
    ck_assert_int_eq(jutsu_cfg_fill(jutsu_cfg_root(cfg), port_only, &c, err, sizeof(err)),
                     JUTSU_EINVAL);
    ck_assert_str_eq(err, "config key \"port\" is of type int in the schema, but its value was "
                          "validated as str (the config was not validated against this schema)");
    ck_assert_int_eq(c.port, POISON_I64);

    /* nothing to fill */
    ck_assert_int_eq(jutsu_cfg_fill(jutsu_cfg_root(cfg), port_only, NULL, err, sizeof(err)),
                     JUTSU_EINVAL);
    ck_assert_str_eq(err, "cfg_fill: no struct to fill (conf is NULL)");
    jutsu_cfg_free(cfg);

    /* never validated at all */
    cfg = load_ok("port: 5432\n");
    ck_assert_int_eq(jutsu_cfg_fill(jutsu_cfg_root(cfg), port_only, &c, err, sizeof(err)),
                     JUTSU_EINVAL);
    ck_assert_str_eq(err, "config key \"port\" is of type int in the schema, but its value was "
                          "never validated (the config was not validated against this schema)");
    jutsu_cfg_free(cfg);

    /* a required key the tree lacks */
    static const struct jutsu_cfg_key req[] = {
        JUTSU_CFG_REQ_AT("name", JUTSU_CFG_STR, "A name", struct fill_conf, name),
        JUTSU_CFG_END
    };
    cfg = load_ok("other: 1\n");
    ck_assert_int_eq(jutsu_cfg_fill(jutsu_cfg_root(cfg), req, &c, err, sizeof(err)),
                     JUTSU_EINVAL);
    ck_assert_str_eq(err, "config key \"name\" has no value, although the schema requires it "
                          "(the config was not validated against this schema)");

    /* a type that cannot be a field (the loader refuses such a schema) */
    static const struct jutsu_cfg_key list_field[] = {
        { .name = "other", .type = JUTSU_CFG_LIST, .flags = JUTSU_CFG_FIELD, .help = "A list" },
        JUTSU_CFG_END
    };
    jutsu_diag_init(&d);
    jutsu_cfg_free(cfg);
    cfg = load_ok("other: [1, 2]\n");
    ck_assert_int_eq(jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), list_field, WHAT, &d), 0);
    jutsu_diag_free(&d);
    ck_assert_int_eq(jutsu_cfg_fill(jutsu_cfg_root(cfg), list_field, &c, err, sizeof(err)),
                     JUTSU_EINVAL);
    ck_assert_str_eq(err, "config key \"other\" is of type list, which cannot be filled into a "
                          "field (only str, int, bool, double, money and enum keys can carry "
                          "JUTSU_CFG_FIELD)");
    canaries_intact(&c);
    jutsu_cfg_free(cfg);
}
END_TEST

/* ---- paths ------------------------------------------------------------- */

static const struct jutsu_cfg_key path_db_schema[] = {
    { .name = "path", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_PATH, .help = "Database" },
    JUTSU_CFG_END
};

static const struct jutsu_cfg_key path_schema[] = {
    { .name = "input", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_PATH | JUTSU_CFG_MUST_EXIST,
      .help = "A file read" },
    { .name = "output", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_PATH, .def = "var/out.db",
      .help = "A file made" },
    { .name = "dirs", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR, .flags = JUTSU_CFG_PATH,
      .help = "Directories" },
    { .name = "none", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_PATH | JUTSU_CFG_MUST_EXIST,
      .def = "", .help = "Empty: none" },
    { .name = "mem", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_PATH, .help = "A name" },
    { .name = "label", .type = JUTSU_CFG_STR, .help = "Not a path" },
    { .name = "db", .type = JUTSU_CFG_MAP, .sub = path_db_schema, .help = "Storage" },
    JUTSU_CFG_END
};

#define PATHS_YAML \
    "input: in.csv\n" \
    "dirs: [a, ./b, ../c, /abs/d, ., ./../e/]\n" \
    "none: \"\"\n" \
    "mem: \":memory:\"\n" \
    "label: rel/x\n" \
    "db: {path: x.db}\n"

/* A scratch tree: TOP/conf/j.yaml holding `yaml`; *conf is TOP/conf as
 * realpath() gives it (what relative paths are taken from). */
static char *path_tree(const char *yaml, char **conf)
{
    char *top = tu_tmpdir(), *dir = NULL;
    ck_assert_int_gt(asprintf(&dir, "%s/conf", top), 0);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    free(tu_write_file(dir, "j.yaml", yaml));
    *conf = realpath(dir, NULL);
    ck_assert_ptr_nonnull(*conf);
    free(dir);
    return top;
}

static jutsu_cfg *load_paths(const char *file, const struct jutsu_cfg_key *sch)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = NULL;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_load_file(file, &cfg, &d), 0);
    int rc = jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), sch, WHAT, &d);
    ck_assert_msg(rc == 0, "validate: %d, %s", rc, d.n ? jutsu_diag_line(&d, 0) : "");
    jutsu_diag_free(&d);
    return cfg;
}

static void str_is(jutsu_cfg *cfg, const char *path, const char *dir, const char *rest)
{
    const char *got;
    char want[PATH_MAX + 64];
    snprintf(want, sizeof(want), "%s%s", dir, rest);
    ck_assert_int_eq(jutsu_cfg_str(jutsu_cfg_root(cfg), path, &got), 0);
    ck_assert_str_eq(got, want);
}

/* What the issue's user met: run from another directory, a config's
 * relative paths named files there. They follow the file now, from the
 * file and from defaults, in maps and lists; "./" and "../" come off the
 * directory; absolute, empty and ":name" values, and keys without the
 * flag, are kept as written. */
START_TEST(paths_follow_the_config_file)
{
    char *conf, *top = path_tree(PATHS_YAML, &conf), *parent = strdup(conf), *file = NULL;
    *strrchr(parent, '/') = '\0';
    ck_assert_int_gt(asprintf(&file, "%s/conf/j.yaml", top), 0);
    jutsu_cfg *cfg = load_paths(file, path_schema);
    ck_assert_str_eq(jutsu_cfg_dir(cfg), conf);
    str_is(cfg, "input", conf, "/in.csv");
    str_is(cfg, "output", conf, "/var/out.db");
    str_is(cfg, "dirs[0]", conf, "/a");
    str_is(cfg, "dirs[1]", conf, "/b");
    str_is(cfg, "dirs[2]", parent, "/c");
    str_is(cfg, "dirs[3]", "", "/abs/d");
    str_is(cfg, "dirs[4]", conf, "");
    str_is(cfg, "dirs[5]", parent, "/e/");
    str_is(cfg, "none", "", "");
    str_is(cfg, "mem", "", ":memory:");
    str_is(cfg, "label", "", "rel/x");
    str_is(cfg, "db.path", conf, "/x.db");
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    ck_assert_int_eq(jutsu_cfg_get(root, "input")->resolved, 1);
    ck_assert_int_eq(jutsu_cfg_get(root, "output")->is_default, 1);
    ck_assert_int_eq(jutsu_cfg_get(root, "dirs[3]")->resolved, 0);
    ck_assert_int_eq(jutsu_cfg_get(root, "mem")->resolved, 0);
    /* validated twice (instances are), a path stays what it became */
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_validate(cfg, root, path_schema, WHAT, &d), 0);
    jutsu_diag_free(&d);
    str_is(cfg, "input", conf, "/in.csv");
    jutsu_cfg_free(cfg);

    /* named relative, from the tree's top: the same files */
    char *cwd = getcwd(NULL, 0);
    ck_assert_ptr_nonnull(cwd);
    ck_assert_int_eq(chdir(top), 0);
    cfg = load_paths("conf/j.yaml", path_schema);
    ck_assert_int_eq(chdir(cwd), 0);
    str_is(cfg, "db.path", conf, "/x.db");
    str_is(cfg, "dirs[2]", parent, "/c");
    jutsu_cfg_free(cfg);
    free(cwd);
    tu_rmtree(top);
    free(top);
    free(conf);
    free(parent);
    free(file);
}
END_TEST

/* A config that is no file (tests, built-in defaults) keeps the working
 * directory, as every config did before; DATABASE_URL's relative path is
 * the shell's too, though the file's database.url follows the file. */
START_TEST(paths_without_a_file)
{
    char *cwd = getcwd(NULL, 0), want[PATH_MAX + 16];
    ck_assert_ptr_nonnull(cwd);
    jutsu_cfg *cfg = load_ok("input: in.csv\n");
    ck_assert_str_eq(jutsu_cfg_dir(cfg), cwd);
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), path_schema, WHAT, &d), 0);
    snprintf(want, sizeof(want), "%s/in.csv", cwd);
    ck_assert_str_eq(jutsu_cfg_get(jutsu_cfg_root(cfg), "input")->text, want);
    ck_assert_int_eq(jutsu_cfg_set_dir(cfg, "rel/dir"), JUTSU_EINVAL);
    jutsu_cfg_free(cfg);
    /* a caller that knows better names the directory */
    cfg = load_ok("input: in.csv\n");
    ck_assert_int_eq(jutsu_cfg_set_dir(cfg, "/srv/jutsu"), 0);
    ck_assert_int_eq(jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), path_schema, WHAT, &d), 0);
    ck_assert_str_eq(jutsu_cfg_get(jutsu_cfg_root(cfg), "input")->text, "/srv/jutsu/in.csv");
    jutsu_cfg_free(cfg);

    char *conf, *top = path_tree("database: {url: \"sqlite:///in-file.db\"}\n", &conf), *file;
    ck_assert_int_gt(asprintf(&file, "%s/j.yaml", conf), 0);
    static const struct jutsu_cfg_key sqlite[] = {
        { .name = "path", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_PATH, .help = "File" },
        JUTSU_CFG_END
    };
    for (int env = 0; env < 2; env++) {
        if (env)
            ck_assert_int_eq(setenv("DATABASE_URL", "sqlite:///from-env.db", 1), 0);
        ck_assert_int_eq(jutsu_cfg_load_file(file, &cfg, &d), 0);
        ck_assert_int_eq(jutsu_cfg_env_apply(cfg, &d), 0);
        jutsu_cfg_node *db = jutsu_cfg_get(jutsu_cfg_root(cfg), "database.sqlite");
        ck_assert_int_eq(jutsu_cfg_validate(cfg, db, sqlite, WHAT, &d), 0);
        snprintf(want, sizeof(want), "%s/%s", env ? cwd : conf,
                 env ? "from-env.db" : "in-file.db");
        ck_assert_str_eq(jutsu_cfg_map_get(db, "path")->text, want);
        jutsu_cfg_free(cfg);
    }
    ck_assert_int_eq(unsetenv("DATABASE_URL"), 0);
    ck_assert_uint_eq(jutsu_diag_count(&d), 0);
    jutsu_diag_free(&d);
    tu_rmtree(top);
    free(top);
    free(conf);
    free(file);
    free(cwd);
}
END_TEST

static void joins(const char *dir, const char *path, const char *want)
{
    char *got = NULL;
    ck_assert_int_eq(jutsu_cfg_path_join(dir, path, &got), 0);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(path_join)
{
    joins("/srv/jutsu/conf", "var/x.db", "/srv/jutsu/conf/var/x.db");
    joins("/srv/jutsu/conf/", "./x", "/srv/jutsu/conf/x");
    joins("/srv/jutsu/conf", "../var/x.db", "/srv/jutsu/var/x.db");
    joins("/srv/jutsu/conf", "../../../../x", "/x");
    joins("/srv", "..", "/");
    joins("/", "x", "/x");
    joins("/", ".", "/");
    joins("/srv", ".//x", "/srv/x");
    /* past the first name, ".." is the kernel's: that name may be a link */
    joins("/srv", "a/../b", "/srv/a/../b");
    joins("/srv", "/etc/x", "/etc/x");
    char *cwd = getcwd(NULL, 0), want[PATH_MAX + 8];
    ck_assert_ptr_nonnull(cwd);
    snprintf(want, sizeof(want), "%s/x", cwd);
    joins(NULL, "x", want);
    free(cwd);
}
END_TEST

/* config check's look at the disk: a file read must exist, a file made
 * must have a directory above it that can hold it; each problem with its
 * position and, for a relative value, the directory it was taken from. */
START_TEST(paths_checked_on_disk)
{
    char *conf, *top = path_tree("input: missing.csv\n"
                                 "output: blocker/x.db\n"
                                 "dirs: [new/deeper, .]\n"
                                 "db: {path: locked/sub/x.db}\n", &conf);
    char *file = NULL, *locked = NULL;
    char *blocker = tu_write_file(conf, "blocker", "a file, not a directory\n");
    ck_assert_int_gt(asprintf(&file, "%s/conf/j.yaml", top), 0);
    ck_assert_int_gt(asprintf(&locked, "%s/locked", conf), 0);
    ck_assert_int_eq(mkdir(locked, 0500), 0);
    /* root may write anywhere: the locked directory stops only others */
    size_t want_n = geteuid() == 0 ? 2 : 3;
    jutsu_cfg *cfg = load_paths(file, path_schema);
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_check_paths(cfg, &d), JUTSU_ECONFIG);
    ck_assert_msg(jutsu_diag_count(&d) == want_n, "%zu lines, first: %s", jutsu_diag_count(&d),
                  jutsu_diag_line(&d, 0));
    char want[3][3 * PATH_MAX];
    snprintf(want[0], sizeof(want[0]), "%s:1:8: input: %s/missing.csv: No such file or "
             "directory (a relative path is taken from the config file's directory, %s)",
             file, conf, conf);
    snprintf(want[1], sizeof(want[1]), "%s:2:9: output: %s/blocker/x.db cannot be created: "
             "%s/blocker is not a directory (a relative path is taken from the config file's "
             "directory, %s)", file, conf, conf, conf);
    snprintf(want[2], sizeof(want[2]), "%s:4:12: db.path: %s/sub/x.db cannot be created in "
             "%s: Permission denied (a relative path is taken from the config file's directory, "
             "%s)", file, locked, locked, conf);
    for (size_t i = 0; i < want_n; i++)
        ck_assert_str_eq(jutsu_diag_line(&d, i), want[i]);
    jutsu_diag_free(&d);
    jutsu_cfg_free(cfg);
    ck_assert_int_eq(chmod(locked, 0700), 0);

    /* written absolute: no word on where a relative path is taken from */
    char *text = NULL, *abs_file = NULL;
    ck_assert_int_gt(asprintf(&text, "output: %s/blocker/abs.db\n", conf), 0);
    abs_file = tu_write_file(conf, "abs.yaml", text);
    cfg = load_paths(abs_file, path_schema);
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_check_paths(cfg, &d), JUTSU_ECONFIG);
    snprintf(want[0], sizeof(want[0]), "%s:1:9: output: %s/blocker/abs.db cannot be created: "
             "%s/blocker is not a directory", abs_file, conf, conf);
    ck_assert_uint_eq(jutsu_diag_count(&d), 1);
    ck_assert_str_eq(jutsu_diag_line(&d, 0), want[0]);
    jutsu_diag_free(&d);
    jutsu_cfg_free(cfg);
    free(text);
    free(abs_file);

    /* all there, or makeable: nothing to say, and nothing made */
    char *ok = tu_write_file(conf, "ok.yaml", "input: j.yaml\noutput: new/dir/x.db\n"
                             "dirs: [., ../conf]\n");
    cfg = load_paths(ok, path_schema);
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_check_paths(cfg, &d), 0);
    ck_assert_uint_eq(jutsu_diag_count(&d), 0);
    jutsu_diag_free(&d);
    char *made = NULL;
    ck_assert_int_gt(asprintf(&made, "%s/new", conf), 0);
    ck_assert_int_ne(access(made, F_OK), 0);
    jutsu_cfg_free(cfg);
    tu_rmtree(top);
    free(made);
    free(ok);
    free(locked);
    free(blocker);
    free(file);
    free(conf);
    free(top);
}
END_TEST

/* The loader takes the flags of ABI 1.2 where they make sense, and says
 * why where they do not. */
START_TEST(path_flags_in_schemas)
{
    static const struct jutsu_cfg_key good[] = {
        { .name = "file", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_PATH | JUTSU_CFG_MUST_EXIST,
          .help = "A file" },
        { .name = "dirs", .type = JUTSU_CFG_LIST, .flags = JUTSU_CFG_PATH, .help = "Dirs" },
        JUTSU_CFG_END
    };
    static const struct jutsu_cfg_key on_int[] = {
        { .name = "n", .type = JUTSU_CFG_INT, .flags = JUTSU_CFG_PATH, .help = "A number" },
        JUTSU_CFG_END
    };
    static const struct jutsu_cfg_key alone[] = {
        { .name = "f", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_MUST_EXIST, .help = "A file" },
        JUTSU_CFG_END
    };
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_schema_check(good, "p.so", &d), 0);
    ck_assert_uint_eq(jutsu_diag_count(&d), 0);
    ck_assert_int_eq(jutsu_schema_check(on_int, "p.so", &d), JUTSU_EABI);
    ck_assert_str_eq(jutsu_diag_line(&d, 0), "p.so: schema: key \"n\" of type int has the flag "
                     "JUTSU_CFG_PATH, which only a str key or a list of str can have");
    ck_assert_int_eq(jutsu_schema_check(alone, "p.so", &d), JUTSU_EABI);
    ck_assert_str_eq(jutsu_diag_line(&d, 1), "p.so: schema: key \"f\" has the flag "
                     "JUTSU_CFG_MUST_EXIST without JUTSU_CFG_PATH: only a path can be looked for");
    ck_assert_uint_eq(jutsu_diag_count(&d), 2);
    jutsu_diag_free(&d);
}
END_TEST

static Suite *cfg_suite(void)
{
    Suite *s = suite_create("cfg");
    TCase *t = tcase_create("load");
    tcase_add_test(t, valid_file_loads_and_reads);
    tcase_add_test(t, unvalidated_typed_reads);
    tcase_add_test(t, syntax_error_has_position);
    tcase_add_test(t, root_must_be_map);
    tcase_add_test(t, duplicate_key);
    tcase_add_test(t, aliases_copy);
    tcase_add_test(t, alias_bomb_stops);
    tcase_add_test(t, env_expansion);
    tcase_add_test(t, set_and_unset);
    suite_add_tcase(s, t);
    t = tcase_create("validate");
    tcase_add_test(t, unknown_key_lists_allowed);
    tcase_add_test(t, wrong_types);
    tcase_add_test(t, range_enum_required);
    tcase_add_test(t, bools_and_quoting);
    tcase_add_test(t, all_errors_reported);
    tcase_add_test(t, defaults_filled);
    suite_add_tcase(s, t);
    t = tcase_create("output");
    tcase_add_test(t, dump_round_trip);
    tcase_add_test(t, secrets_masked);
    tcase_add_test(t, schema_help);
    suite_add_tcase(s, t);
    t = tcase_create("bool");
    tcase_add_test(t, bool_spellings);
    suite_add_tcase(s, t);
    t = tcase_create("fill");
    tcase_add_test(t, fill_each_type);
    tcase_add_test(t, fill_defaults_and_untouched);
    tcase_add_test(t, fill_refusals);
    suite_add_tcase(s, t);
    t = tcase_create("paths");
    tcase_add_test(t, paths_follow_the_config_file);
    tcase_add_test(t, paths_without_a_file);
    tcase_add_test(t, path_join);
    tcase_add_test(t, paths_checked_on_disk);
    tcase_add_test(t, path_flags_in_schemas);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run(cfg_suite());
}
