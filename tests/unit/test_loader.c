/*
 * tests/unit/test_loader.c — the loader against real, deliberately broken
 * plugins built by the test suite (tests/plugins), the schema checks,
 * instance lifecycle through the real host, and host->cfg_fill.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/auth.h"
#include "jutsu/broker.h"
#include "jutsu/data.h"
#include "jutsu/error.h"
#include "jutsu/frontend.h"
#include "jutsu/kpi.h"
#include "jutsu/source.h"
#include "jutsu/storage.h"
#include "jutsu/strategy.h"
#include "host/app.h"
#include "host/loader.h"
#include "base/log.h"
#include "testutil.h"

/* cfg_fill and cfg_error took the first two of the vtable's 16 reserved
 * slots (ABI 1.1): the struct keeps its size, and `data`, the last 1.0
 * slot, stays where it was. */
_Static_assert(offsetof(struct jutsu_host, cfg_fill) ==
               offsetof(struct jutsu_host, data) + sizeof(void *), "cfg_fill is not after data");
_Static_assert(offsetof(struct jutsu_host, cfg_error) ==
               offsetof(struct jutsu_host, cfg_fill) + sizeof(void *),
               "cfg_error is not after cfg_fill");
_Static_assert(sizeof(struct jutsu_host) ==
               offsetof(struct jutsu_host, cfg_fill) + 16 * sizeof(void *),
               "struct jutsu_host changed size");

static char *tp_path(const char *name)
{
    const char *dir = getenv("JUTSU_TEST_PLUGIN_DIR");
    char *p = NULL;
    ck_assert_msg(dir != NULL, "JUTSU_TEST_PLUGIN_DIR is not set (run through ctest)");
    ck_assert_int_gt(asprintf(&p, "%s/%s.so", dir, name), 0);
    return p;
}

/* Opens a test plugin expecting failure; returns the diag for asserts. */
static int open_expect(const char *name, int want, struct jutsu_diag *diag)
{
    char *path = tp_path(name);
    struct jutsu_module *m = NULL;
    jutsu_diag_init(diag);
    int rc = jutsu_module_open(path, &m, diag);
    ck_assert_msg(rc == want, "%s: rc %d, want %d", name, rc, want);
    if (rc == 0)
        jutsu_module_close(m);
    else
        ck_assert_ptr_null(m);
    /* every message names the file */
    for (size_t i = 0; i < jutsu_diag_count(diag); i++)
        ck_assert_msg(strstr(jutsu_diag_line(diag, i), path) != NULL,
                      "line without the file name: %s", jutsu_diag_line(diag, i));
    free(path);
    return rc;
}

