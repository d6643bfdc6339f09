/*
 * tests/unit/test_schema.c — the schema our migrations build, checked
 * against the specification and against itself.
 *
 *   - On PostgreSQL the spec's own DDL (tests/fixtures/schema/spec_ddl.sql)
 *     and our migrations are loaded into two scratch databases and their
 *     catalogues compared: every column, constraint and index of the spec's
 *     seven tables must be ours too, identically; ours may hold more only
 *     from a short allow-list.
 *   - On both backends: head -> base -> head, and every single revision
 *     up/down/up, leave byte-identical schema dumps; a database newer than
 *     the binary and an unknown target are refused with words a person can
 *     act on; an upgrade of a database holding data backs it up first.
 *   - Through the data API: money at the edges of NUMERIC(18,6) round-trips
 *     exactly, and bad input names table and column and writes nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "testdb.h"

/* ---- rows of text -------------------------------------------------------- */

struct rows {
    char  **v;
    size_t  n, cap;
};

static void rows_add(struct rows *r, const char *s)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof(*r->v));
        ck_assert_ptr_nonnull(r->v);
    }
    r->v[r->n] = strdup(s ? s : "(null)");
    ck_assert_ptr_nonnull(r->v[r->n]);
    r->n++;
}

static void rows_free(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

static int rows_has(const struct rows *r, const char *s)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i], s) == 0)
            return 1;
    return 0;
}

/* Appends the first column of every row `sql` returns, read as text. */
static void rows_query(struct tdb *t, const char *sql, struct rows *out)
{
    jutsu_stmt *st = NULL;
    struct jutsu_db_value v;
    int rc = t->s->ops->prepare(t->s->db, sql, &st);
    ck_assert_msg(rc == 0, "%s: %s: %s", t->backend, sql, t->s->ops->last_error(t->s->db)->message);
    while ((rc = t->s->ops->step(st)) == JUTSU_DB_ROW)
        rows_add(out, t->s->ops->column(st, 0, JUTSU_DB_TEXT, 0, &v) == 0 &&
                      v.type != JUTSU_DB_NULL ? v.v.s : NULL);
    ck_assert_msg(rc == JUTSU_DB_DONE, "%s: %s: %s", t->backend, sql,
                  t->s->ops->last_error(t->s->db)->message);
    t->s->ops->finalize(st);
}

/* ---- catalogue queries (PostgreSQL) -------------------------------------- */

#define SPEC_TABLES "('market_data', 'daily_performance', 'live_trades', 'positions', " \
                    "'users', 'passkeys', 'system_state')"

/* NOT NULL shows up as CHECK constraints named <oid>_<oid>_<n>_not_null:
 * the OIDs differ between databases, and is_nullable already says it. */
#define NOT_NULL_NAME "'^[0-9]+_[0-9]+_[0-9]+_not_null$'"

#define PG_COLUMNS(where)                                                                    \
    "SELECT table_name || '.' || column_name || ' ' || data_type"                           \
    " || ' len=' || coalesce(character_maximum_length::text, '-')"                          \
    " || ' precision=' || coalesce(numeric_precision::text, '-')"                           \
    " || ' scale=' || coalesce(numeric_scale::text, '-')"                                   \
    " || ' nullable=' || is_nullable || ' default=' || coalesce(column_default, '-')"       \
    " FROM information_schema.columns WHERE table_schema = 'public'" where " ORDER BY 1"

#define PG_CONSTRAINTS(where)                                                                \
    "SELECT tc.table_name || ' ' || tc.constraint_type || ' ' || tc.constraint_name"        \
    " || ': ' || coalesce(pg_get_constraintdef(c.oid), '?')"                                \
    " FROM information_schema.table_constraints tc"                                         \
    " LEFT JOIN pg_constraint c ON c.conname = tc.constraint_name"                          \
    "  AND c.conrelid = ('public.' || quote_ident(tc.table_name))::regclass"                \
    " WHERE tc.table_schema = 'public'"                                                     \
    " AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK')"           \
    " AND tc.constraint_name !~ " NOT_NULL_NAME where " ORDER BY 1"

