/*
 * core/store/data_users.c — users, passkeys, blacklisted_tokens, user_invitations.
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
#include "store/store.h"

static const char *const roles[] = { "admin", "viewer", NULL };
static const char *const token_types[] = { "access", "refresh", NULL };

/* WebAuthn caps credential IDs at 1023 bytes; COSE public keys are well
 * under 1 KiB, the cap only keeps a hostile blob out. */
#define CREDENTIAL_ID_MAX 1023
#define PUBLIC_KEY_MAX    65536

/* Steps a statement that has RETURNING id: exactly one row. */
static int insert_returning(jutsu_dbs *s, jutsu_stmt *st, const char *what, int64_t *id)
{
    int rc = s->ops->step(st);
    if (rc < 0)
        return q_fail(s, rc, what);
    if (rc != JUTSU_DB_ROW)
        return jutsu_dbs_fail(s, JUTSU_EDB, "%s: the database returned no id", what);
    int64_t v = c_int(s, st, 0, 0);
    if ((rc = s->ops->step(st)) < 0)
        return q_fail(s, rc, what);
    if (id)
        *id = v;
    return 0;
}

/* A write by key: 0 when a row changed, JUTSU_ENOENT (no message) when none did. */
static int exec_changed(jutsu_dbs *s, jutsu_stmt *st, const char *what)
{
    int rc = q_exec(s, st, what);
    if (rc == 0 && s->ops->changes(st) == 0)
        rc = JUTSU_ENOENT;
    return rc;
}

static int check_id(jutsu_dbs *s, const char *table, const char *col, int64_t id)
{
    if (id <= 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: %lld is not a row id", table, col,
                              (long long)id);
    return 0;
}

static int check_time_set(jutsu_dbs *s, const char *table, const char *col, jutsu_time_t t)
{
    if (t == 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: a value is required", table, col);
    return 0;
}

/* --- users ---------------------------------------------------------------- */

/* backup_codes is a JSON column on PostgreSQL; SQLite would store anything,
 * so both are held to "one JSON value, nothing after it". Not check_json:
 * the message must not echo the codes. */
static int check_backup_codes(jutsu_dbs *s, const char *v)
{
    char why[96];
    if (v && *v && jutsu_json_strict(v, why, sizeof(why)) != 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "users.backup_codes: not JSON (%s)", why);
    return 0;
}

static int check_user(jutsu_dbs *s, const struct jutsu_user_row *u, int role_required)
{
    int rc;
    if ((rc = check_text(s, "users", "username", u->username, 50, 1)) ||
        (rc = check_text(s, "users", "password_hash", u->password_hash, 255, 1)) ||
        (rc = check_text(s, "users", "email", u->email, 255, 0)) ||
        (rc = check_enum(s, "users", "role", u->role, roles, role_required)) ||
        (rc = check_text(s, "users", "totp_secret", u->totp_secret, 255, 0)) ||
        (rc = check_backup_codes(s, u->backup_codes)))
        return rc;
    if (u->failed_login_count < 0)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "users.failed_login_count: %d is negative",
                              (int)u->failed_login_count);
    return 0;
}

#define USER_COLUMNS "id, username, password_hash, email, role, is_active, " \
    "failed_login_count, locked_until, totp_secret, totp_enabled, backup_codes, last_login, " \
    "created_at"

static void user_read(jutsu_dbs *s, jutsu_stmt *st, int copy, struct jutsu_user_row *u)
{
    u->id = c_int(s, st, 0, 0);
    u->username = c_text(s, st, 1, copy);
    u->password_hash = c_text(s, st, 2, copy);
    u->email = c_text(s, st, 3, copy);
    u->role = c_text(s, st, 4, copy);
    u->is_active = (int32_t)c_int(s, st, 5, 0);
    u->failed_login_count = (int32_t)c_int(s, st, 6, 0);
    u->locked_until = c_time(s, st, 7);
    u->totp_secret = c_text(s, st, 8, copy);
    u->totp_enabled = (int32_t)c_int(s, st, 9, 0);
    u->backup_codes = c_text(s, st, 10, copy);
    u->last_login = c_time(s, st, 11);
    u->created_at = c_time(s, st, 12);
}