START_TEST(good_plugin_loads)
{
    struct jutsu_diag d;
    open_expect("tp-good", 0, &d);
    ck_assert_uint_eq(jutsu_diag_count(&d), 0);
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(wrong_magic)
{
    struct jutsu_diag d;
    open_expect("tp-badmagic", JUTSU_EABI, &d);
    ck_assert(jutsu_diag_has(&d, "magic: plugin has 0xdeadbeef, host expects 0x4a55545a"));
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(newer_minor)
{
    char want[128];
    struct jutsu_diag d;
    open_expect("tp-newminor", JUTSU_EABI, &d);
    snprintf(want, sizeof(want), "abi_minor: plugin needs ABI %d.%d, host has only ABI %d.%d",
             JUTSU_ABI_MAJOR, JUTSU_ABI_MINOR + 1, JUTSU_ABI_MAJOR, JUTSU_ABI_MINOR);
    ck_assert_msg(jutsu_diag_has(&d, want), "missing: %s; got %s", want, jutsu_diag_line(&d, 0));
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(other_major)
{
    char want[128];
    struct jutsu_diag d;
    open_expect("tp-othermajor", JUTSU_EABI, &d);
    /* both versions in the message */
    snprintf(want, sizeof(want), "plugin was built for ABI %d.%d, host has ABI %d.%d",
             JUTSU_ABI_MAJOR + 1, JUTSU_ABI_MINOR, JUTSU_ABI_MAJOR, JUTSU_ABI_MINOR);
    ck_assert_msg(jutsu_diag_has(&d, want), "missing: %s; got %s", want, jutsu_diag_line(&d, 0));
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(missing_symbol)
{
    struct jutsu_diag d;
    open_expect("tp-nosym", JUTSU_EIO, &d);
    ck_assert(jutsu_diag_has(&d, "not a Jutsu plugin"));
    /* dlerror() verbatim names the symbol */
    ck_assert(jutsu_diag_has(&d, "undefined symbol: jutsu_plugin_describe"));
    ck_assert(jutsu_diag_has(&d, "JUTSU_PLUGIN_DECLARE"));
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(missing_mandatory_op)
{
    struct jutsu_diag d;
    open_expect("tp-noop", JUTSU_EABI, &d);
    ck_assert(jutsu_diag_has(&d, "ops.fetch: missing (mandatory for a source plugin)"));
    ck_assert_uint_eq(jutsu_diag_count(&d), 1);
    jutsu_diag_free(&d);
}
END_TEST

/* Each table's 1.0 size is its size through its last 1.0 member: what a
 * member appended after 1.0 starts at. When an op is appended to a table,
 * its line here names the new member instead of sizeof. The byte counts
 * are those of the headers released as 1.0 (measured on x86-64), written
 * out so that moving a _SIZE_1_0 macro to a new member cannot pass. */
START_TEST(abi_1_0_sizes_are_frozen)
{
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu && defined(__x86_64__)
    ck_assert_uint_eq(JUTSU_STRATEGY_OPS_SIZE_1_0, 48);
    ck_assert_uint_eq(JUTSU_STORAGE_OPS_SIZE_1_0, 232);
    ck_assert_uint_eq(JUTSU_SOURCE_OPS_SIZE_1_0, 48);
    ck_assert_uint_eq(JUTSU_KPI_OPS_SIZE_1_0, 24);
    ck_assert_uint_eq(JUTSU_AUTH_OPS_SIZE_1_0, 40);
    ck_assert_uint_eq(JUTSU_FRONTEND_OPS_SIZE_1_0, 16);
    ck_assert_uint_eq(JUTSU_BROKER_OPS_SIZE_1_0, 32);
    ck_assert_uint_eq(JUTSU_PLUGIN_SIZE_1_0, 160);
    ck_assert_uint_eq(sizeof(struct jutsu_host), 352);
    ck_assert_uint_eq(sizeof(struct jutsu_data), 504);
    ck_assert_uint_eq(sizeof(struct jutsu_cfg_key), 88);
#endif
    ck_assert_uint_eq(JUTSU_STRATEGY_OPS_SIZE_1_0, offsetof(struct jutsu_strategy_ops, committed));
    ck_assert_uint_eq(JUTSU_STORAGE_OPS_SIZE_1_0, sizeof(struct jutsu_storage_ops));
    ck_assert_uint_eq(JUTSU_SOURCE_OPS_SIZE_1_0, sizeof(struct jutsu_source_ops));
    ck_assert_uint_eq(JUTSU_KPI_OPS_SIZE_1_0, offsetof(struct jutsu_kpi_ops, metrics));
    ck_assert_uint_eq(JUTSU_AUTH_OPS_SIZE_1_0, sizeof(struct jutsu_auth_ops));
    ck_assert_uint_eq(JUTSU_FRONTEND_OPS_SIZE_1_0, sizeof(struct jutsu_frontend_ops));
    ck_assert_uint_eq(JUTSU_BROKER_OPS_SIZE_1_0, sizeof(struct jutsu_broker_ops));
    ck_assert_uint_eq(JUTSU_PLUGIN_SIZE_1_0, sizeof(struct jutsu_plugin));
}
END_TEST

/* A plugin built with ABI 1.0's table loads after an op was appended to
 * it: tp-strategy-old's table ends where 1.0's did, before `committed`,
 * which this host's table has. A table shorter than 1.0's is refused. */
START_TEST(abi_1_0_table_loads_after_an_append)
{
    char *path = tp_path("tp-strategy-old");
    struct jutsu_module *m = NULL;
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_uint_gt(sizeof(struct jutsu_strategy_ops), JUTSU_STRATEGY_OPS_SIZE_1_0);
    int rc = jutsu_module_open(path, &m, &d);
    ck_assert_msg(rc == 0, "%s refused: %s", path, jutsu_diag_line(&d, 0));
    const struct jutsu_strategy_ops *ops = m->desc->ops;
    ck_assert_uint_eq(ops->size, JUTSU_STRATEGY_OPS_SIZE_1_0);
    /* the host asks before it calls what the table lacks */
    ck_assert(!JUTSU_OPS_HAS(ops, jutsu_strategy_ops, committed));
    ck_assert(JUTSU_OPS_HAS(ops, jutsu_strategy_ops, reset));
    jutsu_module_close(m);
    jutsu_diag_free(&d);
    free(path);

    char want[128];
    open_expect("tp-shortops", JUTSU_EABI, &d);
    snprintf(want, sizeof(want), "ops.size: plugin says %zu, ABI %d.0 needs at least %zu",
             JUTSU_SOURCE_OPS_SIZE_1_0 - 1, JUTSU_ABI_MAJOR, JUTSU_SOURCE_OPS_SIZE_1_0);
    ck_assert_msg(jutsu_diag_has(&d, want), "missing: %s; got %s", want, jutsu_diag_line(&d, 0));
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(unknown_kind)
{
    struct jutsu_diag d;
    open_expect("tp-badkind", JUTSU_EABI, &d);
    ck_assert(jutsu_diag_has(&d, "kind: 99 is not a known plugin kind"));
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(bad_schema)
{
    struct jutsu_diag d;
    open_expect("tp-badschema", JUTSU_EABI, &d);
    ck_assert(jutsu_diag_has(&d, "default \"99999\" of key \"port\""));
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(unresolvable_dependency)
{
    struct jutsu_diag d;
    open_expect("tp-undefdep", JUTSU_EIO, &d);
    ck_assert(jutsu_diag_has(&d, "libtpdep.so: cannot open shared object file"));
    ck_assert(jutsu_diag_has(&d, "run `ldd`"));
    jutsu_diag_free(&d);
}
END_TEST

/* A plugin file that is not there is not blamed on a library. */
START_TEST(missing_plugin_file)
{
    char *dir = tu_tmpdir();
    char path[512];
    snprintf(path, sizeof(path), "%s/absent.so", dir);
    struct jutsu_diag d;
    struct jutsu_module *m = NULL;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_module_open(path, &m, &d), JUTSU_EIO);
    ck_assert_msg(jutsu_diag_has(&d, "hint: no such file: check the path"), "got %s",
                  jutsu_diag_line(&d, 1));
    ck_assert(!jutsu_diag_has(&d, "a library it depends on"));
    jutsu_diag_free(&d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(not_a_shared_object)
{
    char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "junk.so", "this is not ELF\n");
    struct jutsu_diag d;
    struct jutsu_module *m = NULL;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_module_open(path, &m, &d), JUTSU_EIO);
    ck_assert(jutsu_diag_has(&d, "cannot load"));
    jutsu_diag_free(&d);
    free(path);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* --- schema checks ------------------------------------------------------- */

struct sc_conf {
    const char *name;
    int64_t     count;
    int         mode;
    int         flag;
};

static const char *const sc_modes[] = { "a", "b", NULL };
static const int sc_mode_values[] = { 5, 6 };

static const struct jutsu_cfg_key sc_nested[] = {
    JUTSU_CFG_KEY("depth", JUTSU_CFG_INT, "1", "How deep"),
    JUTSU_CFG_END
};

/* Checks `schema`; returns the diag for asserts (caller frees). */
static int schema_expect(const struct jutsu_cfg_key *schema, int want, struct jutsu_diag *d)
{
    jutsu_diag_init(d);
    int rc = jutsu_schema_check(schema, "sc.so", d);
    ck_assert_msg(rc == want, "rc %d, want %d; first line: %s", rc, want,
                  jutsu_diag_count(d) ? jutsu_diag_line(d, 0) : "(none)");
    return rc;
}

/* One refusal: exactly one line, and it is `want`. */
static void schema_refused(const struct jutsu_cfg_key *schema, const char *want)
{
    struct jutsu_diag d;
    schema_expect(schema, JUTSU_EABI, &d);
    ck_assert_msg(jutsu_diag_count(&d) == 1, "%zu lines, first: %s", jutsu_diag_count(&d),
                  jutsu_diag_line(&d, 0));
    ck_assert_str_eq(jutsu_diag_line(&d, 0), want);
    jutsu_diag_free(&d);
}

START_TEST(schema_fields_accepted)
{
    /* a field at offset 0, values on an enum field, an enum by index, a
     * field beside a nested map and a list read by path */
    static const struct jutsu_cfg_key ok[] = {
        JUTSU_CFG_KEY_AT("name", JUTSU_CFG_STR, "x", "A name", struct sc_conf, name),
        JUTSU_CFG_INT_RANGE_AT("count", "3", 1, 9, "A count", struct sc_conf, count),
        JUTSU_CFG_ENUM_AT("mode", sc_modes, sc_mode_values, "a", "A mode", struct sc_conf, mode),
        JUTSU_CFG_ENUM_AT("flag", sc_modes, NULL, "b", "An index", struct sc_conf, flag),
        { .name = "nested", .type = JUTSU_CFG_MAP, .sub = sc_nested, .help = "A map" },
        { .name = "tags", .type = JUTSU_CFG_LIST, .help = "A list" },
        JUTSU_CFG_END
    };
    struct jutsu_diag d;
    ck_assert_uint_eq(offsetof(struct sc_conf, name), 0);
    schema_expect(ok, 0, &d);
    ck_assert_uint_eq(jutsu_diag_count(&d), 0);
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(schema_field_on_unfillable_type)
{
    static const struct jutsu_cfg_key list[] = {
        { .name = "tags", .type = JUTSU_CFG_LIST, .flags = JUTSU_CFG_FIELD, .help = "A list" },
        JUTSU_CFG_END
    };
    schema_refused(list, "sc.so: schema: key \"tags\" of type list has the flag "
                   "JUTSU_CFG_FIELD, but a key of that type cannot be filled into a field (read "
                   "it by path: cfg_count, cfg_key_at)");
    static const struct jutsu_cfg_key map[] = {
        { .name = "nested", .type = JUTSU_CFG_MAP, .flags = JUTSU_CFG_FIELD, .sub = sc_nested,
          .help = "A map" },
        JUTSU_CFG_END
    };
    schema_refused(map, "sc.so: schema: key \"nested\" of type map has the flag "
                   "JUTSU_CFG_FIELD, but a key of that type cannot be filled into a field (read "
                   "it by path: cfg_count, cfg_key_at)");
    static const struct jutsu_cfg_key any[] = {
        { .name = "free", .type = JUTSU_CFG_ANY, .flags = JUTSU_CFG_FIELD, .help = "Anything" },
        JUTSU_CFG_END
    };
    schema_refused(any, "sc.so: schema: key \"free\" of type any has the flag "
                   "JUTSU_CFG_FIELD, but a key of that type cannot be filled into a field (read "
                   "it by path: cfg_count, cfg_key_at)");
}
END_TEST

START_TEST(schema_field_in_nested_schema)
{
    static const struct jutsu_cfg_key inner[] = {
        JUTSU_CFG_KEY_AT("name", JUTSU_CFG_STR, "x", "A name", struct sc_conf, name),
        JUTSU_CFG_END
    };
    static const struct jutsu_cfg_key outer[] = {
        { .name = "nested", .type = JUTSU_CFG_MAP, .sub = inner, .help = "A map" },
        JUTSU_CFG_END
    };
    schema_refused(outer, "sc.so: nested: schema: key \"name\" of a nested schema has the flag "
                   "JUTSU_CFG_FIELD, but host->cfg_fill fills top-level keys only (read it by "
                   "path)");
    static const struct jutsu_cfg_key list_of_maps[] = {
        { .name = "items", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_MAP, .sub = inner,
          .help = "Maps" },
        JUTSU_CFG_END
    };
    schema_refused(list_of_maps, "sc.so: items: schema: key \"name\" of a nested schema has the "
                   "flag JUTSU_CFG_FIELD, but host->cfg_fill fills top-level keys only (read it "
                   "by path)");
}
END_TEST

START_TEST(schema_values_misplaced)
{
    static const struct jutsu_cfg_key on_int[] = {
        { .name = "count", .type = JUTSU_CFG_INT, .flags = JUTSU_CFG_FIELD, .def = "1",
          .offset = JUTSU_CFG_OFFSET(struct sc_conf, count, JUTSU_CFG_INT),
          .values = sc_mode_values, .help = "A count" },
        JUTSU_CFG_END
    };
    schema_refused(on_int, "sc.so: schema: key \"count\" of type int has values, which only an "
                   "enum key can have (one per choice)");
    static const struct jutsu_cfg_key no_field[] = {
        { .name = "mode", .type = JUTSU_CFG_ENUM, .def = "a", .choices = sc_modes,
          .values = sc_mode_values, .help = "A mode" },
        JUTSU_CFG_END
    };
    schema_refused(no_field, "sc.so: schema: enum key \"mode\" has values but not the flag "
                   "JUTSU_CFG_FIELD: no field would receive them");
}
END_TEST

START_TEST(schema_offset_without_flag)
{
    static const struct jutsu_cfg_key forgot[] = {
        { .name = "count", .type = JUTSU_CFG_INT, .def = "1",
          .offset = JUTSU_CFG_OFFSET(struct sc_conf, count, JUTSU_CFG_INT), .help = "A count" },
        JUTSU_CFG_END
    };
    char want[256];
    snprintf(want, sizeof(want), "sc.so: schema: key \"count\" has an offset (%zu) but not the "
             "flag JUTSU_CFG_FIELD: its field would never be filled",
             offsetof(struct sc_conf, count));
    schema_refused(forgot, want);
}
END_TEST

START_TEST(schema_reserved_and_flags)
{
    static const int junk = 1;
    static const struct jutsu_cfg_key reserved[] = {
        { .name = "count", .type = JUTSU_CFG_INT, .def = "1", .help = "A count",
          .reserved = { &junk } },
        JUTSU_CFG_END
    };
    schema_refused(reserved, "sc.so: schema: key \"count\" has a nonzero reserved slot (it must "
                   "be zero: a key built from another jutsu/config.h?)");
    static const struct jutsu_cfg_key flags[] = {
        { .name = "count", .type = JUTSU_CFG_INT, .flags = JUTSU_CFG_SECRET | (1u << 9),
          .def = "1", .help = "A count" },
        JUTSU_CFG_END
    };
    schema_refused(flags, "sc.so: schema: key \"count\" has unknown flags 0x200");
}
END_TEST

START_TEST(schema_fields_overlap)
{
    /* count is 8 bytes: a 4-byte field at its offset + 4 shares its bytes */
    static const struct jutsu_cfg_key overlap[] = {
        JUTSU_CFG_KEY_AT("name", JUTSU_CFG_STR, "x", "A name", struct sc_conf, name),
        JUTSU_CFG_INT_RANGE_AT("count", "3", 1, 9, "A count", struct sc_conf, count),
        { .name = "half", .type = JUTSU_CFG_BOOL, .flags = JUTSU_CFG_FIELD, .def = "no",
          .offset = offsetof(struct sc_conf, count) + 4, .help = "Half of count" },
        JUTSU_CFG_END
    };
    char want[256];
    snprintf(want, sizeof(want), "sc.so: schema: keys \"count\" and \"half\" fill overlapping "
             "bytes of the config struct (offsets %zu and %zu): two keys, one member?",
             offsetof(struct sc_conf, count), offsetof(struct sc_conf, count) + 4);
    schema_refused(overlap, want);
    /* the same member twice */
    static const struct jutsu_cfg_key twice[] = {
        JUTSU_CFG_KEY_AT("name", JUTSU_CFG_STR, "x", "A name", struct sc_conf, name),
        JUTSU_CFG_KEY_AT("alias", JUTSU_CFG_STR, "y", "Another", struct sc_conf, name),
        JUTSU_CFG_END
    };
    schema_refused(twice, "sc.so: schema: keys \"name\" and \"alias\" fill overlapping bytes of "
                   "the config struct (offsets 0 and 0): two keys, one member?");
}
END_TEST

START_TEST(schema_bool_defaults)
{
    /* the loader and validation share one list of spellings */
    static const struct jutsu_cfg_key good[] = {
        JUTSU_CFG_KEY("a", JUTSU_CFG_BOOL, "On", "A"),
        JUTSU_CFG_KEY("b", JUTSU_CFG_BOOL, "no", "B"),
        JUTSU_CFG_END
    };
    struct jutsu_diag d;
    schema_expect(good, 0, &d);
    jutsu_diag_free(&d);
    static const struct jutsu_cfg_key bad[] = {
        JUTSU_CFG_KEY("a", JUTSU_CFG_BOOL, "1", "A"),
        JUTSU_CFG_END
    };
    schema_refused(bad, "sc.so: schema: default \"1\" of key \"a\" is not a valid value of its "
                   "type");
}
END_TEST

/* --- instances through the app ------------------------------------------ */

static struct jutsu_app *app_from(const char *yaml, struct jutsu_diag *d, int *rc)
{
    struct jutsu_app *app = NULL;
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    jutsu_diag_init(d);
    *rc = jutsu_app_load_config_string(app, "test.yaml", yaml, d);
    if (*rc == 0)
        *rc = jutsu_app_load_plugins(app, d);
    return app;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, 4096);
    size_t n = fread(buf, 1, 4095, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(two_instances_and_reverse_shutdown)
{
    char *dir = tu_tmpdir();
    char *trace = NULL, *yaml = NULL;
    ck_assert_int_gt(asprintf(&trace, "%s/trace", dir), 0);
    ck_assert_int_gt(asprintf(&yaml,
        "plugin_path: [\"%s\"]\n"
        "plugins:\n"
        "  - name: first\n"
        "    plugin: tp-good\n"
        "    config: {greeting: hi, count: 5, trace_file: \"%s\"}\n"
        "  - name: second\n"
        "    plugin: tp-good\n"
        "    config: {trace_file: \"%s\"}\n",
        getenv("JUTSU_TEST_PLUGIN_DIR"), trace, trace), 0);
    struct jutsu_diag d;
    int rc;
    struct jutsu_app *app = app_from(yaml, &d, &rc);
    jutsu_diag_print(&d, stderr, "diag: ");
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(app->ninst, 2);
    ck_assert_uint_eq(app->nmodules, 1);   /* one .so, two instances */

    int64_t count;
    ck_assert_int_eq(jutsu_cfg_int(app->inst[0]->config, "count", &count), 0);
    ck_assert_int_eq(count, 5);
    ck_assert_int_eq(jutsu_cfg_int(app->inst[1]->config, "count", &count), 0);
    ck_assert_int_eq(count, 3);            /* the schema default */

    ck_assert_int_eq(jutsu_app_start(app), 0);
    ck_assert_ptr_ne(app->inst[0]->state, app->inst[1]->state);
    jutsu_app_stop(app);
    char *got = read_all(trace);
    ck_assert_str_eq(got,
        "init first\nstart first\ninit second\nstart second\n"
        "stop second\nstop first\ndestroy second\ndestroy first\n");
    free(got);
    jutsu_app_free(app);
    jutsu_diag_free(&d);
    free(trace);
    free(yaml);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(failing_init_stops_startup)
{
    char *dir = tu_tmpdir();
    char *trace = NULL, *yaml = NULL;
    ck_assert_int_gt(asprintf(&trace, "%s/trace", dir), 0);
    ck_assert_int_gt(asprintf(&yaml,
        "plugin_path: [\"%s\"]\n"
        "plugins:\n"
        "  - {name: ok1, plugin: tp-good, config: {trace_file: \"%s\"}}\n"
        "  - {name: broken, plugin: tp-initfail}\n"
        "  - {name: never, plugin: tp-good, config: {trace_file: \"%s\"}}\n",
        getenv("JUTSU_TEST_PLUGIN_DIR"), trace, trace), 0);
    struct jutsu_diag d;
    int rc;
    struct jutsu_app *app = app_from(yaml, &d, &rc);
    ck_assert_int_eq(rc, 0);
    unsigned long errors = jutsu_log_count(JUTSU_LOG_ERROR);
    ck_assert_int_eq(jutsu_app_start(app), JUTSU_ETRANSIENT);
    ck_assert_uint_eq(jutsu_log_count(JUTSU_LOG_ERROR), errors + 1);
    ck_assert_str_eq(jutsu_app_find(app, "broken")->error,
                     "cannot reach the test server at 127.0.0.1:9 (deliberate failure)");
    /* what had started is stopped again; what came after never ran */
    char *got = read_all(trace);
    ck_assert_str_eq(got, "init ok1\nstart ok1\nstop ok1\ndestroy ok1\n");
    free(got);
    jutsu_app_free(app);
    jutsu_diag_free(&d);
    free(trace);
    free(yaml);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(optional_instance_may_fail)
{
    char *yaml = NULL;
    ck_assert_int_gt(asprintf(&yaml,
        "plugin_path: [\"%s\"]\n"
        "plugins:\n"
        "  - {name: broken, plugin: tp-initfail, required: false}\n"
        "  - {name: failstart, plugin: tp-good, required: false, config: {fail_start: true}}\n"
        "  - {name: fine, plugin: tp-good}\n",
        getenv("JUTSU_TEST_PLUGIN_DIR")), 0);
    struct jutsu_diag d;
    int rc;
    struct jutsu_app *app = app_from(yaml, &d, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(jutsu_app_start(app), 0);
    ck_assert_int_eq(jutsu_app_find(app, "broken")->failed, 1);
    ck_assert_int_eq(jutsu_app_find(app, "failstart")->failed, 1);
    ck_assert_int_eq(jutsu_app_find(app, "failstart")->inited, 0);  /* destroyed */
    ck_assert_int_eq(jutsu_app_find(app, "fine")->started, 1);
    jutsu_app_free(app);
    jutsu_diag_free(&d);
    free(yaml);
}
END_TEST

START_TEST(config_errors_of_instances)
{
    char *yaml = NULL;
    ck_assert_int_gt(asprintf(&yaml,
        "plugin_path: [\"%s\"]\n"
        "plugins:\n"
        "  - name: a\n"
        "    plugin: tp-good\n"
        "    config:\n"
        "      count: many\n"
        "      colour: blue\n"
        "  - name: a\n"
        "    plugin: tp-good\n"
        "  - name: c\n"
        "    plugin: tp-gone\n"
        "  - name: d\n"
        "    plugin: tp-othermajor\n",
        getenv("JUTSU_TEST_PLUGIN_DIR")), 0);
    struct jutsu_diag d;
    int rc;
    struct jutsu_app *app = app_from(yaml, &d, &rc);
    ck_assert_int_ne(rc, 0);
    jutsu_diag_print(&d, stderr, "expected: ");
    ck_assert(jutsu_diag_has(&d, "test.yaml:6:14: \"many\" is not an integer"));
    ck_assert(jutsu_diag_has(&d, "test.yaml:7:7: unknown key \"colour\""));
    ck_assert(jutsu_diag_has(&d, "allowed: greeting, count, fail_start, topic, trace_file, "
                                 "refuse, fail_fetch, api_token"));
    ck_assert(jutsu_diag_has(&d, "test.yaml:8:11: duplicate instance name \"a\" "
                                 "(first declared at test.yaml:3:11)"));
    ck_assert(jutsu_diag_has(&d, "test.yaml:11:13: unknown plugin \"tp-gone\""));
    ck_assert(jutsu_diag_has(&d, "available: "));
    ck_assert(jutsu_diag_has(&d, "test.yaml:13:13: plugin \"tp-othermajor\" was refused"));
    jutsu_app_free(app);
    jutsu_diag_free(&d);
    free(yaml);
}
END_TEST

/* --- host->cfg_fill through the vtable ------------------------------------ */

struct vt_conf {
    const char *name;
    int64_t     count;
    int         mode;
};

static const char *const vt_modes[] = { "a", "b", NULL };
static const int vt_mode_values[] = { 7, 9 };

static const struct jutsu_cfg_key vt_schema[] = {
    JUTSU_CFG_KEY_AT("name", JUTSU_CFG_STR, "anon", "A name", struct vt_conf, name),
    JUTSU_CFG_INT_RANGE_AT("count", "3", 1, 10, "A count", struct vt_conf, count),
    JUTSU_CFG_ENUM_AT("mode", vt_modes, vt_mode_values, "a", "A mode", struct vt_conf, mode),
    JUTSU_CFG_END
};

/* Never initialised: only its schema is used. */
static const struct jutsu_plugin vt_desc = {
    JUTSU_PLUGIN_HEADER, .kind = JUTSU_KIND_SOURCE, .name = "vt", .version = "1",
    .schema = vt_schema,
};

/* A config validated against `schema`, for an instance of vt_desc. */
static jutsu_cfg *vt_config(const char *text, const struct jutsu_cfg_key *schema)
{
    struct jutsu_diag d;
    jutsu_cfg *cfg = NULL;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_load_string("vt.yaml", text, strlen(text), &cfg, &d), 0);
    ck_assert_int_eq(jutsu_cfg_validate(cfg, jutsu_cfg_root(cfg), schema, "vt", &d), 0);
    jutsu_diag_free(&d);
    return cfg;
}

START_TEST(host_cfg_fill)
{
    static const struct jutsu_cfg_key count_is_text[] = {
        JUTSU_CFG_KEY("count", JUTSU_CFG_STR, "3", "A count, as text"),
        JUTSU_CFG_END
    };
    struct jutsu_app *app = NULL;
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    ck_assert_uint_ge(app->host.abi_minor, 1);
    ck_assert_ptr_nonnull(app->host.cfg_fill);
    struct jutsu_module *m = calloc(1, sizeof(*m));
    ck_assert_ptr_nonnull(m);
    m->path = strdup("vt.so");
    m->desc = &vt_desc;
    ck_assert_int_eq(jutsu_app_adopt_module(app, m), 0);
    jutsu_cfg *good = vt_config("name: first\nmode: b\n", vt_schema);
    jutsu_cfg *other = vt_config("count: many\n", count_is_text);
    jutsu_cfg_node *g = jutsu_cfg_root(good), *o = jutsu_cfg_root(other);
    ck_assert_int_eq(jutsu_app_add_instance(app, "vt1", m, g, g, 1), 0);
    ck_assert_int_eq(jutsu_app_add_instance(app, "vt2", m, o, o, 1), 0);

    /* the instance's own values, defaults filled, the enum as its value */
    struct vt_conf c = { .name = NULL, .count = -1, .mode = -1 };
    ck_assert_int_eq(app->host.cfg_fill(app->inst[0], &c), 0);
    ck_assert_str_eq(c.name, "first");
    ck_assert_int_eq(c.count, 3);
    ck_assert_int_eq(c.mode, 9);
    ck_assert_str_eq(app->inst[0]->error, "");

    /* a config validated against another schema: refused, the reason is
     * the instance's error, as set_error would record it */
    c = (struct vt_conf){ .name = NULL, .count = -1, .mode = -1 };
    ck_assert_int_eq(app->host.cfg_fill(app->inst[1], &c), JUTSU_EINVAL);
    ck_assert_str_eq(app->inst[1]->error, "config key \"name\" has no value, although the "
                     "schema gives it a default (the config was not validated against this "
                     "schema)");
    ck_assert_ptr_null(c.name);
    ck_assert_int_eq(c.count, -1);
    jutsu_app_free(app);
    jutsu_cfg_free(good);
    jutsu_cfg_free(other);
}
END_TEST

/* host->cfg_error puts the key's value's position first; a key left to
 * its default has none, so the instance's declaration (its name) stands
 * in. */
START_TEST(host_cfg_error_positions)
{
    static const char *const cases[][2] = {
        { "{greeting: hi, refuse: greeting}", "test.yaml:5:24: refused on request" },
        { "{greeting: hi, refuse: count}",    "test.yaml:3:11: refused on request" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *yaml = NULL;
        ck_assert_int_gt(asprintf(&yaml,
            "plugin_path: [\"%s\"]\n"
            "plugins:\n"
            "  - name: picky\n"
            "    plugin: tp-good\n"
            "    config: %s\n", getenv("JUTSU_TEST_PLUGIN_DIR"), cases[i][0]), 0);
        struct jutsu_diag d;
        int rc;
        struct jutsu_app *app = app_from(yaml, &d, &rc);
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq(jutsu_app_start(app), JUTSU_ECONFIG);
        ck_assert_str_eq(jutsu_app_find(app, "picky")->error, cases[i][1]);
        jutsu_app_free(app);
        jutsu_diag_free(&d);
        free(yaml);
    }
}
END_TEST

/* A plugin built against ABI 1.0 (abi_minor 0, values read by path, no
 * cfg_fill) loads and runs on this host. */
START_TEST(abi_1_0_plugin_runs)
{
    char *yaml = NULL;
    ck_assert_int_gt(asprintf(&yaml,
        "plugin_path: [\"%s\"]\n"
        "plugins:\n"
        "  - {name: old, plugin: tp-minor0, config: {count: 7}}\n",
        getenv("JUTSU_TEST_PLUGIN_DIR")), 0);
    struct jutsu_diag d;
    int rc;
    struct jutsu_app *app = app_from(yaml, &d, &rc);
    jutsu_diag_print(&d, stderr, "diag: ");
    ck_assert_int_eq(rc, 0);
    struct jutsu_ctx *c = jutsu_app_find(app, "old");
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->module->desc->abi_minor, 0);
    ck_assert_int_eq(jutsu_app_start(app), 0);
    ck_assert_ptr_nonnull(c->state);
    jutsu_app_free(app);
    jutsu_diag_free(&d);
    free(yaml);
}
END_TEST

static Suite *loader_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("descriptor");
    tcase_add_test(tc, good_plugin_loads);
    tcase_add_test(tc, wrong_magic);
    tcase_add_test(tc, newer_minor);
    tcase_add_test(tc, other_major);
    tcase_add_test(tc, missing_symbol);
    tcase_add_test(tc, missing_mandatory_op);
    tcase_add_test(tc, abi_1_0_sizes_are_frozen);
    tcase_add_test(tc, abi_1_0_table_loads_after_an_append);
    tcase_add_test(tc, unknown_kind);
    tcase_add_test(tc, bad_schema);
    tcase_add_test(tc, unresolvable_dependency);
    tcase_add_test(tc, not_a_shared_object);
    tcase_add_test(tc, missing_plugin_file);
    suite_add_tcase(s, tc);
    tc = tcase_create("schema");
    tcase_add_test(tc, schema_fields_accepted);
    tcase_add_test(tc, schema_field_on_unfillable_type);
    tcase_add_test(tc, schema_field_in_nested_schema);
    tcase_add_test(tc, schema_values_misplaced);
    tcase_add_test(tc, schema_offset_without_flag);
    tcase_add_test(tc, schema_reserved_and_flags);
    tcase_add_test(tc, schema_fields_overlap);
    tcase_add_test(tc, schema_bool_defaults);
    suite_add_tcase(s, tc);
    tc = tcase_create("instances");
    tcase_add_test(tc, two_instances_and_reverse_shutdown);
    tcase_add_test(tc, failing_init_stops_startup);
    tcase_add_test(tc, optional_instance_may_fail);
    tcase_add_test(tc, config_errors_of_instances);
    tcase_add_test(tc, host_cfg_fill);
    tcase_add_test(tc, host_cfg_error_positions);
    tcase_add_test(tc, abi_1_0_plugin_runs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* quiet: the configs under test must not turn logging back on */
    jutsu_log_pin(JUTSU_LOG_WARN, JUTSU_LOG_TEXT);
    return tu_run(loader_suite());
}
