/*
 * core/store/data_users.c — users, passkeys, blacklisted_tokens,
 * user_invitations.
 *
 * These rows guard the doors, so the rules that make them safe are
 * enforced here and atomically in SQL rather than left to callers: a
 * passkey's signature counter only moves forward (a counter that does not
 * grow is a cloned authenticator or a replayed assertion), an invitation
 * is accepted at most once and never after it expires (the UPDATE itself
 * carries both conditions, so two concurrent accepts cannot both win), and
 * blacklisting a token twice is harmless.
 *
 * A user row is written as given: is_active and totp_enabled are taken
 * from the row (a zeroed row creates an inactive user, which fails closed).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/row.h"

static const char *const roles[] = { "admin", "viewer", NULL };

/* Grows after every write to users, passkeys or blacklisted_tokens made by
 * this process, so that core/auth can tell its cache is stale. */
static uint64_t users_gen;

uint64_t jutsu_data_users_generation(void)
{
    return __atomic_load_n(&users_gen, __ATOMIC_ACQUIRE);
}

static int bumped(int rc)
{
    __atomic_add_fetch(&users_gen, 1, __ATOMIC_ACQ_REL);
    return rc;
}
static const char *const token_types[] = { "access", "refresh", NULL };

/* WebAuthn caps credential IDs at 1023 bytes; COSE public keys are well
 * under 1 KiB, the cap only keeps a hostile blob out. */
#define CREDENTIAL_ID_MAX 1023
#define PUBLIC_KEY_MAX    65536

/* --- users ---------------------------------------------------------------- */

#define UR struct jutsu_user_row
static const struct jutsu_col user_cols[] = {
    COL_ID(UR, id),
    COL_TEXT(UR, username, 50, JUTSU_COL_REQUIRED),
    COL_TEXT(UR, password_hash, 255, JUTSU_COL_REQUIRED),
    COL_TEXT(UR, email, 255, 0),
    /* defaulted on create; an update never defaults it (that would
     * silently demote an admin): there it is required */
    COL_ENUM_DEF(UR, role, roles, "viewer"),
    COL_BOOL(UR, is_active, JUTSU_COL_READ0 | JUTSU_COL_NOTNULL),
    COL_INT(UR, failed_login_count, JUTSU_COL_READ0 | JUTSU_COL_NOTNULL),
    COL_TIME(UR, locked_until, JUTSU_COL_NULL0),
    COL_TEXT(UR, totp_secret, 255, 0),
    COL_BOOL(UR, totp_enabled, JUTSU_COL_READ0 | JUTSU_COL_NOTNULL),
    COL_TEXT(UR, backup_codes, 0, 0),
    COL_TIME(UR, last_login, JUTSU_COL_NULL0),
    COL_TIME(UR, created_at, JUTSU_COL_NOW | JUTSU_COL_KEEP),
};
#undef UR
static const struct jutsu_table users = JUTSU_TABLE("users", struct jutsu_user_row, user_cols);
static struct jutsu_sql user_insert = JUTSU_SQL(&users, JUTSU_SQL_INSERT, "RETURNING id");
static struct jutsu_sql user_update = JUTSU_SQL(&users, JUTSU_SQL_UPDATE, NULL);
static struct jutsu_sql user_by_id = JUTSU_SQL(&users, JUTSU_SQL_SELECT, "WHERE id = $1");
static struct jutsu_sql user_by_name = JUTSU_SQL(&users, JUTSU_SQL_SELECT, "WHERE username = $1");
static struct jutsu_sql users_all = JUTSU_SQL(&users, JUTSU_SQL_SELECT, "ORDER BY id");

/* backup_codes is a JSON column on PostgreSQL; SQLite would store anything,
 * so both are held to "one JSON value, nothing after it". Not
 * jutsu_check_json: the message must not echo the codes. */
static int check_backup_codes(jutsu_dbs *s, const char *v)
{
    char why[96];
    if (v && *v && jutsu_json_strict(v, why, sizeof(why)) != 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "users.backup_codes: not JSON (%s)", why);
    return 0;
}

