/*
 * tests/unit/test_data_users.c — users, passkeys, blacklisted tokens and
 * invitations on SQLite and PostgreSQL alike (core/store/data_users.c).
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "testdb.h"

/* 2025-06-02T14:30:00Z */
#define NOW (jutsu_date_to_time(jutsu_date_from_ymd(2025, 6, 2)) + \
             INT64_C(52200) * JUTSU_USEC_PER_SEC)
#define HOURS(n) ((jutsu_time_t)(n) * 3600 * JUTSU_USEC_PER_SEC)

static jutsu_time_t fixed_clock(void *arg)
{
    return NOW;
}

static int open_db(struct tdb *t, int i)
{
    tdb_open(t, i, 1);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    t->app->clock = fixed_clock;
    return 1;
}

static int64_t add_user(struct tdb *t, const char *name, const char *role)
{
    struct jutsu_user_row u = {
        .username = name, .password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA",
        .role = role, .is_active = 1,
    };
    int64_t id = 0;
    ck_assert_msg(jutsu_data_user_create(t->s, &u, &id) == 0, "%s: %s", t->backend,
                  jutsu_dbs_error(t->s));
    ck_assert_int_gt(id, 0);
    return id;
}

/* --- users ---------------------------------------------------------------- */

static int collect_names(const void *row, void *arg)
{
    const struct jutsu_user_row *u = row;
    char *out = arg;
    strcat(out, u->username);
    strcat(out, ",");
    return 0;
}

