/*
 * plugins/storage-postgres/pg_conn.c — connecting, reconnecting, and
 * turning PostgreSQL's failures into errors a person can act on.
 *
 * Every command goes through pg_command(), which owns the reconnect rule:
 * a command that fails because the connection broke is run again after a
 * PQreset when no transaction was open (the command either happened or
 * not, and the host writes idempotently); PQreset is retried with capped
 * doubling pauses for reconnect_timeout_s, long enough to ride out a
 * server restart, while the failure is a passing one; but
 * inside a transaction the work since BEGIN is gone, so the caller gets
 * JUTSU_ETRANSIENT with SQLSTATE 08006 and retries the whole transaction.
 * Until it rolls back, further statements on that connection fail the same
 * way instead of silently running outside any transaction.
 *
 * Connection errors name host:port, user and database, never the password
 * (messages are scrubbed of it as well), and say what to check.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_int.h"

/* ---- errors --------------------------------------------------------------- */

static void copy_field(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

void pg_scrub(const struct pg_state *st, char *text, size_t size)
{
    const char *pw = st->password;
    size_t n = pw ? strlen(pw) : 0;
    char *p;
    (void)size;     /* the text only ever gets shorter */
    /* very short passwords would mangle ordinary words; they cannot hide
     * anything worth hiding in a message either */
    if (n < 3)
        return;
    while ((p = strstr(text, pw)) != NULL) {
        /* the mask goes inside a string that stays terminated (n >= 3) */
        memcpy(p, "***", 3);   /* NOLINT(bugprone-not-null-terminated-result) */
        memmove(p + 3, p + n, strlen(p + n) + 1);
    }
}

static void scrub_all(struct jutsu_db *db)
{
    struct jutsu_db_error *e = &db->err;
    pg_scrub(db->st, e->message, sizeof(e->message));
    pg_scrub(db->st, e->detail, sizeof(e->detail));
    pg_scrub(db->st, e->hint, sizeof(e->hint));
}

int pg_code_for_sqlstate(const char *s)
{
    static const char *const transient[] = {
        "40001", "40P01", "55P03", "53300", "57P01", "57P02", "57P03", NULL
    };
    if (s == NULL || strlen(s) != 5)
        return JUTSU_EDB;
    /* 22001: a value too long for VARCHAR(n). The declared length is a
     * constraint of the schema, and SQLite's schema states it as a CHECK:
     * the same input must fail the same way on both. */
    if (strncmp(s, "23", 2) == 0 || strcmp(s, "22001") == 0)
        return JUTSU_ECONSTRAINT;
    if (strncmp(s, "08", 2) == 0)
        return JUTSU_ETRANSIENT;
    if (strcmp(s, "28P01") == 0 || strcmp(s, "28000") == 0)
        return JUTSU_EAUTH;
    for (int i = 0; transient[i]; i++)
        if (strcmp(s, transient[i]) == 0)
            return JUTSU_ETRANSIENT;
    return JUTSU_EDB;
}

/* The first line of libpq's message, without "ERROR:  " and the newline. */
static void first_line(char *dst, size_t size, const char *msg)
{
    static const char *const prefixes[] = { "ERROR:  ", "FATAL:  ", "PANIC:  ", NULL };
    if (msg == NULL)
        msg = "";
    for (int i = 0; prefixes[i]; i++)
        if (strncmp(msg, prefixes[i], strlen(prefixes[i])) == 0)
            msg += strlen(prefixes[i]);
    size_t n = strcspn(msg, "\n");
    snprintf(dst, size, "%.*s", (int)n, msg);
}

int pg_err_result(struct jutsu_db *db, const PGresult *res)
{
    struct jutsu_db_error *e = &db->err;
    memset(e, 0, sizeof(*e));
    if (res == NULL || PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) == NULL) {
        /* a client-side failure: only the connection's message to go on */
        first_line(e->message, sizeof(e->message),
                   res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
        if (e->message[0] == '\0')
            first_line(e->message, sizeof(e->message), PQerrorMessage(db->conn));
        if (PQstatus(db->conn) == CONNECTION_BAD) {
            copy_field(e->sqlstate, sizeof(e->sqlstate), "08006");
            scrub_all(db);
            return JUTSU_ETRANSIENT;
        }
        scrub_all(db);
        return res == NULL ? JUTSU_ENOMEM : JUTSU_EDB;
    }
    copy_field(e->sqlstate, sizeof(e->sqlstate), PQresultErrorField(res, PG_DIAG_SQLSTATE));
    copy_field(e->message, sizeof(e->message), PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    copy_field(e->detail, sizeof(e->detail), PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
    copy_field(e->hint, sizeof(e->hint), PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
    copy_field(e->table, sizeof(e->table), PQresultErrorField(res, PG_DIAG_TABLE_NAME));
    copy_field(e->column, sizeof(e->column), PQresultErrorField(res, PG_DIAG_COLUMN_NAME));
    copy_field(e->constraint, sizeof(e->constraint),
               PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME));
    /* Where the database says no detail, its context or the position is
     * the next best thing: "COPY ..., line 5, column open" names the row. */
    if (e->detail[0] == '\0') {
        const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
        const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
        if (ctx)
            first_line(e->detail, sizeof(e->detail), ctx);
        else if (pos)
            snprintf(e->detail, sizeof(e->detail), "at character %s of the statement", pos);
    }
    scrub_all(db);
    return pg_code_for_sqlstate(e->sqlstate);
}

int pg_err_set(struct jutsu_db *db, int code, const char *sqlstate, const char *fmt, ...)
{
    struct jutsu_db_error *e = &db->err;
    va_list ap;
    memset(e, 0, sizeof(*e));
    copy_field(e->sqlstate, sizeof(e->sqlstate), sqlstate);
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    scrub_all(db);
    return code;
}

void pg_err_hint(struct jutsu_db *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err.hint, sizeof(db->err.hint), fmt, ap);
    va_end(ap);
    scrub_all(db);
}

int pg_err_tx_lost(struct jutsu_db *db)
{
    pg_err_set(db, JUTSU_ETRANSIENT, "08006",
               "the connection to %s was lost inside a transaction; its work is gone",
               db->st->where);
    pg_err_hint(db, "roll back and run the transaction again");
    return JUTSU_ETRANSIENT;
}

/* Why a connection attempt failed, from libpq's message: the code, its
 * SQLSTATE and what a person should check. */
static int classify_connect(PGconn *conn, const char *msg, const char **sqlstate,
                            const char **hint)
{
    static const struct {
        const char *needle, *sqlstate, *hint;
        int code;
    } rules[] = {
        { "password authentication failed", "28P01",
          "check the password (database.postgresql.password or POSTGRES_PASSWORD)", JUTSU_EAUTH },
        { "no password supplied", "28P01",
          "the server wants a password: set database.postgresql.password", JUTSU_EAUTH },
        { "pg_hba.conf", "28000",
          "the server's pg_hba.conf does not let this user in from here", JUTSU_EAUTH },
        { "authentication failed", "28000",
          "check the user, the password and the server's pg_hba.conf", JUTSU_EAUTH },
        { "role \"", "28000", "create the role on the server or fix database.postgresql.user",
          JUTSU_EAUTH },
        { "database \"", "3D000",
          "create the database (createdb) or fix database.postgresql.database", JUTSU_EDB },
        { "too many", "53300", "the server is out of connection slots: lower pool_size "
          "or raise the server's max_connections", JUTSU_ETRANSIENT },
        { "starting up", "57P03", "the server is starting; retry shortly", JUTSU_ETRANSIENT },
        { "shutting down", "57P03", "the server is shutting down", JUTSU_ETRANSIENT },
    };
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (strstr(msg, rules[i].needle)) {
            *sqlstate = rules[i].sqlstate;
            *hint = rules[i].hint;
            return rules[i].code;
        }
    /* the rules read English; these two do not depend on the language */
    if (PQconnectionNeedsPassword(conn) || PQconnectionUsedPassword(conn)) {
        *sqlstate = "28P01";
        *hint = rules[0].hint;
        return JUTSU_EAUTH;
    }
    *sqlstate = "08001";
    *hint = "is the server running, and accepting TCP/IP connections on that host and port "
            "(listen_addresses, firewall)? check database.postgresql.host and port";
    return JUTSU_ETRANSIENT;
}

/* Fills db->err for a failed connection attempt; returns the code. */
static int connect_error(struct jutsu_db *db)
{
    const char *msg = PQerrorMessage(db->conn), *sqlstate, *hint;
    char line[256], reason[256];
    first_line(line, sizeof(line), msg);
    /* libpq says 'connection to server at "h", port p failed: REASON' */
    const char *r = strstr(line, "failed: ");
    r = r ? r + 8 : line;
    if (strncmp(r, "FATAL:  ", 8) == 0)
        r += 8;
    snprintf(reason, sizeof(reason), "%s", r);
    int code = classify_connect(db->conn, msg, &sqlstate, &hint);
    pg_err_set(db, code, sqlstate, "cannot connect to PostgreSQL at %s:%s as user \"%s\" "
               "(database \"%s\"): %s", db->st->host_name, db->st->port, db->st->user,
               db->st->dbname, reason);
    copy_field(db->err.detail, sizeof(db->err.detail), line);
    pg_err_hint(db, "%s", hint);
    return code;
}

/* ---- connecting ----------------------------------------------------------- */

static void on_notice(void *arg, const PGresult *res)
{
    struct jutsu_db *db = arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    int warn = sev && strcmp(sev, "WARNING") == 0 && !db->quiet;
    int level = warn ? JUTSU_LOG_WARN : JUTSU_LOG_DEBUG;
    if (db->st->host->log_enabled(db->st->ctx, level))
        db->st->host->log(db->st->ctx, level, "server says: %s", msg ? msg : "");
}

/* Session settings the codecs rely on: UTC ISO timestamps, every digit of
 * a float, hex bytea; notices stay on the server. */
static int session_setup(struct jutsu_db *db)
{
    PGresult *r = PQexec(db->conn,
        "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; "
        "SET bytea_output = 'hex'; SET client_min_messages = 'warning'");
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_err_result(db, r);
    PQclear(r);
    return rc;
}

static void report_connect_failure(struct pg_state *st, const struct jutsu_db *db)
{
    const struct jutsu_db_error *e = &db->err;
    st->host->set_error(st->ctx, "%s (%s); %s", e->message, e->detail, e->hint);
    st->host->log(st->ctx, JUTSU_LOG_ERROR, "%s; %s", e->message, e->hint);
}

/* why: NULL to report a failure to the host (its error and log), else
 * where the failure's message goes instead (a try among several). */
static int conn_open(struct pg_state *st, struct jutsu_db **out, char *why, size_t whysz)
{
    const char *keys[14], *vals[14];
    int n = 0, rc;
    struct jutsu_db *db = calloc(1, sizeof(*db));

    *out = NULL;
    if (db == NULL)
        return JUTSU_ENOMEM;
    db->st = st;
#define KV(k, v) do { keys[n] = (k); vals[n] = (v); n++; } while (0)
    KV("host", st->host_name);
    KV("port", st->port);
    KV("user", st->user);
    KV("dbname", st->dbname);
    KV("sslmode", st->sslmode);
    KV("gssencmode", st->gssencmode);
    KV("application_name", st->appname);
    KV("connect_timeout", st->connect_timeout);
    KV("client_encoding", "UTF8");
    if (st->password && *st->password)
        KV("password", st->password);
#undef KV
    keys[n] = vals[n] = NULL;
    /* expand_dbname = 0: a database name is a name, never a conninfo */
    db->conn = PQconnectdbParams(keys, vals, 0);
    if (db->conn == NULL) {
        free(db);
        st->host->set_error(st->ctx, "out of memory connecting to %s", st->where);
        return JUTSU_ENOMEM;
    }
    if (PQstatus(db->conn) != CONNECTION_OK) {
        rc = connect_error(db);
        goto fail;
    }
    PQsetNoticeReceiver(db->conn, on_notice, db);
    if ((rc = session_setup(db)) != 0)
        goto fail;
    atomic_store(&st->connected_once, 1);
    *out = db;
    return 0;
fail:
    if (why == NULL)
        report_connect_failure(st, db);
    else
        snprintf(why, whysz, "%s", db->err.message);
    pg_conn_free(db);
    return rc;
}

int pg_conn_open(struct pg_state *st, struct jutsu_db **out)
{
    return conn_open(st, out, NULL, 0);
}

void pg_conn_free(struct jutsu_db *db)
{
    if (db == NULL)
        return;
    pg_bulk_free(db);
    pg_stmts_free(db);
    pg_tmps_free(db);
    PQfinish(db->conn);
    free(db);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Pauses between reconnect tries double up to this (or the configured
 * first pause, if larger): past it, a longer pause only means noticing the
 * server's return later. */
#define PG_RECONNECT_PAUSE_MAX_MS 2000

static int64_t now_ms(void)
{
    struct timespec ts;
    /* monotonic: a wall-clock step must not stretch or cut the budget */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Tries spaced by doubling pauses within reconnect_timeout_s (and at most
 * reconnect_attempts tries, when that deprecated key is set). */
struct backoff {
    int64_t start, budget, spent;
    int     pause, most, tries;
};

static void backoff_init(struct backoff *b, const struct pg_state *st)
{
    b->start = now_ms();
    b->budget = (int64_t)st->reconnect_timeout_s * 1000;
    b->spent = 0;
    b->pause = st->reconnect_backoff_ms;
    b->most = b->pause > PG_RECONNECT_PAUSE_MAX_MS ? b->pause : PG_RECONNECT_PAUSE_MAX_MS;
    b->tries = 0;
}

/* After a failed try: 1 when another fits (the pause taken), else 0. */
static int backoff_wait(struct backoff *b, const struct pg_state *st)
{
    b->tries++;
    b->spent = now_ms() - b->start;
    if ((st->reconnect_attempts > 0 && b->tries >= st->reconnect_attempts) ||
        b->spent >= b->budget)
        return 0;
    /* the last pause ends at the deadline, for one more try there */
    sleep_ms(b->budget - b->spent < b->pause ? (int)(b->budget - b->spent) : b->pause);
    b->pause = b->pause > b->most / 2 ? b->most : b->pause * 2;
    return 1;
}

/* One try: PQreset and the new session's setup. 0 or a code, db->err filled. */
static int reconnect_once(struct jutsu_db *db)
{
    struct pg_state *st = db->st;
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK)
        return connect_error(db);
    /* A new session: statements, temp tables and locks are gone. */
    db->gen++;
    db->in_tx = db->tx_lost = 0;
    pg_tmps_free(db);
    if (db->locks > 0)
        st->host->log(st->ctx, JUTSU_LOG_WARN, "the %d advisory lock(s) held on %s were "
                      "released when the connection was lost", db->locks, st->where);
    db->locks = 0;
    return session_setup(db);
}

static int reconnect_disabled(struct jutsu_db *db)
{
    const struct pg_state *st = db->st;
    const char *key = st->reconnect_timeout_s == 0 ? "reconnect_timeout_s" : "reconnect_attempts";
    pg_err_set(db, JUTSU_ETRANSIENT, "08006", "the connection to %s is broken and reconnecting "
               "is disabled (%s: 0)", st->where, key);
    pg_err_hint(db, "set database.postgresql.reconnect_timeout_s above 0 (default 30)%s",
                st->reconnect_attempts == 0 ? " and remove reconnect_attempts" : "");
    return JUTSU_ETRANSIENT;
}

/* db->err once the tries are spent: what ran out, and which setting to
 * raise; the last try's own reason becomes the detail. */
static int reconnect_spent(struct jutsu_db *db, int tries, int64_t ms)
{
    struct pg_state *st = db->st;
    char reason[sizeof(db->err.message)], took[32];
    copy_field(reason, sizeof(reason), db->err.message);
    snprintf(took, sizeof(took), "%lld.%03lld s", (long long)(ms / 1000), (long long)(ms % 1000));
    if (st->reconnect_attempts > 0 && tries >= st->reconnect_attempts) {
        pg_err_set(db, JUTSU_ETRANSIENT, "08006", "could not reconnect to %s: %d attempt(s) "
                   "in %s (reconnect_attempts: %d)", st->where, tries, took,
                   st->reconnect_attempts);
        pg_err_hint(db, "remove database.postgresql.reconnect_attempts to retry for "
                    "reconnect_timeout_s (%d s) instead; is the server up?",
                    st->reconnect_timeout_s);
    } else {
        pg_err_set(db, JUTSU_ETRANSIENT, "08006", "could not reconnect to %s within "
                   "reconnect_timeout_s (%d s): %d attempt(s) in %s", st->where,
                   st->reconnect_timeout_s, tries, took);
        pg_err_hint(db, "is the server up? to ride out longer outages raise "
                    "database.postgresql.reconnect_timeout_s (now %d)", st->reconnect_timeout_s);
    }
    copy_field(db->err.detail, sizeof(db->err.detail), reason);
    st->host->log(st->ctx, JUTSU_LOG_ERROR, "%s: %s; %s", db->err.message, reason, db->err.hint);
    return JUTSU_ETRANSIENT;
}

int pg_reconnect(struct jutsu_db *db)
{
    struct pg_state *st = db->st;
    struct backoff b;
    int rc;

    if (st->reconnect_timeout_s == 0 || st->reconnect_attempts == 0)
        return reconnect_disabled(db);
    backoff_init(&b, st);
    for (;;) {
        if ((rc = reconnect_once(db)) == 0) {
            int64_t spent = now_ms() - b.start;
            st->host->log(st->ctx, JUTSU_LOG_INFO, "reconnected to %s after %d attempt(s) in "
                          "%lld.%03lld s", st->where, b.tries + 1, (long long)(spent / 1000),
                          (long long)(spent % 1000));
            return 0;
        }
        /* a wrong password or a missing database outlasts any outage */
        if (rc != JUTSU_ETRANSIENT) {
            st->host->log(st->ctx, JUTSU_LOG_ERROR, "cannot reconnect to %s, and retrying "
                          "would not help: %s", st->where, db->err.message);
            return rc;
        }
        if (b.tries == 0)
            st->host->log(st->ctx, JUTSU_LOG_WARN, "cannot reach %s yet (%s); retrying for "
                          "up to %d s (reconnect_timeout_s)%s", st->where, db->err.message,
                          st->reconnect_timeout_s, st->reconnect_attempts > 0 ?
                          ", as often as reconnect_attempts allows" : "");
        if (!backoff_wait(&b, st))
            return reconnect_spent(db, b.tries, b.spent);
    }
}

int pg_conn_open_retry(struct pg_state *st, struct jutsu_db **out)
{
    char why[256];
    struct backoff b;
    int rc;

    if (!atomic_load(&st->connected_once) || st->reconnect_timeout_s == 0 ||
        st->reconnect_attempts == 0)
        return conn_open(st, out, NULL, 0);
    backoff_init(&b, st);
    for (;;) {
        if ((rc = conn_open(st, out, why, sizeof(why))) == 0) {
            if (b.tries > 0)
                st->host->log(st->ctx, JUTSU_LOG_INFO, "connected to %s again after %d "
                              "attempt(s)", st->where, b.tries + 1);
            return 0;
        }
        if (rc != JUTSU_ETRANSIENT)
            break;
        if (b.tries == 0)
            st->host->log(st->ctx, JUTSU_LOG_WARN, "cannot open a connection to %s (%s); "
                          "retrying for up to %d s (reconnect_timeout_s)", st->where, why,
                          st->reconnect_timeout_s);
        if (!backoff_wait(&b, st))
            break;
    }
    /* the last try once more, reported to the host as a single open is */
    return conn_open(st, out, NULL, 0);
}

/* ---- running commands ------------------------------------------------------ */

void pg_track_tx(struct jutsu_db *db)
{
    switch (PQtransactionStatus(db->conn)) {
    case PQTRANS_IDLE:
        db->in_tx = 0;
        break;
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR:
        db->in_tx = 1;
        break;
    default:        /* unknown while broken: keep what we knew */
        break;
    }
}

static int result_ok(const PGresult *r)
{
    ExecStatusType s = PQresultStatus(r);
    /* EMPTY_QUERY: SQL of comments only, e.g. a migration with nothing to undo */
    return r && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_COPY_IN ||
                 s == PGRES_EMPTY_QUERY);
}

/* COPY TO STDOUT has nowhere to go: drain it so the connection stays usable. */
static int refuse_copy_out(struct jutsu_db *db, PGresult *r)
{
    char *buf;
    PQclear(r);
    while (PQgetCopyData(db->conn, &buf, 0) > 0)
        PQfreemem(buf);
    while ((r = PQgetResult(db->conn)) != NULL)
        PQclear(r);
    pg_track_tx(db);
    return pg_err_set(db, JUTSU_ENOTSUP, "0A000", "COPY TO STDOUT is not supported here; "
                      "read rows with a SELECT");
}

int pg_command(struct jutsu_db *db, pg_cmd_fn fn, void *arg, PGresult **out)
{
    *out = NULL;
    if (db->tx_lost)
        return pg_err_tx_lost(db);
    /* once for the command, then again after each successful reconnect */
    for (int attempt = 0; attempt < 3; attempt++) {
        int in_tx = db->in_tx, rc;
        if (PQstatus(db->conn) == CONNECTION_BAD) {
            if (in_tx) {
                db->tx_lost = 1;
                return pg_err_tx_lost(db);
            }
            if ((rc = pg_reconnect(db)) != 0)
                return rc;
        }
        PGresult *r = fn(db, arg);
        if (PQresultStatus(r) == PGRES_COPY_OUT)
            return refuse_copy_out(db, r);
        if (result_ok(r)) {
            pg_track_tx(db);
            *out = r;
            return 0;
        }
        if (PQstatus(db->conn) != CONNECTION_BAD) {
            rc = pg_err_result(db, r);
            PQclear(r);
            pg_track_tx(db);
            return rc;
        }
        PQclear(r);
        if (in_tx) {
            db->tx_lost = 1;
            return pg_err_tx_lost(db);
        }
        db->st->host->log(db->st->ctx, JUTSU_LOG_WARN,
                          "lost the connection to %s; reconnecting", db->st->where);
    }
    return pg_err_set(db, JUTSU_ETRANSIENT, "08006", "the connection to %s keeps breaking",
                      db->st->where);
}

static PGresult *simple_fn(struct jutsu_db *db, void *arg)
{
    return PQexec(db->conn, arg);
}

int pg_simple(struct jutsu_db *db, const char *sql, PGresult **out)
{
    return pg_command(db, simple_fn, (void *)sql, out);
}