int jutsu_data_user_create(jutsu_dbs *s, const struct jutsu_user_row *row, int64_t *id)
{
    int rc, own;
    if ((rc = check_user(s, row, 0)) != 0)
        return rc;
    const char *role = row->role && *row->role ? row->role : "viewer";
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "INSERT INTO users (username, password_hash, email, role, is_active, "
                      "failed_login_count, locked_until, totp_secret, totp_enabled, "
                      "backup_codes, last_login, created_at) VALUES ($1, $2, $3, $4, $5, $6, "
                      "$7, $8, $9, $10, $11, $12) RETURNING id", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, row->username)) &&
        !(rc = b_text(s, st, 2, row->password_hash)) && !(rc = b_text(s, st, 3, row->email)) &&
        !(rc = b_text(s, st, 4, role)) && !(rc = b_bool(s, st, 5, row->is_active)) &&
        !(rc = b_int(s, st, 6, row->failed_login_count)) &&
        !(rc = b_time_null(s, st, 7, row->locked_until)) &&
        !(rc = b_text(s, st, 8, row->totp_secret)) && !(rc = b_bool(s, st, 9, row->totp_enabled)) &&
        !(rc = b_text(s, st, 10, row->backup_codes)) &&
        !(rc = b_time_null(s, st, 11, row->last_login)) &&
        !(rc = b_time(s, st, 12, row->created_at ? row->created_at : jutsu_dbs_now(s))))
        rc = insert_returning(s, st, "users: insert", id);
    q_done(s, st);
    return tx_leave(s, own, rc);
}

int jutsu_data_user_get(jutsu_dbs *s, int64_t id, const char *username, struct jutsu_user_row *out)
{
    static const char by_id[] = "SELECT " USER_COLUMNS " FROM users WHERE id = $1";
    static const char by_name[] = "SELECT " USER_COLUMNS " FROM users WHERE username = $1";
    dbs_arena_reset(s);
    if (id <= 0 && (username == NULL || *username == '\0'))
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "users: give an id or a username");
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, id > 0 ? by_id : by_name, &st);
    if (rc || (rc = id > 0 ? b_int(s, st, 1, id) : b_text(s, st, 1, username))) {
        q_done(s, st);
        return rc;
    }
    rc = s->ops->step(st);
    if (rc == JUTSU_DB_ROW) {
        user_read(s, st, 1, out);
        rc = 0;
    } else if (rc == JUTSU_DB_DONE) {
        rc = id > 0 ? jutsu_dbs_fail(s, JUTSU_ENOENT, "users: no user with id %lld", (long long)id)
                    : jutsu_dbs_fail(s, JUTSU_ENOENT, "users: no user \"%.50s\"", username);
    } else {
        rc = q_fail(s, rc, "users: read");
    }
    q_done(s, st);
    return rc;
}

int jutsu_data_user_update(jutsu_dbs *s, const struct jutsu_user_row *row)
{
    int rc, own;
    /* role is required here: defaulting it would silently demote an admin */
    if ((rc = check_id(s, "users", "id", row->id)) || (rc = check_user(s, row, 1)))
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "UPDATE users SET username = $1, password_hash = $2, email = $3, "
                      "role = $4, is_active = $5, failed_login_count = $6, locked_until = $7, "
                      "totp_secret = $8, totp_enabled = $9, backup_codes = $10, "
                      "last_login = $11 WHERE id = $12", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, row->username)) &&
        !(rc = b_text(s, st, 2, row->password_hash)) && !(rc = b_text(s, st, 3, row->email)) &&
        !(rc = b_text(s, st, 4, row->role)) && !(rc = b_bool(s, st, 5, row->is_active)) &&
        !(rc = b_int(s, st, 6, row->failed_login_count)) &&
        !(rc = b_time_null(s, st, 7, row->locked_until)) &&
        !(rc = b_text(s, st, 8, row->totp_secret)) && !(rc = b_bool(s, st, 9, row->totp_enabled)) &&
        !(rc = b_text(s, st, 10, row->backup_codes)) &&
        !(rc = b_time_null(s, st, 11, row->last_login)) && !(rc = b_int(s, st, 12, row->id)))
        rc = exec_changed(s, st, "users: update");
    q_done(s, st);
    if (rc == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "users: no user with id %lld", (long long)row->id);
    return tx_leave(s, own, rc);
}

