/*
 * core/store/migrate.c — schema revisions, the Alembic way.
 *
 * Each driver embeds its revisions (struct jutsu_migration, oldest first;
 * the same rev ids on every backend). The host keeps what is applied in
 * jutsu_schema_migrations, one row per revision, and applies each revision
 * and its bookkeeping row in one transaction, so a failure leaves the
 * database at the previous revision, never between two.
 *
 * Applied revisions always form a prefix of the driver's list. A row this
 * binary does not know means the database was upgraded by a newer jutsu:
 * we refuse to touch it.
 *
 * Two processes may upgrade one database at once (two `serve` started
 * together on an empty database). Each transaction that changes the schema
 * first takes the schema's lock, then reads again what is applied, so the
 * second process waits for the first's revision and skips it instead of
 * applying it twice (or failing with PostgreSQL's raw duplicate key in
 * pg_type). The lock is a transaction-level advisory lock on PostgreSQL,
 * released by the commit or rollback, so a pooled connection never keeps
 * it; on SQLite the driver's begin() is BEGIN IMMEDIATE, whose write lock
 * serialises the same way.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "store/store.h"

static const char version_table_sql[] =
    "CREATE TABLE IF NOT EXISTS jutsu_schema_migrations ("
    " rev VARCHAR(64) PRIMARY KEY,"
    " description VARCHAR(200),"
    " applied_at BIGINT NOT NULL)";

/* The advisory lock's key: "jutsusm1" in ASCII. The scheduler's keys are
 * 64-bit FNV hashes of "jutsu.job.<name>", which this is not one of. */
#define SCHEMA_LOCK_KEY INT64_C(0x6a75747375736d31)

/* Begins a transaction that holds the schema's lock until it ends (see the
 * top of the file); waits while another session holds it. */
static int begin_locked(jutsu_dbs *s, const char *what)
{
    int rc = s->ops->begin(s->db);
    if (rc)
        return jutsu_dbs_fail_driver(s, rc, what);
    if (strcmp(s->ops->dialect, "postgresql") != 0)
        return 0;
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT pg_advisory_xact_lock($1::bigint)",
                        "schema lock") == 0) {
        jutsu_q_int(&q, SCHEMA_LOCK_KEY);
        jutsu_q_step(&q);    /* one row, or a failure that q keeps */
    }
    if ((rc = jutsu_q_done(&q)) != 0)
        s->ops->rollback(s->db);
    return rc;
}

static int ensure_version_table(jutsu_dbs *s)
{
    static const char what[] = "jutsu_schema_migrations: create";
    /* under the lock: two concurrent CREATE TABLE IF NOT EXISTS collide in
     * PostgreSQL's catalog */
    int rc = begin_locked(s, what);
    if (rc)
        return rc;
    if ((rc = s->ops->exec(s->db, version_table_sql)) != 0) {
        jutsu_dbs_fail_driver(s, rc, what);
        s->ops->rollback(s->db);
        return rc;
    }
    if ((rc = jutsu_dbs_commit_driver(s, what)) != 0)
        return rc;
    return 0;
}

static int known_index(jutsu_dbs *s, const char *rev)
{
    for (size_t i = 0; i < s->ops->n_migrations; i++)
        if (strcmp(s->ops->migrations[i].rev, rev) == 0)
            return (int)i;
    return -1;
}

int jutsu_migrate_state(jutsu_dbs *s, struct jutsu_migrate_state *st)
{
    memset(st, 0, sizeof(*st));
    st->n_known = s->ops->n_migrations;
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    /* reading the state writes nothing: no bookkeeping table is no revision */
    if (jutsu_q_prepare(&q, s, "SELECT rev FROM jutsu_schema_migrations",
                        "jutsu_schema_migrations: read") != 0) {
        jutsu_dbs_error_clear(s);
        return 0;
    }
    size_t applied = 0;
    int max_index = -1;
    q.copy = 1;
    while (jutsu_q_step(&q) == JUTSU_DB_ROW) {
        const char *rev = jutsu_q_col_text(&q);
        int i = rev ? known_index(s, rev) : -1;
        if (i < 0) {
            st->unknown = rev ? rev : "(null)";
            continue;
        }
        applied++;
        if (i > max_index)
            max_index = i;
    }
    int rc = jutsu_q_done(&q);
    if (rc != 0)
        return rc;
    if (st->unknown)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "the database is at revision %s, which this "
                              "jutsu (%s) does not know: it was upgraded by a newer version. "
                              "Run that version, or restore a backup made before the upgrade",
                              st->unknown, JUTSU_VERSION);
    if ((int)applied != max_index + 1)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "jutsu_schema_migrations lists %zu revisions "
                              "but not all before %s: the bookkeeping was edited by hand",
                              applied, s->ops->migrations[max_index].rev);
    st->n_applied = applied;
    return 0;
}