#define PG_INDEXES(where)                                                                    \
    "SELECT tablename || ' ' || indexname || ': ' || indexdef FROM pg_indexes"              \
    " WHERE schemaname = 'public'" where " ORDER BY 1"

#define PG_CHECKS                                                                            \
    "SELECT tc.table_name || ' ' || cc.constraint_name || ': ' || cc.check_clause"          \
    " FROM information_schema.check_constraints cc"                                         \
    " JOIN information_schema.table_constraints tc"                                         \
    "  ON tc.constraint_schema = cc.constraint_schema"                                      \
    "  AND tc.constraint_name = cc.constraint_name"                                         \
    " WHERE cc.constraint_schema = 'public' AND cc.constraint_name !~ " NOT_NULL_NAME        \
    " ORDER BY 1"

#define IN_SPEC_TABLES " AND table_name IN " SPEC_TABLES

/* What ours may have beyond the spec (the revisions' documented additions). */
static int allowed_extra(const char *kind, const char *row)
{
    static const char *const columns[] = {
        "live_trades.execution_id ",           /* 0002 */
        "daily_performance.welford_count ",    /* 0003 */
        "daily_performance.welford_mean ",
        "daily_performance.welford_m2 ",
        "daily_performance.kpi_state ",
        "live_trades.realized_pnl ",           /* 0004 */
        "daily_performance.metrics ",          /* 0005 */
        NULL
    };
    if (strcmp(kind, "column") == 0) {
        for (const char *const *c = columns; *c; c++)
            if (strncmp(row, *c, strlen(*c)) == 0)
                return 1;
        return 0;
    }
    if (strcmp(kind, "constraint") == 0) {
        const char *p = strstr(row, " CHECK chk_");
        return p != NULL && strchr(row, ' ') == p;   /* "<table> CHECK chk_..." */
    }
    return strncmp(row, "live_trades idx_live_trades_execution: ", 39) == 0;
}

/* Reports spec rows missing from ours and extras of ours that are not
 * allowed; returns how many. */
static int diff_catalogue(const char *kind, const struct rows *spec, const struct rows *ours)
{
    int bad = 0;
    for (size_t i = 0; i < spec->n; i++)
        if (!rows_has(ours, spec->v[i])) {
            fprintf(stderr, "  %-10s spec has, ours lacks: %s\n", kind, spec->v[i]);
            bad++;
        }
    for (size_t i = 0; i < ours->n; i++)
        if (!rows_has(spec, ours->v[i]) && !allowed_extra(kind, ours->v[i])) {
            fprintf(stderr, "  %-10s ours has, spec lacks: %s\n", kind, ours->v[i]);
            bad++;
        }
    return bad;
}

static char *read_fixture(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", tu_source_dir(), rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (set JUTSU_SOURCE_DIR)", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    ck_assert_int_gt(size, 0);
    rewind(f);
    char *text = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    return text;
}

