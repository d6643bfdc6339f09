/*
 * tests/unit/test_auth_password.c — plugins/auth-password, loaded into an
 * app on a real database (SQLite and PostgreSQL): enrol and verify,
 * refusals that do not tell who exists, the original system's bcrypt hashes
 * replaced on first login, re-hashing when the cost changes, the bound on
 * the password's length and on concurrent hashes.
 *
 * The instances use a small Argon2id cost (1 pass, 8 MiB) so that the suite
 * stays quick, also under valgrind.
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/auth.h"
#include "jutsu/error.h"
#include "store/data_api.h"
#include "testdb.h"

#define CHEAP  "{opslimit: 1, memlimit_kib: 8192}"
#define DEARER "{opslimit: 2, memlimit_kib: 16384}"

struct pw_fx {
    const struct jutsu_auth_ops *ops;
    void *state;
};

/* A database with auth-password instances: "password" configured with
 * `config`, and "password2" with `config2` unless it is NULL. */
static int open_pw(struct tdb *t, int i, const char *config, const char *config2)
{
    char *y = NULL, *second = NULL;
    if (config2 != NULL)
        ck_assert_int_gt(asprintf(&second, "  - name: password2\n    plugin: auth-password\n"
                                           "    config: %s\n", config2), 0);
    ck_assert_int_gt(asprintf(&y, "plugins:\n  - name: password\n    plugin: auth-password\n"
                                  "    config: %s\n%s", config, second ? second : ""), 0);
    tdb_open_with(t, i, 1, y);
    free(second);
    free(y);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    return 1;
}

static struct pw_fx instance(struct tdb *t, const char *name)
{
    struct jutsu_ctx *c = jutsu_app_find(t->app, name);
    ck_assert_ptr_nonnull(c);
    struct pw_fx f = { jutsu_ctx_ops(c, JUTSU_KIND_AUTH), c->state };
    ck_assert_ptr_nonnull(f.ops);
    ck_assert_str_eq(f.ops->factor, "password");
    return f;
}

static json_object *request(const char *pw, size_t len)
{
    json_object *o = json_object_new_object(), *v = json_object_new_string_len(pw, (int)len);
    ck_assert(o != NULL && v != NULL);
    ck_assert_int_eq(json_object_object_add(o, "password", v), 0);
    return o;
}

static int verify_n(struct pw_fx f, int64_t uid, const char *pw, size_t len)
{
    json_object *o = request(pw, len);
    int rc = f.ops->verify(f.state, uid, o);
    json_object_put(o);
    return rc;
}

static int verify(struct pw_fx f, int64_t uid, const char *pw)
{
    return verify_n(f, uid, pw, strlen(pw));
}

static int enrol(struct pw_fx f, int64_t uid, const char *pw)
{
    json_object *o = request(pw, strlen(pw)), *res = (json_object *)&res;
    int rc = f.ops->enrol(f.state, uid, o, &res);
    ck_assert_ptr_null(res);
    json_object_put(o);
    return rc;
}

static int64_t add_user(struct tdb *t, const char *name, const char *hash)
{
    char email[64];
    snprintf(email, sizeof(email), "%s@example.com", name);
    struct jutsu_user_row u = {
        .username = name, .password_hash = hash, .email = email, .role = "admin",
        .is_active = 1,
    };
    int64_t id = 0;
    ck_assert_msg(jutsu_data_user_create(t->s, &u, &id) == 0, "%s", jutsu_dbs_error(t->s));
    return id;
}

/* users.password_hash of uid, copied (static buffer). */
static const char *stored(struct tdb *t, int64_t uid)
{
    static char h[256];
    struct jutsu_user_row u;
    ck_assert_int_eq(jutsu_data_user_get(t->s, uid, NULL, &u), 0);
    snprintf(h, sizeof(h), "%s", u.password_hash);
    return h;
}