START_TEST(test_users_crud)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    int64_t alice = add_user(&t, "alice", NULL);
    struct jutsu_user_row bob_row = {
        .username = "bob", .password_hash = "h", .email = "bob@example.com", .role = "admin",
        .is_active = 1, .created_at = NOW - HOURS(5),
    };
    int64_t bob = 0;
    ck_assert_int_eq(jutsu_data_user_create(s, &bob_row, &bob), 0);
    ck_assert_int_gt(bob, alice);

    struct jutsu_user_row g;
    ck_assert_int_eq(jutsu_data_user_get(s, 0, "alice", &g), 0);
    ck_assert_int_eq(g.id, alice);
    ck_assert_str_eq(g.username, "alice");
    ck_assert_str_eq(g.role, "viewer");           /* the default */
    ck_assert_str_eq(g.password_hash, "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA");
    ck_assert_ptr_null(g.email);
    ck_assert_int_eq(g.is_active, 1);
    ck_assert_int_eq(g.failed_login_count, 0);
    ck_assert_int_eq(g.locked_until, 0);
    ck_assert_int_eq(g.totp_enabled, 0);
    ck_assert_int_eq(g.created_at, NOW);
    ck_assert_int_eq(jutsu_data_user_get(s, bob, NULL, &g), 0);
    ck_assert_str_eq(g.username, "bob");
    ck_assert_str_eq(g.email, "bob@example.com");
    ck_assert_str_eq(g.role, "admin");
    ck_assert_int_eq(g.created_at, NOW - HOURS(5));

    /* duplicates and refusals write nothing */
    struct jutsu_user_row dup = { .username = "alice", .password_hash = "x", .is_active = 1 };
    ck_assert_int_eq(jutsu_data_user_create(s, &dup, NULL), JUTSU_ECONSTRAINT);
    ck_assert_ptr_nonnull(strstr(jutsu_dbs_error(s), "users: insert: "));
    /* what a plugin sees: last_error() is ABI 1.0's whole line, the 1.1
     * slots its parts; both drivers give a detail (PostgreSQL's names the
     * value) */
    const struct jutsu_data *vt = jutsu_data_vtable();
    const char *msg = vt->last_error_message(s), *det = vt->last_error_detail(s);
    const char *hint = vt->last_error_hint(s);
    ck_assert_str_eq(msg, jutsu_dbs_error(s));
    if (strcmp(t.backend, "postgresql") == 0)
        ck_assert_str_eq(det, "Key (username)=(alice) already exists.");
    else
        ck_assert_str_eq(det, "Key (username) already exists.");
    char line[2048];
    snprintf(line, sizeof(line), "%s%s%s%s%s%s", msg, *det ? " (" : "", det, *det ? ")" : "",
             *hint ? "; hint: " : "", hint);
    ck_assert_str_eq(vt->last_error(s), line);
    struct jutsu_user_row root = { .username = "carol", .password_hash = "x", .role = "root" };
    ck_assert_int_eq(jutsu_data_user_create(s, &root, NULL), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "users.role: \"root\" is not one of admin, viewer");
    struct jutsu_user_row nopw = { .username = "carol" };
    ck_assert_int_eq(jutsu_data_user_create(s, &nopw, NULL), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "users.password_hash: a value is required");
    struct jutsu_user_row badjson = { .username = "carol", .password_hash = "x",
                                      .backup_codes = "[\"a\", " };
    ck_assert_int_eq(jutsu_data_user_create(s, &badjson, NULL), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "users.backup_codes: not JSON (unexpected end of data "
                     "at offset 6)");
    ck_assert_int_eq(tdb_count(&t, "users", NULL), 2);

    /* update every mutable column */
    ck_assert_int_eq(jutsu_data_user_get(s, alice, NULL, &g), 0);
    struct jutsu_user_row u = g;
    u.username = "alice2";
    u.password_hash = "newhash";
    u.email = "alice@example.com";
    u.role = "admin";
    u.is_active = 0;
    u.failed_login_count = 5;
    u.locked_until = NOW + HOURS(1);
    u.totp_secret = "gAAAAAB-secret";
    u.totp_enabled = 1;
    u.backup_codes = "[\"$2b$12$x\", \"$2b$12$y\"]";
    u.last_login = NOW - HOURS(2);
    ck_assert_msg(jutsu_data_user_update(s, &u) == 0, "%s", jutsu_dbs_error(s));
    ck_assert_int_eq(jutsu_data_user_get(s, 0, "alice2", &g), 0);
    ck_assert_int_eq(g.id, alice);
    ck_assert_str_eq(g.password_hash, "newhash");
    ck_assert_str_eq(g.email, "alice@example.com");
    ck_assert_str_eq(g.role, "admin");
    ck_assert_int_eq(g.is_active, 0);
    ck_assert_int_eq(g.failed_login_count, 5);
    ck_assert_int_eq(g.locked_until, NOW + HOURS(1));
    ck_assert_str_eq(g.totp_secret, "gAAAAAB-secret");
    ck_assert_int_eq(g.totp_enabled, 1);
    ck_assert_ptr_nonnull(strstr(g.backup_codes, "$2b$12$y"));
    ck_assert_int_eq(g.last_login, NOW - HOURS(2));
    ck_assert_int_eq(g.created_at, NOW);
    ck_assert_int_eq(jutsu_data_user_get(s, 0, "alice", &g), JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(s), "users: no user \"alice\"");

    /* clearing nullable columns */
    u.email = NULL;
    u.locked_until = 0;
    u.role = NULL;
    ck_assert_int_eq(jutsu_data_user_update(s, &u), JUTSU_EINVAL);   /* role is required */
    u.role = "viewer";
    ck_assert_int_eq(jutsu_data_user_update(s, &u), 0);
    ck_assert_int_eq(jutsu_data_user_get(s, alice, NULL, &g), 0);
    ck_assert_ptr_null(g.email);
    ck_assert_int_eq(g.locked_until, 0);
    u.id = 9999;
    ck_assert_int_eq(jutsu_data_user_update(s, &u), JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(s), "users: no user with id 9999");
    ck_assert_int_eq(tdb_count(&t, "users", "username = 'bob' AND role = 'admin'"), 1);

    char names[128] = "";
    ck_assert_int_eq(jutsu_data_users_list(s, collect_names, names), 0);
    ck_assert_str_eq(names, "alice2,bob,");

    ck_assert_int_eq(jutsu_data_user_delete(s, bob), 0);
    ck_assert_int_eq(jutsu_data_user_delete(s, bob), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_data_user_get(s, bob, NULL, &g), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_data_user_get(s, 0, NULL, &g), JUTSU_EINVAL);
    names[0] = '\0';
    ck_assert_int_eq(jutsu_data_users_list(s, collect_names, names), 0);
    ck_assert_str_eq(names, "alice2,");
    tdb_close(&t);
}
END_TEST