START_TEST(test_spec_vs_migrations)
{
    struct tdb spec, ours;
    tdb_open(&spec, 1, 0);
    if (spec.skipped) {
        tdb_close(&spec);
        return;
    }
    tdb_open(&ours, 1, 0);
    char *ddl = read_fixture("tests/fixtures/schema/spec_ddl.sql");
    tdb_exec(&spec, ddl);
    free(ddl);
    ck_assert_msg(jutsu_migrate_upgrade(ours.s, "head", NULL) == 0, "%s",
                  jutsu_dbs_error(ours.s));

    static const struct { const char *kind, *sql; } cats[] = {
        { "column", PG_COLUMNS(IN_SPEC_TABLES) },
        { "constraint", PG_CONSTRAINTS(" AND tc.table_name IN " SPEC_TABLES) },
        { "index", PG_INDEXES(" AND tablename IN " SPEC_TABLES) },
    };
    int bad = 0;
    size_t extras = 0;
    for (size_t k = 0; k < sizeof(cats) / sizeof(cats[0]); k++) {
        struct rows a = { 0 }, b = { 0 };
        rows_query(&spec, cats[k].sql, &a);
        rows_query(&ours, cats[k].sql, &b);
        ck_assert_msg(a.n > 0, "the spec database has no %s rows: the query is wrong",
                      cats[k].kind);
        bad += diff_catalogue(cats[k].kind, &a, &b);
        for (size_t i = 0; i < b.n; i++)
            extras += !rows_has(&a, b.v[i]);
        /* the spec's seven tables must all be seen */
        if (k == 0) {
            static const char *const seven[] = { "market_data.", "daily_performance.",
                "live_trades.", "positions.", "users.", "passkeys.", "system_state." };
            for (size_t t = 0; t < 7; t++) {
                int seen = 0;
                for (size_t i = 0; i < a.n && !seen; i++)
                    seen = strncmp(a.v[i], seven[t], strlen(seven[t])) == 0;
                ck_assert_msg(seen, "the spec database lacks table %s", seven[t]);
            }
            ck_assert_msg(rows_has(&b, "live_trades.execution_id character varying len=8 "
                                       "precision=- scale=- nullable=YES default=-"),
                          "0002's live_trades.execution_id is not there as expected");
            ck_assert_msg(rows_has(&b, "daily_performance.welford_m2 double precision len=- "
                                       "precision=53 scale=- nullable=YES default=-"),
                          "0003's daily_performance.welford_m2 is not there as expected");
            ck_assert_msg(rows_has(&b, "live_trades.realized_pnl numeric len=- precision=18 "
                                       "scale=6 nullable=YES default=-"),
                          "0004's live_trades.realized_pnl is not there as expected");
        }
        rows_free(&a);
        rows_free(&b);
    }
    ck_assert_msg(bad == 0, "our migrations differ from the spec's DDL in %d row(s) "
                  "(listed above)", bad);
    ck_assert_msg(extras >= 3, "only %zu allowed extra(s): the chk_* constraints, "
                  "execution_id and its index should all be there", extras);
    tdb_close(&ours);
    tdb_close(&spec);
}
END_TEST

/* ---- round trips --------------------------------------------------------- */

static char *dump_schema(struct tdb *t)
{
    static const char *const sqlite_q[] = {
        "SELECT type || ' ' || name || ' ' || tbl_name || ': ' || coalesce(sql, '') "
        "FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name", NULL
    };
    static const char *const pg_q[] = {
        PG_COLUMNS(""), PG_CONSTRAINTS(""), PG_INDEXES(""), PG_CHECKS, NULL
    };
    const char *const *q = strcmp(t->backend, "sqlite") == 0 ? sqlite_q : pg_q;
    struct rows r = { 0 };
    for (; *q; q++)
        rows_query(t, *q, &r);
    size_t len = 1;
    for (size_t i = 0; i < r.n; i++)
        len += strlen(r.v[i]) + 1;
    char *out = malloc(len), *p = out;
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < r.n; i++)
        p += sprintf(p, "%s\n", r.v[i]);
    *p = '\0';
    rows_free(&r);
    return out;
}