int jutsu_data_user_delete(jutsu_dbs *s, int64_t id)
{
    int rc, own;
    if ((rc = check_id(s, "users", "id", id)) || (rc = tx_enter(s, &own)))
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "DELETE FROM users WHERE id = $1", &st);
    if (rc == 0 && !(rc = b_int(s, st, 1, id)))
        rc = exec_changed(s, st, "users: delete");
    q_done(s, st);
    if (rc == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "users: no user with id %lld", (long long)id);
    return tx_leave(s, own, rc);
}

static int emit_user(jutsu_dbs *s, jutsu_stmt *st, jutsu_row_fn fn, void *arg)
{
    struct jutsu_user_row u;
    user_read(s, st, 0, &u);
    return fn(&u, arg);
}

int jutsu_data_users_list(jutsu_dbs *s, jutsu_row_fn fn, void *arg)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "SELECT " USER_COLUMNS " FROM users ORDER BY id", &st);
    if (rc)
        return rc;
    return q_range(s, st, emit_user, fn, arg, "users: read");
}

/* --- passkeys ------------------------------------------------------------- */

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

#define PASSKEY_COLUMNS "id, user_id, credential_id, public_key, sign_count, device_name, " \
    "aaguid, created_at, last_used_at"

static void passkey_read(jutsu_dbs *s, jutsu_stmt *st, int copy, struct jutsu_passkey_row *p)
{
    p->id = c_int(s, st, 0, 0);
    p->user_id = c_int(s, st, 1, 0);
    p->credential_id = c_bytes(s, st, 2, &p->credential_id_len, copy);
    p->public_key = c_bytes(s, st, 3, &p->public_key_len, copy);
    p->sign_count = c_int(s, st, 4, 0);
    p->device_name = c_text(s, st, 5, copy);
    p->aaguid = c_text(s, st, 6, copy);
    p->created_at = c_time(s, st, 7);
    p->last_used_at = c_time(s, st, 8);
}

int jutsu_data_passkey_add(jutsu_dbs *s, const struct jutsu_passkey_row *row, int64_t *id)
{
    int rc, own;
    if ((rc = check_id(s, "passkeys", "user_id", row->user_id)) ||
        (rc = check_bytes(s, "credential_id", row->credential_id, row->credential_id_len,
                          CREDENTIAL_ID_MAX)) ||
        (rc = check_bytes(s, "public_key", row->public_key, row->public_key_len,
                          PUBLIC_KEY_MAX)) ||
        (rc = check_sign_count(s, row->sign_count)) ||
        (rc = check_text(s, "passkeys", "device_name", row->device_name, 100, 0)) ||
        (rc = check_text(s, "passkeys", "aaguid", row->aaguid, 36, 0)))
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "INSERT INTO passkeys (user_id, credential_id, public_key, sign_count, "
                      "device_name, aaguid, created_at, last_used_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id", &st);
    if (rc == 0 && !(rc = b_int(s, st, 1, row->user_id)) &&
        !(rc = b_bytes(s, st, 2, row->credential_id, row->credential_id_len)) &&
        !(rc = b_bytes(s, st, 3, row->public_key, row->public_key_len)) &&
        !(rc = b_int(s, st, 4, row->sign_count)) && !(rc = b_text(s, st, 5, row->device_name)) &&
        !(rc = b_text(s, st, 6, row->aaguid)) &&
        !(rc = b_time(s, st, 7, row->created_at ? row->created_at : jutsu_dbs_now(s))) &&
        !(rc = b_time_null(s, st, 8, row->last_used_at)))
        rc = insert_returning(s, st, "passkeys: insert", id);
    q_done(s, st);
    return tx_leave(s, own, rc);
}

