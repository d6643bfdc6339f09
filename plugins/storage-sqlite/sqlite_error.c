/*
 * plugins/storage-sqlite/sqlite_error.c — SQLite failures in the terms of
 * the driver ABI.
 *
 * The data API reacts to the class of a failure (retry a busy transaction,
 * report a duplicate key), not to SQLite's numbers, and it must react the
 * same way on PostgreSQL. So every SQLite result code is mapped to the
 * JUTSU_E* code and SQLSTATE PostgreSQL would use for the same situation,
 * and the table, column and constraint are recovered from SQLite's message
 * ("UNIQUE constraint failed: users.username", "CHECK constraint failed:
 * chk_live_trades_action"), from the statement that failed and, for named
 * constraints, from the table's CREATE statement in sqlite_master.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "sqlite_int.h"

/* Truncating copy into the fixed fields of struct jutsu_db_error. */
static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}
#define COPY(dst, src) copy_str((dst), sizeof(dst), (src))

int sq_map_code(int rc, const char **sqlstate)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: *sqlstate = "23505"; return JUTSU_ECONSTRAINT;
    case SQLITE_CONSTRAINT_CHECK:      *sqlstate = "23514"; return JUTSU_ECONSTRAINT;
    case SQLITE_CONSTRAINT_FOREIGNKEY: *sqlstate = "23503"; return JUTSU_ECONSTRAINT;
    case SQLITE_CONSTRAINT_NOTNULL:    *sqlstate = "23502"; return JUTSU_ECONSTRAINT;
    /* a STRICT table refusing a value of another type: PostgreSQL reports
     * that as a type error, not as a constraint */
    case SQLITE_CONSTRAINT_DATATYPE:   *sqlstate = "42804"; return JUTSU_EDB;
    default: break;
    }
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: *sqlstate = "23000"; return JUTSU_ECONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
    case SQLITE_SCHEMA:     *sqlstate = "40001"; return JUTSU_ETRANSIENT;
    case SQLITE_NOMEM:      *sqlstate = "53200"; return JUTSU_ENOMEM;
    case SQLITE_FULL:       *sqlstate = "53100"; return JUTSU_EDB;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:   *sqlstate = "58030"; return JUTSU_EDB;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:     *sqlstate = "XX001"; return JUTSU_EDB;
    case SQLITE_READONLY:   *sqlstate = "25006"; return JUTSU_EDB;
    case SQLITE_PERM:
    case SQLITE_AUTH:       *sqlstate = "42501"; return JUTSU_EDB;
    case SQLITE_INTERRUPT:  *sqlstate = "57014"; return JUTSU_EDB;
    case SQLITE_TOOBIG:     *sqlstate = "54000"; return JUTSU_EDB;
    case SQLITE_MISMATCH:   *sqlstate = "42804"; return JUTSU_EDB;
    case SQLITE_RANGE:      *sqlstate = "22023"; return JUTSU_EINVAL;
    case SQLITE_ERROR:      *sqlstate = "42000"; return JUTSU_EDB;
    default:                *sqlstate = "XX000"; return JUTSU_EDB;
    }
}

/* SQLITE_ERROR covers every SQL mistake; the message tells which. */
static const char *refine_error_state(const char *msg)
{
    static const struct { const char *text, *state; } known[] = {
        { "no such table",  "42P01" }, { "no such column", "42703" },
        { "syntax error",   "42601" }, { "already exists", "42P07" },
        { "no such index",  "42704" }, { "no such savepoint", "3B001" },
        { "no transaction is active", "25P01" },
        { "within a transaction", "25001" },
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strstr(msg, known[i].text))
            return known[i].state;
    return "42000";
}