/* Prints the lines of `a` not in `b` and vice versa. */
static void print_dump_diff(const char *what, const char *a, const char *b)
{
    struct rows la = { 0 }, lb = { 0 };
    char *ca = strdup(a), *cb = strdup(b), *save = NULL;
    ck_assert(ca && cb);
    for (char *l = strtok_r(ca, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        rows_add(&la, l);
    for (char *l = strtok_r(cb, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        rows_add(&lb, l);
    fprintf(stderr, "%s: schema dumps differ:\n", what);
    for (size_t i = 0; i < la.n; i++)
        if (!rows_has(&lb, la.v[i]))
            fprintf(stderr, "  - %s\n", la.v[i]);
    for (size_t i = 0; i < lb.n; i++)
        if (!rows_has(&la, lb.v[i]))
            fprintf(stderr, "  + %s\n", lb.v[i]);
    rows_free(&la);
    rows_free(&lb);
    free(ca);
    free(cb);
}

static void assert_same_dump(struct tdb *t, const char *what, const char *a, const char *b)
{
    if (strcmp(a, b) != 0)
        print_dump_diff(what, a, b);
    ck_assert_msg(strcmp(a, b) == 0, "%s: %s: the schema dumps differ (diff above)",
                  t->backend, what);
}

/* Everything in the schema besides the bookkeeping table (and, on
 * PostgreSQL, its primary key index). */
static void assert_only_bookkeeping(struct tdb *t)
{
    struct rows r = { 0 };
    int sqlite = strcmp(t->backend, "sqlite") == 0;
    rows_query(t, sqlite ? "SELECT type || ' ' || name FROM sqlite_master "
                           "WHERE name NOT LIKE 'sqlite_%' ORDER BY 1"
                         : "SELECT c.relkind::text || ' ' || c.relname FROM pg_class c "
                           "JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE n.nspname = 'public' ORDER BY 1", &r);
    size_t want = sqlite ? 1 : 2;
    for (size_t i = 0; i < r.n; i++)
        if (strcmp(r.v[i], sqlite ? "table jutsu_schema_migrations" : "r jutsu_schema_migrations")
            != 0 && (sqlite || strcmp(r.v[i], "i jutsu_schema_migrations_pkey") != 0))
            fprintf(stderr, "%s: left after downgrade to base: %s\n", t->backend, r.v[i]);
    ck_assert_msg(r.n == want, "%s: %zu schema object(s) after downgrade to base, want %zu "
                  "(only jutsu_schema_migrations)", t->backend, r.n, want);
    rows_free(&r);
}

static void migrate_ok(struct tdb *t, int up, const char *target)
{
    int rc = up ? jutsu_migrate_upgrade(t->s, target, NULL) : jutsu_migrate_downgrade(t->s, target);
    ck_assert_msg(rc == 0, "%s: %s %s: %s", t->backend, up ? "upgrade" : "downgrade", target,
                  jutsu_dbs_error(t->s));
}

static size_t applied(struct tdb *t)
{
    struct jutsu_migrate_state st;
    ck_assert_msg(jutsu_migrate_state(t->s, &st) == 0, "%s", jutsu_dbs_error(t->s));
    return st.n_applied;
}

START_TEST(test_round_trip)
{
    struct tdb t;
    tdb_open(&t, _i, 0);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    size_t n = t.s->ops->n_migrations;
    ck_assert_uint_ge(n, 2);
    migrate_ok(&t, 1, "head");
    ck_assert_uint_eq(applied(&t), n);
    char *first = dump_schema(&t);
    migrate_ok(&t, 0, "base");
    ck_assert_uint_eq(applied(&t), 0);
    assert_only_bookkeeping(&t);
    migrate_ok(&t, 1, "head");
    char *again = dump_schema(&t);
    assert_same_dump(&t, "head, base, head", first, again);
    free(again);
    free(first);

    /* each revision alone: up to it, back one, up again */
    for (size_t i = 0; i < n; i++) {
        const char *rev = t.s->ops->migrations[i].rev;
        char what[128];
        snprintf(what, sizeof(what), "up to %s, down -1, up", rev);
        migrate_ok(&t, 0, "base");
        migrate_ok(&t, 1, rev);
        ck_assert_uint_eq(applied(&t), i + 1);
        char *before = dump_schema(&t);
        migrate_ok(&t, 0, "-1");
        ck_assert_uint_eq(applied(&t), i);
        char *down = dump_schema(&t);
        ck_assert_msg(strcmp(before, down) != 0, "%s: downgrading %s changed nothing",
                      t.backend, rev);
        migrate_ok(&t, 1, rev);
        char *after = dump_schema(&t);
        assert_same_dump(&t, what, before, after);
        free(before);
        free(down);
        free(after);
    }
    tdb_close(&t);
}
END_TEST

/* ---- refusals ------------------------------------------------------------ */

START_TEST(test_newer_database)
{
    struct tdb t;
    tdb_open(&t, _i, 1);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    tdb_exec(&t, "INSERT INTO jutsu_schema_migrations (rev, description, applied_at) "
                 "VALUES ('9999_future', 'from a later jutsu', 0)");
    int rc = jutsu_migrate_upgrade(t.s, "head", NULL);
    const char *err = jutsu_dbs_error(t.s);
    ck_assert_msg(rc == JUTSU_ESTATE, "%s: upgrade gave %d (%s), want JUTSU_ESTATE", t.backend,
                  rc, err);
    ck_assert_msg(strstr(err, "9999_future") && strstr(err, "newer"), "%s: message: %s",
                  t.backend, err);
    rc = jutsu_migrate_downgrade(t.s, "base");
    ck_assert_int_eq(rc, JUTSU_ESTATE);
    ck_assert_ptr_nonnull(strstr(jutsu_dbs_error(t.s), "9999_future"));
    /* nothing was touched */
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 0);
    ck_assert_int_eq(tdb_count(&t, "jutsu_schema_migrations", NULL),
                     (int64_t)t.s->ops->n_migrations + 1);
    tdb_close(&t);
}
END_TEST

START_TEST(test_unknown_target)
{
    struct tdb t;
    tdb_open(&t, _i, 0);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    for (int up = 1; up >= 0; up--) {
        int rc = up ? jutsu_migrate_upgrade(t.s, "0007_nope", NULL)
                    : jutsu_migrate_downgrade(t.s, "0007_nope");
        const char *err = jutsu_dbs_error(t.s);
        ck_assert_msg(rc == JUTSU_EINVAL, "%s: %s gave %d (%s)", t.backend,
                      up ? "upgrade" : "downgrade", rc, err);
        ck_assert_msg(strstr(err, "\"0007_nope\"") != NULL, "%s: %s", t.backend, err);
        ck_assert_msg(strstr(err, "0001_initial") && strstr(err, "0002_strategy_context"),
                      "%s: the known revisions are not named: %s", t.backend, err);
        for (size_t i = 0; i < t.s->ops->n_migrations; i++)
            ck_assert_msg(strstr(err, t.s->ops->migrations[i].rev) != NULL, "%s lacks %s", err,
                          t.s->ops->migrations[i].rev);
    }
    ck_assert_uint_eq(applied(&t), 0);
    tdb_close(&t);
}
END_TEST

/* Regular files in dir; 0 if it does not exist. `name` gets the last one. */
static int count_files(const char *dir, char *name, size_t size)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (d == NULL)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.') {
            n++;
            if (name)
                snprintf(name, size, "%s", e->d_name);
        }
    closedir(d);
    return n;
}

static struct jutsu_bar_row bar(const char *symbol, int day, jutsu_money_t o, jutsu_money_t h,
                                jutsu_money_t l, jutsu_money_t c)
{
    struct jutsu_bar_row b = {
        .symbol = symbol, .timeframe = "1D",
        .ts = jutsu_date_to_time(jutsu_date_from_ymd(2025, 1, 2) + day) +
              16 * 3600 * JUTSU_USEC_PER_SEC,
        .open = o, .high = h, .low = l, .close = c, .volume = 1000 + day,
        .data_source = "csv", .is_valid = 1,
    };
    return b;
}

START_TEST(test_backup_before_upgrade)
{
    struct tdb t;
    tdb_open(&t, _i, 0);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    char empty_dir[512], dir[512], name[256];
    snprintf(empty_dir, sizeof(empty_dir), "%s/backups-empty", t.dir);
    snprintf(dir, sizeof(dir), "%s/backups", t.dir);

    /* an empty database is not worth a backup */
    migrate_ok(&t, 1, "0001_initial");
    ck_assert_int_eq(jutsu_migrate_upgrade(t.s, "head", empty_dir), 0);
    ck_assert_int_eq(count_files(empty_dir, NULL, 0), 0);

    migrate_ok(&t, 0, "0001_initial");
    struct jutsu_bar_row b = bar("SPY", 0, 500000000, 510000000, 490000000, 505000000);
    ck_assert_msg(jutsu_data_bars_upsert(t.s, &b, 1, NULL, NULL) == 0, "%s",
                  jutsu_dbs_error(t.s));
    int rc = jutsu_migrate_upgrade(t.s, "head", dir);
    ck_assert_msg(rc == 0, "%s: upgrade with backup: %s", t.backend, jutsu_dbs_error(t.s));
    ck_assert_int_eq(count_files(dir, name, sizeof(name)), 1);
    ck_assert_msg(strstr(name, "0001_initial") != NULL, "backup name %s", name);
    char path[800];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_gt(sb.st_size, 0);
    ck_assert_uint_eq(applied(&t), t.s->ops->n_migrations);

    /* backup_dir NULL: no backup anywhere */
    migrate_ok(&t, 0, "0001_initial");
    ck_assert_int_eq(jutsu_migrate_upgrade(t.s, "head", NULL), 0);
    ck_assert_int_eq(count_files(dir, NULL, 0), 1);
    ck_assert_int_eq(count_files(empty_dir, NULL, 0), 0);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 1);
    tdb_close(&t);
}
END_TEST