static int check_user(jutsu_dbs *s, const struct jutsu_user_row *u, int mode)
{
    int rc = jutsu_row_check(s, &users, u, mode);
    if (rc || (rc = check_backup_codes(s, u->backup_codes)))
        return rc;
    if (u->failed_login_count < 0)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "users.failed_login_count: %d is negative",
                              (int)u->failed_login_count);
    return 0;
}

/* Inserts a row of `sql`'s table (RETURNING id) in its own transaction or
 * the caller's. */
static int insert_id(jutsu_dbs *s, struct jutsu_sql *sql, const void *row, const char *what,
                     int64_t *id)
{
    int own, rc = jutsu_dbs_tx_enter(s, &own);
    if (rc != 0)
        return rc;
    struct jutsu_q q;
    jutsu_q_prepare_row(&q, s, sql, row, jutsu_dbs_now(s), what);
    return jutsu_dbs_tx_leave(s, own, jutsu_q_insert_id(&q, id));
}

/* A write by id, in its own transaction or the caller's: 0, JUTSU_ENOENT
 * with "<table>: no <noun> with id N" when no row changed, or the error. */
static int write_by_id(jutsu_dbs *s, struct jutsu_q *q, const char *table, const char *noun,
                       int64_t id, int own)
{
    int rc = jutsu_q_exec_changed(q);
    if (rc == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "%s: no %s with id %lld", table, noun, (long long)id);
    return jutsu_dbs_tx_leave(s, own, rc);
}

int jutsu_data_user_create(jutsu_dbs *s, const struct jutsu_user_row *row, int64_t *id)
{
    int rc = check_user(s, row, JUTSU_ROW_INSERT);
    return rc ? rc : bumped(insert_id(s, &user_insert, row, "users: insert", id));
}

int jutsu_data_user_get(jutsu_dbs *s, int64_t id, const char *username, struct jutsu_user_row *out)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    if (id <= 0 && (username == NULL || *username == '\0'))
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "users: give an id or a username");
    if (jutsu_q_prepare_sql(&q, s, id > 0 ? &user_by_id : &user_by_name, "users: read") != 0)
        return q.rc;
    if (id > 0)
        jutsu_q_int(&q, id);
    else
        jutsu_q_text(&q, username);
    int rc = jutsu_q_one(&q, &users, out);
    if (rc == JUTSU_ENOENT)
        rc = id > 0 ? jutsu_dbs_fail(s, rc, "users: no user with id %lld", (long long)id)
                    : jutsu_dbs_fail(s, rc, "users: no user \"%.50s\"", username);
    return rc;
}

int jutsu_data_user_update(jutsu_dbs *s, const struct jutsu_user_row *row)
{
    int rc, own;
    if ((rc = jutsu_check_id(s, "users", "id", row->id)) ||
        (rc = check_user(s, row, JUTSU_ROW_UPDATE)) || (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    struct jutsu_q q;
    if (jutsu_q_prepare_sql(&q, s, &user_update, "users: update") == 0) {
        jutsu_q_row(&q, &user_update, row, jutsu_dbs_now(s));
        jutsu_q_int(&q, row->id);
    }
    return bumped(write_by_id(s, &q, "users", "user", row->id, own));
}

int jutsu_data_user_delete(jutsu_dbs *s, int64_t id)
{
    int rc, own;
    if ((rc = jutsu_check_id(s, "users", "id", id)) || (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "DELETE FROM users WHERE id = $1", "users: delete") == 0)
        jutsu_q_int(&q, id);
    return bumped(write_by_id(s, &q, "users", "user", id, own));
}

int jutsu_data_users_list(jutsu_dbs *s, jutsu_row_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_user_row r;
    if (jutsu_q_prepare_sql(&q, s, &users_all, "users: read") != 0)
        return q.rc;
    return jutsu_q_each(&q, &users, &r, fn, arg);
}

/* --- passkeys ------------------------------------------------------------- */

#define PR struct jutsu_passkey_row
static const struct jutsu_col passkey_cols[] = {
    COL_ID(PR, id),
    COL_INT64(PR, user_id, 0),
    COL_BYTES(PR, credential_id, credential_id_len),
    COL_BYTES(PR, public_key, public_key_len),
    COL_INT64(PR, sign_count, 0),
    COL_TEXT(PR, device_name, 100, 0),
    COL_TEXT(PR, aaguid, 36, 0),
    COL_TIME(PR, created_at, JUTSU_COL_NOW | JUTSU_COL_KEEP),
    COL_TIME(PR, last_used_at, JUTSU_COL_NULL0),
};
#undef PR
static const struct jutsu_table passkeys = JUTSU_TABLE("passkeys", struct jutsu_passkey_row,
                                                       passkey_cols);
static struct jutsu_sql passkey_insert = JUTSU_SQL(&passkeys, JUTSU_SQL_INSERT, "RETURNING id");
static struct jutsu_sql passkeys_of = JUTSU_SQL(&passkeys, JUTSU_SQL_SELECT,
                                                "WHERE user_id = $1 ORDER BY id");
static struct jutsu_sql passkey_by_credential = JUTSU_SQL(&passkeys, JUTSU_SQL_SELECT,
                                                          "WHERE credential_id = $1");

static int check_bytes(jutsu_dbs *s, const char *col, const void *p, size_t n, size_t max)
{
    if (p == NULL || n == 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "passkeys.%s: a value is required", col);
    if (n > max)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "passkeys.%s: %zu bytes, at most %zu allowed",
                              col, n, max);
    return 0;
}

static int check_sign_count(jutsu_dbs *s, int64_t v)
{
    if (v < 0 || v > INT32_MAX)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "passkeys.sign_count: %lld is outside 0..%d",
                              (long long)v, INT32_MAX);
    return 0;
}