/* --- passkeys ------------------------------------------------------------- */

static const unsigned char cred_a[] = { 0x00, 0x01, 0x00, 0xff, 0x00 };
static const unsigned char cred_b[] = { 0x00, 0x01, 0x00, 0xff, 0x00, 0x00 };
static const unsigned char key_a[] = { 0xa5, 0x01, 0x02, 0x00, 0x26, 0x20, 0x01, 0x00 };

static int64_t add_passkey(struct tdb *t, int64_t user, const unsigned char *cred, size_t n,
                           int64_t sign_count)
{
    struct jutsu_passkey_row p = {
        .user_id = user, .credential_id = cred, .credential_id_len = n,
        .public_key = key_a, .public_key_len = sizeof(key_a), .sign_count = sign_count,
        .device_name = "YubiKey 5", .aaguid = "cb69481e-8ff7-4039-93ec-0a2729a154a8",
    };
    int64_t id = 0;
    ck_assert_msg(jutsu_data_passkey_add(t->s, &p, &id) == 0, "%s", jutsu_dbs_error(t->s));
    return id;
}

struct keys {
    int     n;
    int64_t id[4];
    size_t  len[4];
};

static int collect_keys(const void *row, void *arg)
{
    const struct jutsu_passkey_row *p = row;
    struct keys *k = arg;
    ck_assert_int_lt(k->n, 4);
    k->id[k->n] = p->id;
    k->len[k->n] = p->credential_id_len;
    k->n++;
    ck_assert_uint_eq(p->public_key_len, sizeof(key_a));
    ck_assert_int_eq(memcmp(p->public_key, key_a, sizeof(key_a)), 0);
    return 0;
}