/* ---- money and bad input through the data API ---------------------------- */

#define M_MAX   INT64_C(999999999999999999)   /* 999999999999.999999 */
#define M_TINY  INT64_C(1)                    /* 0.000001            */
#define M_NEG   INT64_C(-123456789)           /* -123.456789         */

struct collected {
    struct jutsu_bar_row rows[8];
    int n;
};

static int collect(const struct jutsu_bar_row *r, void *arg)
{
    struct collected *c = arg;
    ck_assert_int_lt(c->n, 8);
    c->rows[c->n] = *r;
    c->rows[c->n].symbol = NULL;        /* the driver's text: not kept */
    c->rows[c->n].timeframe = NULL;
    c->rows[c->n].data_source = NULL;
    c->n++;
    return 0;
}

START_TEST(test_money_round_trip)
{
    struct tdb t;
    tdb_open(&t, _i, 1);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    /* each value in each price column once */
    struct jutsu_bar_row in[3] = {
        bar("EDGE", 0, M_MAX, M_TINY, M_NEG, M_MAX),
        bar("EDGE", 1, M_TINY, M_NEG, M_MAX, M_TINY),
        bar("EDGE", 2, M_NEG, M_MAX, M_TINY, M_NEG),
    };
    int64_t ins = -1, skip = -1;
    ck_assert_msg(jutsu_data_bars_upsert(t.s, in, 3, &ins, &skip) == 0, "%s: %s", t.backend,
                  jutsu_dbs_error(t.s));
    ck_assert_int_eq(ins, 3);
    ck_assert_int_eq(skip, 0);

    struct collected got = { .n = 0 };
    ck_assert_int_eq(jutsu_data_bars_range(t.s, "EDGE", "1D", 0, INT64_MAX, 0, collect, &got), 0);
    ck_assert_int_eq(got.n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(got.rows[i].ts, in[i].ts);
        ck_assert_int_eq(got.rows[i].open, in[i].open);
        ck_assert_int_eq(got.rows[i].high, in[i].high);
        ck_assert_int_eq(got.rows[i].low, in[i].low);
        ck_assert_int_eq(got.rows[i].close, in[i].close);
        ck_assert_int_eq(got.rows[i].volume, in[i].volume);
    }

    /* what the database itself holds, read past the API's decoding */
    struct rows raw = { 0 };
    int sqlite = strcmp(t.backend, "sqlite") == 0;
    rows_query(&t, sqlite ? "SELECT CAST(open AS TEXT) FROM market_data ORDER BY timestamp"
                          : "SELECT open::text FROM market_data ORDER BY timestamp", &raw);
    ck_assert_uint_eq(raw.n, 3);
    ck_assert_str_eq(raw.v[0], sqlite ? "999999999999999999" : "999999999999.999999");
    ck_assert_str_eq(raw.v[1], sqlite ? "1" : "0.000001");
    ck_assert_str_eq(raw.v[2], sqlite ? "-123456789" : "-123.456789");
    rows_free(&raw);

    /* the same bars again: nothing inserted, all skipped, nothing changed */
    ck_assert_int_eq(jutsu_data_bars_upsert(t.s, in, 3, &ins, &skip), 0);
    ck_assert_int_eq(ins, 0);
    ck_assert_int_eq(skip, 3);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 3);

    /* a nullable money column of another table, negative */
    struct jutsu_position_row p = {
        .strategy_id = "v3_5b", .mode = "offline_mock", .symbol = "EDGE", .quantity = 7,
        .avg_cost = M_MAX, .market_value = M_TINY, .unrealized_pnl = M_NEG,
    };
    ck_assert_msg(jutsu_data_position_upsert(t.s, &p) == 0, "%s", jutsu_dbs_error(t.s));
    struct jutsu_position_row out;
    ck_assert_int_eq(jutsu_data_position_get(t.s, "v3_5b", "offline_mock", "EDGE", &out), 0);
    ck_assert_int_eq(out.avg_cost, M_MAX);
    ck_assert_int_eq(out.market_value, M_TINY);
    ck_assert_int_eq(out.unrealized_pnl, M_NEG);
    tdb_close(&t);
}
END_TEST