/* Inside the locked transaction: is revision i still to be applied (up) or
 * undone (down)? 1 yes, 0 another process has done it meanwhile, or a
 * negative code (the transaction is then the caller's to roll back). */
static int still_to_do(jutsu_dbs *s, size_t i, int up)
{
    struct jutsu_migrate_state st;
    int rc = jutsu_migrate_state(s, &st);
    if (rc)
        return rc;
    /* the next revision up, or the last one applied down */
    size_t next = up ? i : i + 1;
    if (st.n_applied == next)
        return 1;
    if (up ? st.n_applied > i : st.n_applied <= i)
        return 0;
    return jutsu_dbs_fail(s, JUTSU_ESTATE, "while %s revision %s, another process took the "
                          "database to %s: run `jutsu db current`, then the command again",
                          up ? "upgrading to" : "downgrading from", s->ops->migrations[i].rev,
                          st.n_applied ? s->ops->migrations[st.n_applied - 1].rev : "base");
}

static int apply_one(jutsu_dbs *s, size_t i, int up)
{
    const struct jutsu_migration *m = &s->ops->migrations[i];
    char what[160];
    snprintf(what, sizeof(what), "revision %s (%s)", m->rev, up ? "upgrade" : "downgrade");
    int rc = begin_locked(s, what);
    if (rc)
        return rc;
    if ((rc = still_to_do(s, i, up)) <= 0) {
        s->ops->rollback(s->db);
        if (rc == 0)
            jutsu_log("jutsu", JUTSU_LOG_INFO, "revision %s was %s by another process "
                      "meanwhile", m->rev, up ? "applied" : "undone");
        return rc;
    }
    rc = s->ops->exec(s->db, up ? m->up : m->down);
    if (rc) {
        jutsu_dbs_fail_driver(s, rc, what);
        s->ops->rollback(s->db);
        return rc;
    }
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, up ? "INSERT INTO jutsu_schema_migrations (rev, description, "
                                    "applied_at) VALUES ($1, $2, $3)"
                                  : "DELETE FROM jutsu_schema_migrations WHERE rev = $1",
                        what) == 0) {
        jutsu_q_text(&q, m->rev);
        if (up) {
            jutsu_q_text(&q, m->description);
            jutsu_q_int(&q, jutsu_dbs_now(s));
        }
    }
    if ((rc = jutsu_q_exec(&q)) != 0) {
        s->ops->rollback(s->db);
        return rc;
    }
    if ((rc = jutsu_dbs_commit_driver(s, what)) != 0)
        return rc;
    jutsu_log("jutsu", JUTSU_LOG_INFO, "%s %s: %s", up ? "upgraded to" : "downgraded from",
              m->rev, m->description ? m->description : "");
    return 0;
}

/* Nonzero if the market or trading tables hold rows (worth a backup). */
static int holds_data(jutsu_dbs *s)
{
    static const char *const probes[] = {
        "SELECT 1 FROM market_data LIMIT 1", "SELECT 1 FROM daily_performance LIMIT 1",
        "SELECT 1 FROM live_trades LIMIT 1", "SELECT 1 FROM users LIMIT 1", NULL
    };
    for (const char *const *p = probes; *p; p++) {
        struct jutsu_q q;
        if (jutsu_q_prepare(&q, s, *p, "probe") != 0) {
            jutsu_dbs_error_clear(s);   /* the table does not exist yet */
            continue;
        }
        int rc = jutsu_q_step(&q);
        jutsu_q_done(&q);
        if (rc == JUTSU_DB_ROW)
            return 1;
    }
    return 0;
}

/* mkdir -p, mode 0750; 0 or -1 with errno. */
static int mkdir_parents(const char *dir)
{
    char path[512];
    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0750) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