static int emit_passkey(jutsu_dbs *s, jutsu_stmt *st, jutsu_row_fn fn, void *arg)
{
    struct jutsu_passkey_row p;
    passkey_read(s, st, 0, &p);
    return fn(&p, arg);
}

int jutsu_data_passkeys_list(jutsu_dbs *s, int64_t user_id, jutsu_row_fn fn, void *arg)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "SELECT " PASSKEY_COLUMNS " FROM passkeys WHERE user_id = $1 "
                          "ORDER BY id", &st);
    if (rc || (rc = b_int(s, st, 1, user_id))) {
        q_done(s, st);
        return rc;
    }
    return q_range(s, st, emit_passkey, fn, arg, "passkeys: read");
}

int jutsu_data_passkey_get(jutsu_dbs *s, const void *credential_id, size_t len,
                           struct jutsu_passkey_row *out)
{
    dbs_arena_reset(s);
    int rc = check_bytes(s, "credential_id", credential_id, len, CREDENTIAL_ID_MAX);
    if (rc)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "SELECT " PASSKEY_COLUMNS " FROM passkeys WHERE credential_id = $1", &st);
    if (rc || (rc = b_bytes(s, st, 1, credential_id, len))) {
        q_done(s, st);
        return rc;
    }
    rc = s->ops->step(st);
    if (rc == JUTSU_DB_ROW) {
        passkey_read(s, st, 1, out);
        rc = 0;
    } else if (rc == JUTSU_DB_DONE) {
        rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "passkeys: no credential with this id (%zu bytes)",
                            len);
    } else {
        rc = q_fail(s, rc, "passkeys: read");
    }
    q_done(s, st);
    return rc;
}

/* Why a guarded touch changed nothing: no such passkey, or a counter that
 * did not grow. */
static int touch_refused(jutsu_dbs *s, int64_t id, int64_t sign_count)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "SELECT sign_count FROM passkeys WHERE id = $1", &st);
    if (rc == 0 && !(rc = b_int(s, st, 1, id))) {
        rc = s->ops->step(st);
        if (rc == JUTSU_DB_ROW)
            rc = jutsu_dbs_fail(s, JUTSU_EINVAL, "passkeys.sign_count: %lld is not greater than "
                                "the stored %lld (a cloned authenticator or a replayed "
                                "assertion)", (long long)sign_count,
                                (long long)c_int(s, st, 0, 0));
        else if (rc == JUTSU_DB_DONE)
            rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "passkeys: no passkey with id %lld",
                                (long long)id);
        else
            rc = q_fail(s, rc, "passkeys: read");
    }
    q_done(s, st);
    return rc;
}

int jutsu_data_passkey_touch(jutsu_dbs *s, int64_t id, int64_t sign_count, jutsu_time_t used_at)
{
    int rc, own;
    if ((rc = check_id(s, "passkeys", "id", id)) || (rc = check_sign_count(s, sign_count)))
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    /* The counter rule (WebAuthn: it must grow, unless the authenticator
     * keeps none and both are 0) is part of the UPDATE, so two concurrent
     * uses of one assertion cannot both pass. */
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "UPDATE passkeys SET sign_count = $1, last_used_at = $2 WHERE id = $3 "
                      "AND (sign_count < $1 OR (sign_count = 0 AND $1 = 0))", &st);
    if (rc == 0 && !(rc = b_int(s, st, 1, sign_count)) &&
        !(rc = b_time(s, st, 2, used_at ? used_at : jutsu_dbs_now(s))) &&
        !(rc = b_int(s, st, 3, id)))
        rc = exec_changed(s, st, "passkeys: touch");
    q_done(s, st);
    if (rc == JUTSU_ENOENT)
        rc = touch_refused(s, id, sign_count);
    return tx_leave(s, own, rc);
}