static void set_hash(struct tdb *t, int64_t uid, const char *hash)
{
    struct jutsu_user_row u;
    ck_assert_int_eq(jutsu_data_user_get(t->s, uid, NULL, &u), 0);
    u.password_hash = hash;
    ck_assert_int_eq(jutsu_data_user_update(t->s, &u), 0);
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

START_TEST(test_enrol_verify)
{
    struct tdb t;
    if (!open_pw(&t, _i, CHEAP, NULL))
        return;
    struct pw_fx f = instance(&t, "password");
    int64_t alice = add_user(&t, "alice", "!");   /* made without a password yet */
    ck_assert_int_eq(verify(f, alice, "!"), JUTSU_EAUTH);
    ck_assert_int_eq(verify(f, alice, ""), JUTSU_EAUTH);

    ck_assert_int_eq(enrol(f, alice, "correct horse battery staple"), 0);
    const char *h = stored(&t, alice);
    ck_assert_msg(starts(h, "$argon2id$v=19$m=8192,t=1,p=1$"), "%s", h);
    ck_assert_int_eq(verify(f, alice, "correct horse battery staple"), 0);
    ck_assert_int_eq(verify(f, alice, "correct horse battery stapl"), JUTSU_EAUTH);
    ck_assert_int_eq(verify(f, alice, "Correct horse battery staple"), JUTSU_EAUTH);
    ck_assert_int_eq(verify(f, alice, ""), JUTSU_EAUTH);

    /* the rest of the row is written back as it was */
    struct jutsu_user_row u;
    ck_assert_int_eq(jutsu_data_user_get(t.s, alice, NULL, &u), 0);
    ck_assert_str_eq(u.username, "alice");
    ck_assert_str_eq(u.email, "alice@example.com");
    ck_assert_str_eq(u.role, "admin");
    ck_assert_int_eq(u.is_active, 1);

    /* a new password replaces the old */
    ck_assert_int_eq(enrol(f, alice, "a different passphrase"), 0);
    ck_assert_int_eq(verify(f, alice, "a different passphrase"), 0);
    ck_assert_int_eq(verify(f, alice, "correct horse battery staple"), JUTSU_EAUTH);
    /* a verified hash of the configured cost is left alone */
    char before[256];
    snprintf(before, sizeof(before), "%s", stored(&t, alice));
    ck_assert_int_eq(verify(f, alice, "a different passphrase"), 0);
    ck_assert_str_eq(stored(&t, alice), before);
    tdb_close(&t);
}
END_TEST

START_TEST(test_unknown_user)
{
    struct tdb t;
    if (!open_pw(&t, _i, CHEAP, NULL))
        return;
    struct pw_fx f = instance(&t, "password");
    int64_t bob = add_user(&t, "bob", "not a hash at all");
    ck_assert_int_eq(verify(f, 0, "whatever it is"), JUTSU_EAUTH);
    ck_assert_int_eq(verify(f, -5, "whatever it is"), JUTSU_EAUTH);
    ck_assert_int_eq(verify(f, bob + 1000, "whatever it is"), JUTSU_EAUTH);
    ck_assert_int_eq(verify(f, bob, "not a hash at all"), JUTSU_EAUTH);   /* unusable hash */
    ck_assert_str_eq(stored(&t, bob), "not a hash at all");
    /* an argon2i (not id) or truncated hash is unusable too */
    set_hash(&t, bob, "$argon2i$v=19$m=8192,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo");
    ck_assert_int_eq(verify(f, bob, "whatever it is"), JUTSU_EAUTH);
    set_hash(&t, bob, "$argon2id$v=19$m=8192");
    ck_assert_int_eq(verify(f, bob, "whatever it is"), JUTSU_EAUTH);
    set_hash(&t, bob, "$2b$05$short");
    ck_assert_int_eq(verify(f, bob, "whatever it is"), JUTSU_EAUTH);
    ck_assert_int_eq(enrol(f, bob + 1000, "a fine passphrase"), JUTSU_ENOENT);
    ck_assert_int_eq(enrol(f, 0, "a fine passphrase"), JUTSU_EINVAL);
    tdb_close(&t);
}
END_TEST

/* bcrypt hashes from Openwall's crypt_blowfish test vectors (the `tests`
 * table of crypt_blowfish's wrapper.c, also used by PHP's
 * ext/standard/tests/crypt/crypt_blowfish.phpt): $2a$, $2b$ and $2y$, and
 * a password past bcrypt's 72 bytes, which it ignores. */
static const struct { const char *hash, *pw; } bcrypt_vectors[] = {
    { "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U" },
    { "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*" },
    { "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", "U*U*U" },
    { "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
      "chars after 72 are ignored" },
    { "$2b$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", "\xa3" },
    { "$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", "\xa3" },
};

START_TEST(test_bcrypt_legacy)
{
    struct tdb t;
    if (!open_pw(&t, _i, CHEAP, NULL))
        return;
    struct pw_fx f = instance(&t, "password");
    int64_t long_one = 0;
    for (size_t k = 0; k < sizeof(bcrypt_vectors) / sizeof(bcrypt_vectors[0]); k++) {
        char name[16];
        snprintf(name, sizeof(name), "legacy%zu", k);
        const char *pw = bcrypt_vectors[k].pw;
        int64_t uid = add_user(&t, name, bcrypt_vectors[k].hash);
        if (strlen(pw) > 72)
            long_one = uid;
        /* a wrong password changes nothing */
        ck_assert_int_eq(verify(f, uid, "U*U*U*"), JUTSU_EAUTH);
        ck_assert_int_eq(verify(f, uid, ""), JUTSU_EAUTH);
        ck_assert_str_eq(stored(&t, uid), bcrypt_vectors[k].hash);
        /* bcrypt reads a C string: a NUL inside never matches */
        char with_nul[8] = "U*U\0x";
        ck_assert_int_eq(verify_n(f, uid, with_nul, 5), JUTSU_EAUTH);
        ck_assert_str_eq(stored(&t, uid), bcrypt_vectors[k].hash);

        ck_assert_msg(verify(f, uid, pw) == 0, "vector %zu", k);
        ck_assert_msg(starts(stored(&t, uid), "$argon2id$v=19$m=8192,t=1,p=1$"), "vector %zu: %s",
                      k, stored(&t, uid));
        ck_assert_int_eq(verify(f, uid, pw), 0);
        ck_assert_int_eq(verify(f, uid, "U*U*U*"), JUTSU_EAUTH);
    }
    /* the long one: now Argon2id reads all of it, so the first 72 bytes
     * alone no longer match */
    ck_assert_int_gt(long_one, 0);
    ck_assert_int_eq(verify(f, long_one, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR"
                                         "STUVWXYZ0123456789"), JUTSU_EAUTH);
    tdb_close(&t);
}
END_TEST

START_TEST(test_rehash_on_cost_change)
{
    struct tdb t;
    if (!open_pw(&t, _i, CHEAP, DEARER))
        return;
    struct pw_fx cheap = instance(&t, "password"), dear = instance(&t, "password2");
    int64_t carol = add_user(&t, "carol", "!");
    ck_assert_int_eq(enrol(cheap, carol, "carol's long passphrase"), 0);
    ck_assert(starts(stored(&t, carol), "$argon2id$v=19$m=8192,t=1,p=1$"));

    /* a wrong password re-hashes nothing */
    ck_assert_int_eq(verify(dear, carol, "carol's short passphrase"), JUTSU_EAUTH);
    ck_assert(starts(stored(&t, carol), "$argon2id$v=19$m=8192,t=1,p=1$"));
    /* the next good login stores the configured cost */
    ck_assert_int_eq(verify(dear, carol, "carol's long passphrase"), 0);
    ck_assert_msg(starts(stored(&t, carol), "$argon2id$v=19$m=16384,t=2,p=1$"), "%s",
                  stored(&t, carol));
    char dear_hash[256];
    snprintf(dear_hash, sizeof(dear_hash), "%s", stored(&t, carol));
    ck_assert_int_eq(verify(dear, carol, "carol's long passphrase"), 0);
    ck_assert_str_eq(stored(&t, carol), dear_hash);
    /* and back */
    ck_assert_int_eq(verify(cheap, carol, "carol's long passphrase"), 0);
    ck_assert(starts(stored(&t, carol), "$argon2id$v=19$m=8192,t=1,p=1$"));
    ck_assert_int_eq(verify(dear, carol, "carol's long passphrase"), 0);
    tdb_close(&t);
}
END_TEST

START_TEST(test_request_shape)
{
    struct tdb t;
    if (!open_pw(&t, _i, CHEAP, NULL))
        return;
    struct pw_fx f = instance(&t, "password");
    int64_t dave = add_user(&t, "dave", "!");
    char pw[1026];
    memset(pw, 'p', sizeof(pw));
    pw[1025] = '\0';
    ck_assert_int_eq(enrol(f, dave, pw), JUTSU_EINVAL);          /* 1025 bytes */
    ck_assert_int_eq(verify(f, dave, pw), JUTSU_EINVAL);
    ck_assert_str_eq(stored(&t, dave), "!");
    pw[1024] = '\0';
    ck_assert_int_eq(enrol(f, dave, pw), 0);                     /* 1024: the bound */
    ck_assert_int_eq(verify(f, dave, pw), 0);
    ck_assert_int_eq(enrol(f, dave, ""), JUTSU_EINVAL);

    json_object *o = json_object_new_object(), *res = NULL;
    ck_assert_int_eq(f.ops->verify(f.state, dave, o), JUTSU_EINVAL);   /* no member */
    ck_assert_int_eq(json_object_object_add(o, "password", json_object_new_int(1234)), 0);
    ck_assert_int_eq(f.ops->verify(f.state, dave, o), JUTSU_EINVAL);   /* not a string */
    ck_assert_int_eq(f.ops->enrol(f.state, dave, o, &res), JUTSU_EINVAL);
    ck_assert_ptr_null(res);
    json_object_put(o);
    o = json_object_new_string("hunter2");
    ck_assert_int_eq(f.ops->verify(f.state, dave, o), JUTSU_EINVAL);   /* not an object */
    ck_assert_int_eq(f.ops->verify(f.state, dave, NULL), JUTSU_EINVAL);
    json_object_put(o);
    ck_assert_int_eq(verify(f, dave, pw), 0);
    tdb_close(&t);
}
END_TEST

/* Config refused before any plugin code runs, and an instance without
 * storage. */
START_TEST(test_config)
{
    static const char *const bad[] = {
        "{opslimit: 0}", "{opslimit: 17}", "{memlimit_kib: 4}", "{memlimit_kib: 2097152}",
        "{max_concurrent: 0}", "{queue_timeout_ms: -1}", "{pepper: x}",
    };
    struct jutsu_app *app = NULL;
    char diag[2048], yaml[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(yaml, sizeof(yaml), "  - {name: password, plugin: auth-password, config: %s}\n",
                 bad[i]);
        ck_assert_msg(tu_app_open(yaml, &app, diag, sizeof(diag)) == JUTSU_ECONFIG, "%s", bad[i]);
        jutsu_app_free(app);
    }
    snprintf(yaml, sizeof(yaml), "  - {name: password, plugin: auth-password, config: %s}\n",
             CHEAP);
    ck_assert_msg(tu_app_open(yaml, &app, diag, sizeof(diag)) == 0, "%s", diag);
    struct jutsu_ctx *c = jutsu_app_find(app, "password");
    struct pw_fx f = { jutsu_ctx_ops(c, JUTSU_KIND_AUTH), c->state };
    ck_assert_int_eq(verify(f, 1, "no storage to look in"), JUTSU_ESTATE);
    ck_assert_ptr_nonnull(strstr(c->error, "no storage"));
    ck_assert_int_eq(verify(f, 0, "no storage needed"), JUTSU_EAUTH);
    jutsu_app_free(app);
}
END_TEST

/* --- the bound on concurrent hashes ------------------------------------------ */

#define NTHREADS 6

struct job {
    struct pw_fx f;
    int64_t      uid;
    const char  *pw;
    int          rc;
};

static void *run_verify(void *arg)
{
    struct job *j = arg;
    j->rc = verify(j->f, j->uid, j->pw);
    return NULL;
}

static void run_all(struct job *jobs, int n)
{
    pthread_t th[NTHREADS];
    for (int k = 0; k < n; k++)
        ck_assert_int_eq(pthread_create(&th[k], NULL, run_verify, &jobs[k]), 0);
    for (int k = 0; k < n; k++)
        ck_assert_int_eq(pthread_join(th[k], NULL), 0);
}

START_TEST(test_max_concurrent)
{
    struct tdb t;
    if (!open_pw(&t, _i, "{opslimit: 1, memlimit_kib: 8192, max_concurrent: 1, "
                         "queue_timeout_ms: 60000}",
                 "{opslimit: 1, memlimit_kib: 8192, max_concurrent: 1, queue_timeout_ms: 0}"))
        return;
    struct pw_fx queued = instance(&t, "password"), impatient = instance(&t, "password2");
    int64_t erin = add_user(&t, "erin", "!");
    ck_assert_int_eq(enrol(queued, erin, "erin's passphrase"), 0);

    /* one slot and a long wait: every request queues, and all succeed */
    struct job jobs[NTHREADS];
    for (int k = 0; k < NTHREADS; k++)
        jobs[k] = (struct job){ queued, k % 2 ? erin : 0, "erin's passphrase", 1 };
    run_all(jobs, NTHREADS);
    for (int k = 0; k < NTHREADS; k++)
        ck_assert_int_eq(jobs[k].rc, k % 2 ? 0 : JUTSU_EAUTH);

    /* no wait: whoever finds the slot taken is refused with EFULL, never
     * with a wrong answer (how many depends on timing, so not counted) */
    for (int k = 0; k < NTHREADS; k++)
        jobs[k] = (struct job){ impatient, erin, "erin's passphrase", 1 };
    run_all(jobs, NTHREADS);
    for (int k = 0; k < NTHREADS; k++)
        ck_assert_msg(jobs[k].rc == 0 || jobs[k].rc == JUTSU_EFULL, "%d", jobs[k].rc);
    ck_assert_int_eq(verify(impatient, erin, "erin's passphrase"), 0);
    tdb_close(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("auth_password");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_enrol_verify, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_unknown_user, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_bcrypt_legacy, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_rehash_on_cost_change, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_request_shape, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_max_concurrent, 0, TDB_BACKENDS);
    tcase_add_test(tc, test_config);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