const char *sq_hint(const char *state)
{
    static const struct { const char *state, *hint; } hints[] = {
        { "23505", "a row with the same key already exists: write it with an upsert or skip it" },
        { "23514", "the value is outside what the column allows (see the CHECK in the schema)" },
        { "23503", "the referenced row does not exist, or other rows still refer to this one" },
        { "23502", "the column requires a value" },
        { "42804", "the value has the wrong type for the column (STRICT table)" },
        { "40001", "another connection held the database longer than busy_timeout_ms: "
                   "retry the transaction, or raise busy_timeout_ms" },
        { "58030", "check that the file's directory exists and that this user may write to it" },
        { "XX001", "the file is not a SQLite database or is damaged: restore it from a backup" },
        { "53100", "the disk holding the database is full" },
        { "25006", "the database file or its directory is read-only for this user" },
        { "42P01", "the schema is missing or older than this program: apply the migrations" },
        { "42703", "the schema is older than this program: apply the migrations" },
    };
    for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
        if (strcmp(hints[i].state, state) == 0)
            return hints[i].hint;
    return "";
}

int sq_fail(jutsu_db *db, int rc, const char *sql)
{
    struct jutsu_db_error *e = &db->err;
    const char *state;
    int code = sq_map_code(rc, &state);
    /* a NULL handle only happens when sqlite3_open_v2 could not allocate */
    const char *msg = db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc);

    memset(e, 0, sizeof(*e));
    if ((rc & 0xff) == SQLITE_ERROR)
        state = refine_error_state(msg);
    COPY(e->sqlstate, state);
    COPY(e->message, msg);
    snprintf(e->detail, sizeof(e->detail), "SQLite result code %d (%s)", rc, sqlite3_errstr(rc));
    COPY(e->hint, sq_hint(state));
    if ((rc & 0xff) == SQLITE_CONSTRAINT)   /* msg may not outlive the lookups */
        sq_parse_constraint(e, db->h, rc, e->message, sql);
    if (db->drv && db->drv->host->log_enabled(db->drv->ctx, JUTSU_LOG_DEBUG))
        db->drv->host->log(db->drv->ctx, JUTSU_LOG_DEBUG, "%s [%s]%s%.120s", e->message,
                           e->sqlstate, sql ? " in: " : "", sql ? sql : "");
    return code;
}

int sq_fail_msg(jutsu_db *db, int code, const char *sqlstate, const char *fmt, ...)
{
    struct jutsu_db_error *e = &db->err;
    va_list ap;
    memset(e, 0, sizeof(*e));
    COPY(e->sqlstate, sqlstate);
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    if (db->drv && db->drv->host->log_enabled(db->drv->ctx, JUTSU_LOG_DEBUG))
        db->drv->host->log(db->drv->ctx, JUTSU_LOG_DEBUG, "%s [%s]", e->message, e->sqlstate);
    return code;
}

/* --- picking names out of SQL text ---------------------------------------- */

static int ident_char(int c)
{
    return isalnum(c) || c == '_';
}

/* Copies the identifier at *p (bare or quoted) into out; advances *p. */
static int read_ident(const char **p, char *out, size_t size)
{
    const char *s = *p;
    size_t n = 0;
    char close = 0;
    if (*s == '"' || *s == '`' || *s == '[' || *s == '\'') {
        close = *s == '[' ? ']' : *s;
        s++;
    }
    while (*s && (close ? *s != close : ident_char((unsigned char)*s))) {
        if (n + 1 < size)
            out[n++] = *s;
        s++;
    }
    if (close && *s == close)
        s++;
    out[n] = '\0';
    *p = s;
    return n > 0;
}

static const char *skip_space(const char *s)
{
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                s++;
        } else if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");
            s = end ? end + 2 : s + strlen(s);
        } else {
            return s;
        }
    }
}

/* Matches keyword `kw` at s (case-insensitive, whole word). */
static const char *keyword(const char *s, const char *kw)
{
    size_t n = strlen(kw);
    if (strncasecmp(s, kw, n) != 0 || ident_char((unsigned char)s[n]))
        return NULL;
    return skip_space(s + n);
}