START_TEST(test_bad_input)
{
    struct tdb t;
    tdb_open(&t, _i, 1);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    static const struct {
        int         rc;
        const char *expect;
    } cases[] = {
        { JUTSU_ERANGE, "row 2: market_data.close: 1000000000000000000 micro-units is beyond "
                        "NUMERIC(18,6)" },
        { JUTSU_ERANGE, "row 2: market_data.symbol: \"ABCDEFGHIJK\" is 11 characters, "
                        "the column holds 10" },
        { JUTSU_EINVAL, "row 2: market_data.timeframe: \"2D\" is not one of 1D, 1H, 5m, 15m" },
    };
    for (int k = 0; k < 3; k++) {
        /* a good row first: it must not be written either */
        struct jutsu_bar_row rows[2] = {
            bar("GOOD", 0, 1000000, 1000000, 1000000, 1000000),
            bar("BAD", 1, 1000000, 1000000, 1000000, 1000000),
        };
        if (k == 0)
            rows[1].close = M_MAX + 1;
        else if (k == 1)
            rows[1].symbol = "ABCDEFGHIJK";
        else
            rows[1].timeframe = "2D";
        int64_t ins = -1, skip = -1;
        int rc = jutsu_data_bars_upsert(t.s, rows, 2, &ins, &skip);
        const char *err = jutsu_dbs_error(t.s);
        ck_assert_msg(rc == cases[k].rc, "%s: case %d: rc %d (%s), want %d", t.backend, k, rc,
                      err, cases[k].rc);
        ck_assert_msg(strstr(err, cases[k].expect) != NULL, "%s: case %d: message \"%s\" lacks "
                      "\"%s\"", t.backend, k, err, cases[k].expect);
        ck_assert_int_eq(ins, -1);
        ck_assert_int_eq(skip, -1);
        ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 0);
    }
    /* the smallest money beyond the range, on the low side too */
    struct jutsu_bar_row low = bar("LOW", 0, -M_MAX - 1, 1, 1, 1);
    ck_assert_int_eq(jutsu_data_bars_upsert(t.s, &low, 1, NULL, NULL), JUTSU_ERANGE);
    ck_assert_ptr_nonnull(strstr(jutsu_dbs_error(t.s), "market_data.open"));
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 0);
    tdb_close(&t);
}
END_TEST

static Suite *schema_suite(void)
{
    Suite *s = suite_create("schema");
    TCase *tc = tcase_create("spec");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_spec_vs_migrations);
    suite_add_tcase(s, tc);
    tc = tcase_create("migrations");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_round_trip, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_newer_database, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_unknown_target, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_backup_before_upgrade, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    tc = tcase_create("data");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_money_round_trip, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_bad_input, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(schema_suite());
}