START_TEST(test_passkeys)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    int64_t alice = add_user(&t, "alice", "admin");
    int64_t bob = add_user(&t, "bob", NULL);
    int64_t ka = add_passkey(&t, alice, cred_a, sizeof(cred_a), 5);
    int64_t kb = add_passkey(&t, alice, cred_b, sizeof(cred_b), 0);
    int64_t kc = add_passkey(&t, bob, (const unsigned char *)"bob-key", 7, 0);

    struct keys k = { 0 };
    ck_assert_int_eq(jutsu_data_passkeys_list(s, alice, collect_keys, &k), 0);
    ck_assert_int_eq(k.n, 2);
    ck_assert_int_eq(k.id[0], ka);
    ck_assert_int_eq(k.id[1], kb);
    ck_assert_uint_eq(k.len[0], 5);
    ck_assert_uint_eq(k.len[1], 6);

    /* bytes with embedded zeros: cred_a is a prefix of cred_b, both found exactly */
    struct jutsu_passkey_row p;
    ck_assert_int_eq(jutsu_data_passkey_get(s, cred_b, sizeof(cred_b), &p), 0);
    ck_assert_int_eq(p.id, kb);
    ck_assert_int_eq(jutsu_data_passkey_get(s, cred_a, sizeof(cred_a), &p), 0);
    ck_assert_int_eq(p.id, ka);
    ck_assert_int_eq(p.user_id, alice);
    ck_assert_uint_eq(p.credential_id_len, sizeof(cred_a));
    ck_assert_int_eq(memcmp(p.credential_id, cred_a, sizeof(cred_a)), 0);
    ck_assert_uint_eq(p.public_key_len, sizeof(key_a));
    ck_assert_int_eq(memcmp(p.public_key, key_a, sizeof(key_a)), 0);
    ck_assert_int_eq(p.sign_count, 5);
    ck_assert_str_eq(p.device_name, "YubiKey 5");
    ck_assert_str_eq(p.aaguid, "cb69481e-8ff7-4039-93ec-0a2729a154a8");
    ck_assert_int_eq(p.created_at, NOW);
    ck_assert_int_eq(p.last_used_at, 0);
    ck_assert_int_eq(jutsu_data_passkey_get(s, cred_a, 4, &p), JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(s), "passkeys: no credential with this id (4 bytes)");

    /* the counter must grow */
    ck_assert_int_eq(jutsu_data_passkey_touch(s, ka, 3, NOW + HOURS(1)), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "passkeys.sign_count: 3 is not greater than the stored 5 "
                     "(a cloned authenticator or a replayed assertion)");
    ck_assert_int_eq(jutsu_data_passkey_touch(s, ka, 5, NOW + HOURS(1)), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_data_passkey_touch(s, ka, 6, NOW + HOURS(1)), 0);
    ck_assert_int_eq(jutsu_data_passkey_get(s, cred_a, sizeof(cred_a), &p), 0);
    ck_assert_int_eq(p.sign_count, 6);
    ck_assert_int_eq(p.last_used_at, NOW + HOURS(1));
    /* an authenticator without a counter: 0 after 0 is fine, once counting it may not go back */
    ck_assert_int_eq(jutsu_data_passkey_touch(s, kb, 0, NOW + HOURS(2)), 0);
    ck_assert_int_eq(jutsu_data_passkey_touch(s, kb, 0, 0), 0);
    ck_assert_int_eq(jutsu_data_passkey_get(s, cred_b, sizeof(cred_b), &p), 0);
    ck_assert_int_eq(p.last_used_at, NOW);
    ck_assert_int_eq(jutsu_data_passkey_touch(s, kb, 1, NOW), 0);
    ck_assert_int_eq(jutsu_data_passkey_touch(s, kb, 0, NOW), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_data_passkey_touch(s, 9999, 1, NOW), JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(s), "passkeys: no passkey with id 9999");
    ck_assert_int_eq(jutsu_data_passkey_touch(s, ka, -1, NOW), JUTSU_ERANGE);

    /* refusals */
    struct jutsu_passkey_row bad = { .user_id = alice, .credential_id = cred_a,
                                     .credential_id_len = 0, .public_key = key_a,
                                     .public_key_len = 1 };
    ck_assert_int_eq(jutsu_data_passkey_add(s, &bad, NULL), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "passkeys.credential_id: a value is required");
    bad.credential_id_len = sizeof(cred_a);
    ck_assert_int_eq(jutsu_data_passkey_add(s, &bad, NULL), JUTSU_ECONSTRAINT);  /* unique */
    bad.credential_id_len = 2;
    bad.sign_count = -1;
    ck_assert_int_eq(jutsu_data_passkey_add(s, &bad, NULL), JUTSU_ERANGE);
    bad.sign_count = 0;
    bad.aaguid = "0123456789012345678901234567890123456";
    ck_assert_int_eq(jutsu_data_passkey_add(s, &bad, NULL), JUTSU_ERANGE);
    ck_assert_int_eq(tdb_count(&t, "passkeys", NULL), 3);

    ck_assert_int_eq(jutsu_data_passkey_delete(s, kb), 0);
    ck_assert_int_eq(jutsu_data_passkey_delete(s, kb), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_data_passkey_get(s, cred_b, sizeof(cred_b), &p), JUTSU_ENOENT);

    /* deleting a user takes its passkeys with it, and only its own */
    ck_assert_int_eq(jutsu_data_user_delete(s, alice), 0);
    k.n = 0;
    ck_assert_int_eq(jutsu_data_passkeys_list(s, alice, collect_keys, &k), 0);
    ck_assert_int_eq(k.n, 0);
    ck_assert_int_eq(tdb_count(&t, "passkeys", NULL), 1);
    ck_assert_int_eq(jutsu_data_passkey_get(s, "bob-key", 7, &p), 0);
    ck_assert_int_eq(p.id, kc);
    tdb_close(&t);
}
END_TEST