int jutsu_data_passkey_add(jutsu_dbs *s, const struct jutsu_passkey_row *row, int64_t *id)
{
    int rc;
    if ((rc = jutsu_check_id(s, "passkeys", "user_id", row->user_id)) ||
        (rc = check_bytes(s, "credential_id", row->credential_id, row->credential_id_len,
                          CREDENTIAL_ID_MAX)) ||
        (rc = check_bytes(s, "public_key", row->public_key, row->public_key_len,
                          PUBLIC_KEY_MAX)) ||
        (rc = check_sign_count(s, row->sign_count)) ||
        (rc = jutsu_row_check(s, &passkeys, row, JUTSU_ROW_INSERT)))
        return rc;
    return bumped(insert_id(s, &passkey_insert, row, "passkeys: insert", id));
}

int jutsu_data_passkeys_list(jutsu_dbs *s, int64_t user_id, jutsu_row_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_passkey_row r;
    if (jutsu_q_prepare_sql(&q, s, &passkeys_of, "passkeys: read") != 0)
        return q.rc;
    jutsu_q_int(&q, user_id);
    return jutsu_q_each(&q, &passkeys, &r, fn, arg);
}

int jutsu_data_passkey_get(jutsu_dbs *s, const void *credential_id, size_t len,
                           struct jutsu_passkey_row *out)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    int rc = check_bytes(s, "credential_id", credential_id, len, CREDENTIAL_ID_MAX);
    if (rc || (rc = jutsu_q_prepare_sql(&q, s, &passkey_by_credential, "passkeys: read")))
        return rc;
    jutsu_q_bytes(&q, credential_id, len);
    if ((rc = jutsu_q_one(&q, &passkeys, out)) == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "passkeys: no credential with this id (%zu bytes)", len);
    return rc;
}

/* Why a guarded touch changed nothing: no such passkey, or a counter that
 * did not grow. */
static int touch_refused(jutsu_dbs *s, int64_t id, int64_t sign_count)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT sign_count FROM passkeys WHERE id = $1",
                        "passkeys: read") != 0)
        return q.rc;
    jutsu_q_int(&q, id);
    int rc = jutsu_q_step(&q);
    if (rc == JUTSU_DB_ROW)
        q.rc = jutsu_dbs_fail(s, JUTSU_EINVAL, "passkeys.sign_count: %lld is not greater than "
                              "the stored %lld (a cloned authenticator or a replayed "
                              "assertion)", (long long)sign_count,
                              (long long)jutsu_q_col_int(&q, 0));
    else if (rc == JUTSU_DB_DONE)
        q.rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "passkeys: no passkey with id %lld",
                              (long long)id);
    return jutsu_q_done(&q);
}