/* The table an INSERT, UPDATE or DELETE writes to. */
static void table_of_statement(const char *sql, char *out, size_t size)
{
    const char *p = skip_space(sql), *q;
    out[0] = '\0';
    if ((q = keyword(p, "INSERT")) || (q = keyword(p, "REPLACE"))) {
        p = q;
        if ((q = keyword(p, "OR"))) {
            while (ident_char((unsigned char)*q))
                q++;
            p = skip_space(q);
        }
        if (!(q = keyword(p, "INTO")))
            return;
        p = q;
    } else if ((q = keyword(p, "UPDATE"))) {
        p = q;
        if ((q = keyword(p, "OR"))) {
            while (ident_char((unsigned char)*q))
                q++;
            p = skip_space(q);
        }
    } else if ((q = keyword(p, "DELETE")) && (q = keyword(q, "FROM"))) {
        p = q;
    } else {
        return;
    }
    read_ident(&p, out, size);
}

static int is_sql_word(const char *w)
{
    static const char *const words[] = { "in", "and", "or", "not", "null", "is", "glob",
                                         "like", "between", "case", "when", "then", "else",
                                         "end", "cast", "as", "collate", NULL };
    for (const char *const *k = words; *k; k++)
        if (strcasecmp(*k, w) == 0)
            return 1;
    return 0;
}

/* The first column an expression mentions: "length(symbol) <= 10" ->
 * symbol, "action IN ('BUY', 'SELL')" -> action. */
static void column_of_expr(const char *expr, char *out, size_t size)
{
    const char *p = expr;
    char word[64];
    out[0] = '\0';
    while (*p) {
        if (*p == '\'') {                        /* skip string literals */
            p++;
            while (*p && !(*p == '\'' && p[1] != '\''))
                p += *p == '\'' ? 2 : 1;
            if (*p)
                p++;
            continue;
        }
        if (isalpha((unsigned char)*p) || *p == '_' || *p == '"') {
            read_ident(&p, word, sizeof(word));
            if (*skip_space(p) != '(' && !is_sql_word(word)) {
                snprintf(out, size, "%s", word);
                return;
            }
            continue;
        }
        p++;
    }
}

/* Compares a column list "(a, \"b\" ,c)" at p with "a,b,c". */
static int same_columns(const char *p, const char *cols)
{
    char word[64];
    size_t i = 0;
    p = skip_space(p);
    if (*p++ != '(')
        return 0;
    for (;;) {
        p = skip_space(p);
        if (!read_ident(&p, word, sizeof(word)))
            return 0;
        size_t n = strlen(word);
        if (strncasecmp(cols + i, word, n) != 0)
            return 0;
        i += n;
        p = skip_space(p);
        if (*p == ')')
            return cols[i] == '\0';
        if (*p++ != ',' || cols[i++] != ',')
            return 0;
    }
}

/* Finds, in a CREATE TABLE statement, the CONSTRAINT clause named `name`
 * (then fills `column` from its CHECK expression) or, when name is empty,
 * the UNIQUE / PRIMARY KEY constraint over `cols` (then fills `name`). */
static int scan_constraints(const char *create, char *name, size_t namesz, const char *cols,
                            char *column, size_t colsz)
{
    const char *p = create;
    char found[64];
    while ((p = strcasestr(p, "CONSTRAINT")) != NULL) {
        if (p > create && ident_char((unsigned char)p[-1])) {
            p++;
            continue;
        }
        const char *q = skip_space(p + 10), *r;
        p++;
        if (!read_ident(&q, found, sizeof(found)))
            continue;
        q = skip_space(q);
        if (name[0]) {
            if (strcasecmp(found, name) == 0 && (r = keyword(q, "CHECK"))) {
                column_of_expr(r, column, colsz);
                return 1;
            }
        } else if ((r = keyword(q, "UNIQUE")) ||
                   ((r = keyword(q, "PRIMARY")) && (r = keyword(r, "KEY")))) {
            if (same_columns(r, cols)) {
                snprintf(name, namesz, "%s", found);
                return 1;
            }
        }
    }
    return 0;
}