/* --- blacklisted tokens --------------------------------------------------- */

START_TEST(test_tokens)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    int64_t alice = add_user(&t, "alice", NULL);
    const char *jti = "6f1c2a4e-1b7d-4c8a-9e3f-0a1b2c3d4e5f";
    int yes = -1;
    ck_assert_int_eq(jutsu_data_token_is_blacklisted(s, jti, &yes), 0);
    ck_assert_int_eq(yes, 0);
    ck_assert_int_eq(jutsu_data_token_blacklist(s, jti, "refresh", NOW + HOURS(24), alice), 0);
    ck_assert_int_eq(jutsu_data_token_blacklist(s, jti, "refresh", NOW + HOURS(24), alice), 0);
    ck_assert_int_eq(jutsu_data_token_blacklist(s, jti, "access", NOW + HOURS(1), 0), 0);
    ck_assert_int_eq(tdb_count(&t, "blacklisted_tokens", NULL), 1);
    ck_assert_int_eq(tdb_count(&t, "blacklisted_tokens", "token_type = 'refresh'"), 1);
    ck_assert_int_eq(jutsu_data_token_is_blacklisted(s, jti, &yes), 0);
    ck_assert_int_eq(yes, 1);
    ck_assert_int_eq(jutsu_data_token_blacklist(s, "anon", "access", NOW, 0), 0);
    ck_assert_int_eq(tdb_count(&t, "blacklisted_tokens", "user_id IS NULL"), 1);

    ck_assert_int_eq(jutsu_data_token_blacklist(s, "x", "id", NOW, 0), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "blacklisted_tokens.token_type: \"id\" is not one of "
                     "access, refresh");
    ck_assert_int_eq(jutsu_data_token_blacklist(s, "x", "access", 0, 0), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "blacklisted_tokens.expires_at: a value is required");
    ck_assert_int_eq(jutsu_data_token_blacklist(s, "0123456789012345678901234567890123456",
                                                "access", NOW, 0), JUTSU_ERANGE);
    ck_assert_int_eq(jutsu_data_token_is_blacklisted(s, "x", &yes), 0);
    ck_assert_int_eq(yes, 0);
    ck_assert_int_eq(jutsu_data_token_is_blacklisted(s, NULL, &yes), JUTSU_EINVAL);

    /* the user's tokens go with the user (FK cascade) */
    ck_assert_int_eq(jutsu_data_user_delete(s, alice), 0);
    ck_assert_int_eq(tdb_count(&t, "blacklisted_tokens", NULL), 1);
    tdb_close(&t);
}
END_TEST

/* --- invitations ---------------------------------------------------------- */