int jutsu_data_passkey_touch(jutsu_dbs *s, int64_t id, int64_t sign_count, jutsu_time_t used_at)
{
    int rc, own;
    if ((rc = jutsu_check_id(s, "passkeys", "id", id)) || (rc = check_sign_count(s, sign_count)) ||
        (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    /* The counter rule (WebAuthn: it must grow, unless the authenticator
     * keeps none and both are 0) is part of the UPDATE, so two concurrent
     * uses of one assertion cannot both pass. */
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "UPDATE passkeys SET sign_count = $1, last_used_at = $2 "
                               "WHERE id = $3 AND (sign_count < $1 OR (sign_count = 0 AND "
                               "$1 = 0))", "passkeys: touch") == 0) {
        jutsu_q_int(&q, sign_count);
        jutsu_q_time(&q, used_at ? used_at : jutsu_dbs_now(s));
        jutsu_q_int(&q, id);
    }
    if ((rc = jutsu_q_exec_changed(&q)) == JUTSU_ENOENT)
        rc = touch_refused(s, id, sign_count);
    return jutsu_dbs_tx_leave(s, own, rc);
}

int jutsu_data_passkey_delete(jutsu_dbs *s, int64_t id)
{
    int rc, own;
    if ((rc = jutsu_check_id(s, "passkeys", "id", id)) || (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "DELETE FROM passkeys WHERE id = $1", "passkeys: delete") == 0)
        jutsu_q_int(&q, id);
    return bumped(write_by_id(s, &q, "passkeys", "passkey", id, own));
}

/* --- blacklisted_tokens --------------------------------------------------- */

int jutsu_data_token_blacklist(jutsu_dbs *s, const char *jti, const char *token_type,
                               jutsu_time_t expires_at, int64_t user_id)
{
    int rc, own;
    if ((rc = jutsu_check_text(s, "blacklisted_tokens", "jti", jti, 36, 1)) ||
        (rc = jutsu_check_enum(s, "blacklisted_tokens", "token_type", token_type, token_types,
                               1)) ||
        (rc = jutsu_check_time_set(s, "blacklisted_tokens", "expires_at", expires_at)))
        return rc;
    if (user_id < 0)
        return jutsu_check_id(s, "blacklisted_tokens", "user_id", user_id);
    if ((rc = jutsu_dbs_tx_enter(s, &own)) != 0)
        return rc;
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "INSERT INTO blacklisted_tokens (jti, token_type, blacklisted_at, "
                               "expires_at, user_id) VALUES ($1, $2, $3, $4, $5) "
                               "ON CONFLICT (jti) DO NOTHING", "blacklisted_tokens: insert") == 0) {
        jutsu_q_text(&q, jti);
        jutsu_q_text(&q, token_type);
        jutsu_q_time(&q, jutsu_dbs_now(s));
        jutsu_q_time(&q, expires_at);
        if (user_id == 0)
            jutsu_q_null(&q);
        else
            jutsu_q_int(&q, user_id);
    }
    return bumped(jutsu_dbs_tx_leave(s, own, jutsu_q_exec(&q)));
}

int jutsu_data_token_is_blacklisted(jutsu_dbs *s, const char *jti, int *yes)
{
    struct jutsu_q q;
    int rc = jutsu_check_text(s, "blacklisted_tokens", "jti", jti, 0, 1);
    if (rc || (rc = jutsu_q_prepare(&q, s, "SELECT 1 FROM blacklisted_tokens WHERE jti = $1",
                                    "blacklisted_tokens: read")))
        return rc;
    jutsu_q_text(&q, jti);
    rc = jutsu_q_step(&q);
    if (rc == JUTSU_DB_ROW || rc == JUTSU_DB_DONE)
        *yes = rc == JUTSU_DB_ROW;
    return jutsu_q_done(&q);
}

/* --- user_invitations ----------------------------------------------------- */