int jutsu_data_passkey_delete(jutsu_dbs *s, int64_t id)
{
    int rc, own;
    if ((rc = check_id(s, "passkeys", "id", id)) || (rc = tx_enter(s, &own)))
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "DELETE FROM passkeys WHERE id = $1", &st);
    if (rc == 0 && !(rc = b_int(s, st, 1, id)))
        rc = exec_changed(s, st, "passkeys: delete");
    q_done(s, st);
    if (rc == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "passkeys: no passkey with id %lld", (long long)id);
    return tx_leave(s, own, rc);
}

/* --- blacklisted_tokens --------------------------------------------------- */

int jutsu_data_token_blacklist(jutsu_dbs *s, const char *jti, const char *token_type,
                               jutsu_time_t expires_at, int64_t user_id)
{
    int rc, own;
    if ((rc = check_text(s, "blacklisted_tokens", "jti", jti, 36, 1)) ||
        (rc = check_enum(s, "blacklisted_tokens", "token_type", token_type, token_types, 1)) ||
        (rc = check_time_set(s, "blacklisted_tokens", "expires_at", expires_at)))
        return rc;
    if (user_id < 0)
        return check_id(s, "blacklisted_tokens", "user_id", user_id);
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "INSERT INTO blacklisted_tokens (jti, token_type, blacklisted_at, "
                      "expires_at, user_id) VALUES ($1, $2, $3, $4, $5) "
                      "ON CONFLICT (jti) DO NOTHING", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, jti)) && !(rc = b_text(s, st, 2, token_type)) &&
        !(rc = b_time(s, st, 3, jutsu_dbs_now(s))) && !(rc = b_time(s, st, 4, expires_at)) &&
        !(rc = b_id_null(s, st, 5, user_id)))
        rc = q_exec(s, st, "blacklisted_tokens: insert");
    q_done(s, st);
    return tx_leave(s, own, rc);
}

int jutsu_data_token_is_blacklisted(jutsu_dbs *s, const char *jti, int *yes)
{
    int rc = check_text(s, "blacklisted_tokens", "jti", jti, 0, 1);
    if (rc)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "SELECT 1 FROM blacklisted_tokens WHERE jti = $1", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, jti))) {
        rc = s->ops->step(st);
        if (rc == JUTSU_DB_ROW || rc == JUTSU_DB_DONE) {
            *yes = rc == JUTSU_DB_ROW;
            rc = 0;
        } else {
            rc = q_fail(s, rc, "blacklisted_tokens: read");
        }
    }
    q_done(s, st);
    return rc;
}

/* --- user_invitations ----------------------------------------------------- */

#define INVITATION_COLUMNS "id, email, token, role, created_by, created_at, expires_at, " \
    "accepted_at, accepted_by"

int jutsu_data_invitation_create(jutsu_dbs *s, const struct jutsu_invitation_row *row,
                                 int64_t *id)
{
    int rc, own;
    if ((rc = check_text(s, "user_invitations", "token", row->token, 64, 1)) ||
        (rc = check_text(s, "user_invitations", "email", row->email, 255, 0)) ||
        (rc = check_enum(s, "user_invitations", "role", row->role, roles, 0)) ||
        (rc = check_time_set(s, "user_invitations", "expires_at", row->expires_at)))
        return rc;
    if (row->created_by < 0)
        return check_id(s, "user_invitations", "created_by", row->created_by);
    const char *role = row->role && *row->role ? row->role : "viewer";
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "INSERT INTO user_invitations (email, token, role, created_by, created_at, "
                      "expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, row->email)) && !(rc = b_text(s, st, 2, row->token)) &&
        !(rc = b_text(s, st, 3, role)) && !(rc = b_id_null(s, st, 4, row->created_by)) &&
        !(rc = b_time(s, st, 5, row->created_at ? row->created_at : jutsu_dbs_now(s))) &&
        !(rc = b_time(s, st, 6, row->expires_at)))
        rc = insert_returning(s, st, "user_invitations: insert", id);
    q_done(s, st);
    return tx_leave(s, own, rc);
}