static void lookup_schema(sqlite3 *h, struct jutsu_db_error *e, const char *cols)
{
    sqlite3_stmt *s = NULL;
    if (h == NULL || e->table[0] == '\0' ||
        sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return;
    if (sqlite3_bind_text(s, 1, e->table, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
        const char *create = (const char *)sqlite3_column_text(s, 0);
        char unused[64];
        char *column = e->column[0] ? unused : e->column;
        scan_constraints(create, e->constraint, sizeof(e->constraint), cols ? cols : "",
                         column, sizeof(e->column));
    }
    sqlite3_finalize(s);
}

/* "t.a, t.b" -> table t, cols "a,b", and the column when there is one. */
static void split_key_columns(struct jutsu_db_error *e, const char *rest, char *cols,
                              size_t colsz)
{
    size_t n = 0, ncols = 0;
    const char *p = rest;
    char word[64], first[64] = "";
    cols[0] = '\0';
    while (*p) {
        p = skip_space(p);
        if (!read_ident(&p, word, sizeof(word)))
            break;
        if (*p == '.') {
            COPY(e->table, word);
            p++;
            if (!read_ident(&p, word, sizeof(word)))
                break;
        }
        if (ncols++ == 0)
            COPY(first, word);
        n += (size_t)snprintf(cols + n, n < colsz ? colsz - n : 0, "%s%s", n ? "," : "", word);
        if (n >= colsz)
            break;
        p = skip_space(p);
        if (*p == ',')
            p++;
    }
    if (ncols == 1)
        COPY(e->column, first);
}

/* PostgreSQL's wording: "Key (a, b) already exists." */
static void key_detail(struct jutsu_db_error *e, const char *cols)
{
    size_t n = 0, size = sizeof(e->detail);
    n += (size_t)snprintf(e->detail, size, "Key (");
    for (const char *c = cols; *c && n + 24 < size; c++) {
        e->detail[n++] = *c;
        if (*c == ',')
            e->detail[n++] = ' ';
    }
    snprintf(e->detail + n, size - n, ") already exists.");
}

static void pg_style_name(struct jutsu_db_error *e, int rc, const char *cols)
{
    char buf[256];   /* table (63) + cols (159) + "_key"; COPY trims to 63 like PostgreSQL */
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        snprintf(buf, sizeof(buf), "%s_pkey", e->table);
    else
        snprintf(buf, sizeof(buf), "%s_%s_key", e->table, cols);
    for (char *c = buf; *c; c++)
        if (*c == ',')
            *c = '_';
    COPY(e->constraint, buf);
}

void sq_parse_constraint(struct jutsu_db_error *e, sqlite3 *h, int rc, const char *msg,
                         const char *sql)
{
    const char *rest = strstr(msg, "constraint failed");
    char cols[160] = "";
    rest = rest ? skip_space(rest + strlen("constraint failed")) : "";
    if (*rest == ':')
        rest = skip_space(rest + 1);
    if (sql)
        table_of_statement(sql, e->table, sizeof(e->table));
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        if (strncmp(rest, "index '", 7) == 0) {      /* a unique expression index */
            const char *p = rest + 6;
            read_ident(&p, e->constraint, sizeof(e->constraint));
            return;
        }
        split_key_columns(e, rest, cols, sizeof(cols));
        key_detail(e, cols);
        lookup_schema(h, e, cols);
        if (e->constraint[0] == '\0' && e->table[0])
            pg_style_name(e, rc, cols);    /* what PostgreSQL would call it */
        return;
    case SQLITE_CONSTRAINT_NOTNULL:
        split_key_columns(e, rest, cols, sizeof(cols));
        snprintf(e->detail, sizeof(e->detail), "null value in column \"%s\"", e->column);
        return;
    case SQLITE_CONSTRAINT_CHECK: {
        const char *p = rest;
        char word[64];
        if (read_ident(&p, word, sizeof(word)) && *skip_space(p) == '\0') {
            COPY(e->constraint, word);          /* a named constraint */
            lookup_schema(h, e, NULL);
        } else {
            column_of_expr(rest, e->column, sizeof(e->column));
            snprintf(e->detail, sizeof(e->detail), "Failing check: %s", rest);
        }
        return;
    }
    case SQLITE_CONSTRAINT_DATATYPE:    /* "cannot store TEXT value in INTEGER column t.c" */
        if ((rest = strstr(msg, " column ")) != NULL)
            split_key_columns(e, rest + 8, cols, sizeof(cols));
        return;
    default:
        return;
    }
}