START_TEST(test_invitations)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    int64_t admin = add_user(&t, "admin", "admin");
    int64_t carol = add_user(&t, "carol", NULL);
    struct jutsu_invitation_row inv = {
        .email = "carol@example.com", .token = "tok-fresh", .created_by = admin,
        .expires_at = NOW + HOURS(48),
    };
    int64_t id = 0;
    ck_assert_int_eq(jutsu_data_invitation_create(s, &inv, &id), 0);
    ck_assert_int_gt(id, 0);
    struct jutsu_invitation_row old = {
        .token = "tok-old", .role = "admin", .created_at = NOW - HOURS(50),
        .expires_at = NOW - HOURS(2),
    };
    ck_assert_int_eq(jutsu_data_invitation_create(s, &old, NULL), 0);

    struct jutsu_invitation_row g;
    ck_assert_int_eq(jutsu_data_invitation_get(s, "tok-fresh", &g), 0);
    ck_assert_int_eq(g.id, id);
    ck_assert_str_eq(g.email, "carol@example.com");
    ck_assert_str_eq(g.token, "tok-fresh");
    ck_assert_str_eq(g.role, "viewer");
    ck_assert_int_eq(g.created_by, admin);
    ck_assert_int_eq(g.created_at, NOW);
    ck_assert_int_eq(g.expires_at, NOW + HOURS(48));
    ck_assert_int_eq(g.accepted_at, 0);
    ck_assert_int_eq(g.accepted_by, 0);

    /* single use */
    ck_assert_int_eq(jutsu_data_invitation_accept(s, "tok-fresh", carol, NOW + HOURS(1)), 0);
    ck_assert_int_eq(jutsu_data_invitation_accept(s, "tok-fresh", carol, NOW + HOURS(2)),
                     JUTSU_ESTATE);
    ck_assert_str_eq(jutsu_dbs_error(s), "user_invitations: the invitation was already used "
                     "(accepted at 2025-06-02T15:30:00Z); ask for a new one");
    ck_assert_int_eq(jutsu_data_invitation_get(s, "tok-fresh", &g), 0);
    ck_assert_int_eq(g.accepted_at, NOW + HOURS(1));
    ck_assert_int_eq(g.accepted_by, carol);

    /* expired: refused, and left unaccepted */
    ck_assert_int_eq(jutsu_data_invitation_accept(s, "tok-old", carol, NOW), JUTSU_ESTATE);
    ck_assert_str_eq(jutsu_dbs_error(s), "user_invitations: the invitation expired at "
                     "2025-06-02T12:30:00Z; ask for a new one");
    /* at the expiry instant it is already expired (expires_at > at) */
    ck_assert_int_eq(jutsu_data_invitation_accept(s, "tok-old", carol, NOW - HOURS(2)),
                     JUTSU_ESTATE);
    ck_assert_int_eq(jutsu_data_invitation_get(s, "tok-old", &g), 0);
    ck_assert_int_eq(g.accepted_at, 0);
    ck_assert_str_eq(g.role, "admin");
    ck_assert_int_eq(g.created_at, NOW - HOURS(50));
    ck_assert_int_eq(jutsu_data_invitation_accept(s, "tok-old", carol, NOW - HOURS(3)), 0);

    ck_assert_int_eq(jutsu_data_invitation_accept(s, "nope", carol, NOW), JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(s), "user_invitations: no invitation with this token");
    ck_assert_int_eq(jutsu_data_invitation_get(s, "nope", &g), JUTSU_ENOENT);

    struct jutsu_invitation_row bad = { .token = "t2", .role = "root",
                                        .expires_at = NOW + HOURS(1) };
    ck_assert_int_eq(jutsu_data_invitation_create(s, &bad, NULL), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "user_invitations.role: \"root\" is not one of admin, "
                     "viewer");
    bad.role = NULL;
    bad.expires_at = 0;
    ck_assert_int_eq(jutsu_data_invitation_create(s, &bad, NULL), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "user_invitations.expires_at: a value is required");
    bad.expires_at = NOW;
    bad.token = "tok-fresh";
    ck_assert_int_eq(jutsu_data_invitation_create(s, &bad, NULL), JUTSU_ECONSTRAINT);
    ck_assert_int_eq(tdb_count(&t, "user_invitations", NULL), 2);

    /* the inviter's deletion keeps the invitation (ON DELETE SET NULL) */
    ck_assert_int_eq(jutsu_data_user_delete(s, admin), 0);
    ck_assert_int_eq(jutsu_data_invitation_get(s, "tok-fresh", &g), 0);
    ck_assert_int_eq(g.created_by, 0);
    ck_assert_int_eq(g.accepted_by, carol);
    tdb_close(&t);
}
END_TEST

static Suite *data_users_suite(void)
{
    Suite *s = suite_create("data_users");
    TCase *tc = tcase_create("users");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_users_crud, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_passkeys, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_tokens, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_invitations, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(data_users_suite());
}