static int backup_first(jutsu_dbs *s, const char *dir, const char *from_rev)
{
    if (!JUTSU_OPS_HAS(s->ops, jutsu_storage_ops, backup))
        return jutsu_dbs_fail(s, JUTSU_ENOTSUP, "this storage driver cannot back up; set "
                              "database.backup_before_upgrade: false to upgrade anyway");
    if (mkdir_parents(dir) != 0)
        return jutsu_dbs_fail(s, JUTSU_EIO, "cannot create the backup directory %s: %s", dir,
                              strerror(errno));
    char stamp[JUTSU_TIME_BUFSZ], path[512];
    jutsu_time_format(jutsu_dbs_now(s), stamp);
    for (char *c = stamp; *c; c++)
        if (*c == ':')
            *c = '-';
    snprintf(path, sizeof(path), "%s/jutsu-%s-before-upgrade-%s.backup", dir, from_rev, stamp);
    int rc = s->ops->backup(s->db, path);
    if (rc)
        return jutsu_dbs_fail_driver(s, rc, "backup before upgrade");
    jutsu_log("jutsu", JUTSU_LOG_INFO, "database holds data: backed up to %s before upgrading",
              path);
    return 0;
}

static int resolve_target(jutsu_dbs *s, const char *target, int *index)
{
    if (target == NULL || strcmp(target, "head") == 0) {
        *index = (int)s->ops->n_migrations - 1;
        return 0;
    }
    if (strcmp(target, "base") == 0) {
        *index = -1;
        return 0;
    }
    int i = known_index(s, target);
    if (i < 0) {
        char list[512];
        size_t len = 0;
        for (size_t j = 0; j < s->ops->n_migrations && len < sizeof(list); j++)
            len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", j ? ", " : "",
                                    s->ops->migrations[j].rev);
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "unknown revision \"%s\"; known: %s, head, base",
                              target, list);
    }
    *index = i;
    return 0;
}

int jutsu_migrate_upgrade(jutsu_dbs *s, const char *target, const char *backup_dir)
{
    struct jutsu_migrate_state st;
    int rc = ensure_version_table(s), want;
    if (rc == 0)
        rc = jutsu_migrate_state(s, &st);
    if (rc || (rc = resolve_target(s, target, &want)))
        return rc;
    if (want < (int)st.n_applied - 1)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "the database is already at %s, past %s: "
                              "use `jutsu db downgrade %s`",
                              s->ops->migrations[st.n_applied - 1].rev, target, target);
    if (want == (int)st.n_applied - 1) {
        jutsu_log("jutsu", JUTSU_LOG_INFO, "database is at %s: nothing to upgrade",
                  st.n_applied ? s->ops->migrations[st.n_applied - 1].rev : "base");
        return 0;
    }
    if (backup_dir && st.n_applied > 0 && holds_data(s) &&
        (rc = backup_first(s, backup_dir, s->ops->migrations[st.n_applied - 1].rev)) != 0)
        return rc;
    for (size_t i = st.n_applied; (int)i <= want; i++)
        if ((rc = apply_one(s, i, 1)) != 0)
            return rc;
    return 0;
}

int jutsu_migrate_downgrade(jutsu_dbs *s, const char *target)
{
    struct jutsu_migrate_state st;
    int rc = jutsu_migrate_state(s, &st), want;
    if (rc)
        return rc;
    if (target == NULL)
        target = "-1";
    if (target[0] == '-') {
        char *end;
        long n = strtol(target + 1, &end, 10);
        if (*end || n <= 0)
            return jutsu_dbs_fail(s, JUTSU_EINVAL, "\"%s\": write -N with N >= 1", target);
        if ((size_t)n > st.n_applied)
            return jutsu_dbs_fail(s, JUTSU_EINVAL, "cannot go back %ld revisions: only %zu "
                                  "are applied", n, st.n_applied);
        want = (int)st.n_applied - 1 - (int)n;
    } else if ((rc = resolve_target(s, target, &want)) != 0) {
        return rc;
    }
    if (want > (int)st.n_applied - 1)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "the database is at %s, before %s: use "
                              "`jutsu db upgrade %s`",
                              st.n_applied ? s->ops->migrations[st.n_applied - 1].rev : "base",
                              target, target);
    for (int i = (int)st.n_applied - 1; i > want; i--)
        if ((rc = apply_one(s, (size_t)i, 0)) != 0)
            return rc;
    return 0;
}