#define IR struct jutsu_invitation_row
static const struct jutsu_col invitation_cols[] = {
    COL_ID(IR, id),
    COL_TEXT(IR, token, 64, JUTSU_COL_REQUIRED),
    COL_TEXT(IR, email, 255, 0),
    COL_ENUM_DEF(IR, role, roles, "viewer"),
    COL_INT64(IR, created_by, JUTSU_COL_NULL0),
    COL_TIME(IR, created_at, JUTSU_COL_NOW | JUTSU_COL_KEEP),
    COL_TIME(IR, expires_at, 0),
    COL_TIME(IR, accepted_at, JUTSU_COL_LATER),
    COL_INT64(IR, accepted_by, JUTSU_COL_LATER),
};
#undef IR
static const struct jutsu_table invitations = JUTSU_TABLE("user_invitations",
                                                          struct jutsu_invitation_row,
                                                          invitation_cols);
static struct jutsu_sql invitation_insert = JUTSU_SQL(&invitations, JUTSU_SQL_INSERT,
                                                      "RETURNING id");
static struct jutsu_sql invitation_by_token = JUTSU_SQL(&invitations, JUTSU_SQL_SELECT,
                                                        "WHERE token = $1");

int jutsu_data_invitation_create(jutsu_dbs *s, const struct jutsu_invitation_row *row,
                                 int64_t *id)
{
    int rc;
    if ((rc = jutsu_row_check(s, &invitations, row, JUTSU_ROW_INSERT)) ||
        (rc = jutsu_check_time_set(s, "user_invitations", "expires_at", row->expires_at)))
        return rc;
    if (row->created_by < 0)
        return jutsu_check_id(s, "user_invitations", "created_by", row->created_by);
    return insert_id(s, &invitation_insert, row, "user_invitations: insert", id);
}

int jutsu_data_invitation_get(jutsu_dbs *s, const char *token, struct jutsu_invitation_row *out)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    int rc = jutsu_check_text(s, "user_invitations", "token", token, 64, 1);
    if (rc || (rc = jutsu_q_prepare_sql(&q, s, &invitation_by_token, "user_invitations: read")))
        return rc;
    jutsu_q_text(&q, token);
    if ((rc = jutsu_q_one(&q, &invitations, out)) == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "user_invitations: no invitation with this token");
    return rc;
}

/* Why a guarded accept changed nothing: unknown, used, or expired. */
static int accept_refused(jutsu_dbs *s, const char *token)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT accepted_at, expires_at FROM user_invitations "
                               "WHERE token = $1", "user_invitations: read") != 0)
        return q.rc;
    jutsu_q_text(&q, token);
    int rc = jutsu_q_step(&q);
    if (rc == JUTSU_DB_ROW) {
        jutsu_time_t acc = jutsu_q_col_time(&q), exp = jutsu_q_col_time(&q);
        char t[JUTSU_TIME_BUFSZ];
        jutsu_time_format(acc ? acc : exp, t);
        q.rc = acc ? jutsu_dbs_fail(s, JUTSU_ESTATE, "user_invitations: the invitation was "
                                    "already used (accepted at %s); ask for a new one", t)
                   : jutsu_dbs_fail(s, JUTSU_ESTATE, "user_invitations: the invitation "
                                    "expired at %s; ask for a new one", t);
    } else if (rc == JUTSU_DB_DONE) {
        q.rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "user_invitations: no invitation with this "
                              "token");
    }
    return jutsu_q_done(&q);
}

int jutsu_data_invitation_accept(jutsu_dbs *s, const char *token, int64_t user_id,
                                 jutsu_time_t at)
{
    int rc, own;
    if ((rc = jutsu_check_text(s, "user_invitations", "token", token, 64, 1)))
        return rc;
    if (user_id < 0)
        return jutsu_check_id(s, "user_invitations", "accepted_by", user_id);
    if (at == 0)
        at = jutsu_dbs_now(s);
    if ((rc = jutsu_dbs_tx_enter(s, &own)) != 0)
        return rc;
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "UPDATE user_invitations SET accepted_at = $3, accepted_by = $2 "
                               "WHERE token = $1 AND accepted_at IS NULL AND expires_at > $3",
                        "user_invitations: accept") == 0) {
        jutsu_q_text(&q, token);
        if (user_id == 0)
            jutsu_q_null(&q);
        else
            jutsu_q_int(&q, user_id);
        jutsu_q_time(&q, at);
    }
    if ((rc = jutsu_q_exec_changed(&q)) == JUTSU_ENOENT)
        rc = accept_refused(s, token);
    return jutsu_dbs_tx_leave(s, own, rc);
}