static void invitation_read(jutsu_dbs *s, jutsu_stmt *st, struct jutsu_invitation_row *r)
{
    r->id = c_int(s, st, 0, 0);
    r->email = c_text(s, st, 1, 1);
    r->token = c_text(s, st, 2, 1);
    r->role = c_text(s, st, 3, 1);
    r->created_by = c_int(s, st, 4, 0);
    r->created_at = c_time(s, st, 5);
    r->expires_at = c_time(s, st, 6);
    r->accepted_at = c_time(s, st, 7);
    r->accepted_by = c_int(s, st, 8, 0);
}

int jutsu_data_invitation_get(jutsu_dbs *s, const char *token, struct jutsu_invitation_row *out)
{
    dbs_arena_reset(s);
    int rc = check_text(s, "user_invitations", "token", token, 64, 1);
    if (rc)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "SELECT " INVITATION_COLUMNS " FROM user_invitations WHERE token = $1", &st);
    if (rc || (rc = b_text(s, st, 1, token))) {
        q_done(s, st);
        return rc;
    }
    rc = s->ops->step(st);
    if (rc == JUTSU_DB_ROW) {
        invitation_read(s, st, out);
        rc = 0;
    } else if (rc == JUTSU_DB_DONE) {
        rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "user_invitations: no invitation with this token");
    } else {
        rc = q_fail(s, rc, "user_invitations: read");
    }
    q_done(s, st);
    return rc;
}

/* Why a guarded accept changed nothing: unknown, used, or expired. */
static int accept_refused(jutsu_dbs *s, const char *token)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "SELECT accepted_at, expires_at FROM user_invitations "
                          "WHERE token = $1", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, token))) {
        rc = s->ops->step(st);
        if (rc == JUTSU_DB_ROW) {
            jutsu_time_t acc = c_time(s, st, 0), exp = c_time(s, st, 1);
            char t[JUTSU_TIME_BUFSZ];
            jutsu_time_format(acc ? acc : exp, t);
            rc = acc ? jutsu_dbs_fail(s, JUTSU_ESTATE, "user_invitations: the invitation was "
                                      "already used (accepted at %s); ask for a new one", t)
                     : jutsu_dbs_fail(s, JUTSU_ESTATE, "user_invitations: the invitation "
                                      "expired at %s; ask for a new one", t);
        } else if (rc == JUTSU_DB_DONE) {
            rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "user_invitations: no invitation with this "
                                "token");
        } else {
            rc = q_fail(s, rc, "user_invitations: read");
        }
    }
    q_done(s, st);
    return rc;
}

int jutsu_data_invitation_accept(jutsu_dbs *s, const char *token, int64_t user_id,
                                 jutsu_time_t at)
{
    int rc, own;
    if ((rc = check_text(s, "user_invitations", "token", token, 64, 1)))
        return rc;
    if (user_id < 0)
        return check_id(s, "user_invitations", "accepted_by", user_id);
    if (at == 0)
        at = jutsu_dbs_now(s);
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "UPDATE user_invitations SET accepted_at = $3, accepted_by = $2 "
                      "WHERE token = $1 AND accepted_at IS NULL AND expires_at > $3", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, token)) && !(rc = b_id_null(s, st, 2, user_id)) &&
        !(rc = b_time(s, st, 3, at)))
        rc = exec_changed(s, st, "user_invitations: accept");
    q_done(s, st);
    if (rc == JUTSU_ENOENT)
        rc = accept_refused(s, token);
    return tx_leave(s, own, rc);
}
