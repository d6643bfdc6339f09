/*
 * tests/unit/test_auth_totp.c — plugins/auth-totp: its pure functions
 * against the RFCs' vectors (totp_code.c is compiled in), then the plugin
 * loaded into an app on a real database (SQLite and PostgreSQL), checked
 * against codes from an independent generator, oathtool (OATH Toolkit),
 * at a fixed clock: setup, enabling, each step accepted once and only
 * within one step of now, backup codes used up, status, disable, and a
 * sealed secret that does not open in another user's row.
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
#include "totp_code.h"

/* --- RFC vectors ---------------------------------------------------------------- */

/* RFC 6238 Appendix B, the SHA-1 rows: the ASCII key "1234567890" x 2,
 * 8 digits, 30-second steps from T0 = 0. */
START_TEST(test_rfc6238_sha1)
{
    static const struct { int64_t t; const char *code; } v[] = {
        { 59, "94287082" },          { 1111111109, "07081804" }, { 1111111111, "14050471" },
        { 1234567890, "89005924" },  { 2000000000, "69279037" },
        { INT64_C(20000000000), "65353130" },
    };
    const uint8_t *key = (const uint8_t *)"12345678901234567890";
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint32_t c;
        char s[16];
        int64_t step = totp_step(v[i].t, TOTP_PERIOD);
        ck_assert_int_eq(totp_hotp(key, 20, (uint64_t)step, 8, &c), 0);
        ck_assert_int_eq(totp_format(c, 8, s, sizeof(s)), 0);
        ck_assert_msg(strcmp(s, v[i].code) == 0, "T=%lld: %s, want %s", (long long)v[i].t, s,
                      v[i].code);
    }
    ck_assert_int_eq(totp_step(1111111109, 30), 37037036);   /* the RFC's 0x23523EC */
    ck_assert_int_eq(totp_step(29, 30), 0);
    ck_assert_int_eq(totp_step(30, 30), 1);
    ck_assert_int_eq(totp_step(-1, 30), -1);
}
END_TEST

/* RFC 4226 Appendix D: HOTP of the same key, counters 0..9, 6 digits. */
START_TEST(test_rfc4226_hotp)
{
    static const char *const want[] = { "755224", "287082", "359152", "969429", "338314",
                                        "254676", "287922", "162583", "399871", "520489" };
    const uint8_t *key = (const uint8_t *)"12345678901234567890";
    for (uint64_t n = 0; n < 10; n++) {
        uint32_t c;
        char s[8];
        ck_assert_int_eq(totp_hotp(key, 20, n, 6, &c), 0);
        ck_assert_int_eq(totp_format(c, 6, s, sizeof(s)), 0);
        ck_assert_str_eq(s, want[n]);
    }
    uint32_t c;
    char s[8];
    ck_assert_int_eq(totp_hotp(key, 20, 0, 0, &c), -1);
    ck_assert_int_eq(totp_hotp(key, 20, 0, 10, &c), -1);
    ck_assert_int_eq(totp_format(7, 6, s, 6), -1);      /* no room for the NUL */
    ck_assert_int_eq(totp_format(7, 6, s, 7), 0);
    ck_assert_str_eq(s, "000007");
}
END_TEST

/* RFC 4648 section 10. */
START_TEST(test_base32)
{
    static const struct { const char *in, *padded, *bare; } v[] = {
        { "", "", "" },                          { "f", "MY======", "MY" },
        { "fo", "MZXQ====", "MZXQ" },            { "foo", "MZXW6===", "MZXW6" },
        { "foob", "MZXW6YQ=", "MZXW6YQ" },       { "fooba", "MZXW6YTB", "MZXW6YTB" },
        { "foobar", "MZXW6YTBOI======", "MZXW6YTBOI" },
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char out[32], lower[32];
        uint8_t back[16];
        size_t n = strlen(v[i].in), got = 99;
        ck_assert_int_eq(totp_b32_len(n, 1), strlen(v[i].padded));
        ck_assert_int_eq(totp_b32_len(n, 0), strlen(v[i].bare));
        ck_assert_int_eq(totp_b32_encode((const uint8_t *)v[i].in, n, 1, out, sizeof(out)), 0);
        ck_assert_str_eq(out, v[i].padded);
        ck_assert_int_eq(totp_b32_encode((const uint8_t *)v[i].in, n, 0, out, sizeof(out)), 0);
        ck_assert_str_eq(out, v[i].bare);
        ck_assert_int_eq(totp_b32_decode(v[i].padded, strlen(v[i].padded), back, sizeof(back),
                                         &got), 0);
        ck_assert_int_eq(got, n);
        ck_assert(memcmp(back, v[i].in, n) == 0);
        size_t k = 0;
        for (; v[i].bare[k]; k++) {
            char c = v[i].bare[k];
            lower[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        lower[k] = '\0';
        ck_assert_int_eq(totp_b32_decode(lower, k, back, sizeof(back), &got), 0);
        ck_assert_int_eq(got, n);
        ck_assert(memcmp(back, v[i].in, n) == 0);
    }
    uint8_t b[8];
    size_t got;
    static const char *const bad[] = {
        "M", "MZX", "MZXW6Y", "MY=====", "MY=======", "M=Y=====", "MZ", "MY1=====",
        "MY======MY", "MZXW6YT!",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(totp_b32_decode(bad[i], strlen(bad[i]), b, sizeof(b), &got) == -1, "%s",
                      bad[i]);
    ck_assert_int_eq(totp_b32_decode("MZXW6YTBOI", 10, b, 5, &got), -1);   /* 6 bytes */
    char small[9];
    ck_assert_int_eq(totp_b32_encode((const uint8_t *)"fooba", 5, 0, small, 8), -1);
    ck_assert_str_eq(small, "");
    ck_assert_int_eq(totp_b32_encode((const uint8_t *)"fooba", 5, 0, small, 9), 0);
}
END_TEST

/* --- the plugin on a database ------------------------------------------------------ */

/* 2025-06-02T14:30:10Z: ten seconds into a step */
#define NOW (jutsu_date_to_time(jutsu_date_from_ymd(2025, 6, 2)) + \
             INT64_C(52210) * JUTSU_USEC_PER_SEC)
#define STEPS(n) ((jutsu_time_t)(n) * TOTP_PERIOD * JUTSU_USEC_PER_SEC)

static jutsu_time_t g_now;

static jutsu_time_t fixed_clock(void *arg)
{
    (void)arg;
    return g_now;
}

struct fx {
    struct tdb t;
    char *keydir;
    const struct jutsu_auth_ops *ops;
    void *state;
};

static int open_totp(struct fx *f, int i)
{
    char *y = NULL;
    f->keydir = tu_tmpdir();
    ck_assert_int_gt(asprintf(&y, "auth:\n  secret_key_file: \"%s/jutsu.key\"\n"
                                  "plugins:\n  - name: totp\n    plugin: auth-totp\n"
                                  "    config: {issuer: \"Jutsu Labs\"}\n", f->keydir), 0);
    tdb_open_with(&f->t, i, 1, y);
    free(y);
    if (f->t.skipped) {
        tdb_close(&f->t);
        tu_rmtree(f->keydir);
        free(f->keydir);
        return 0;
    }
    g_now = NOW;
    f->t.app->clock = fixed_clock;
    f->t.app->clock_arg = NULL;
    struct jutsu_ctx *c = jutsu_app_find(f->t.app, "totp");
    ck_assert_ptr_nonnull(c);
    f->ops = jutsu_ctx_ops(c, JUTSU_KIND_AUTH);
    ck_assert_ptr_nonnull(f->ops);
    ck_assert_str_eq(f->ops->factor, "totp");
    f->state = c->state;
    return 1;
}

static void close_totp(struct fx *f)
{
    tdb_close(&f->t);
    tu_rmtree(f->keydir);
    free(f->keydir);
}

static int64_t add_user(struct fx *f, const char *name)
{
    struct jutsu_user_row u = { .username = name, .password_hash = "!", .is_active = 1 };
    int64_t id = 0;
    ck_assert_msg(jutsu_data_user_create(f->t.s, &u, &id) == 0, "%s", jutsu_dbs_error(f->t.s));
    return id;
}

/* The code oathtool makes for base32 `secret` at `when`. */
static void oathtool(const char *secret, jutsu_time_t when, char code[TOTP_DIGITS + 1])
{
    char ts[JUTSU_TIME_BUFSZ], cmd[256], line[64] = "";
    ck_assert_int_gt(jutsu_time_format(when, ts), 0);
    snprintf(cmd, sizeof(cmd), "oathtool --totp -b '%s' --now '%s'", secret, ts);
    FILE *p = popen(cmd, "r");
    ck_assert_msg(p != NULL, "cannot run oathtool (Debian package oathtool)");
    char *got = fgets(line, sizeof(line), p);
    int st = pclose(p);
    ck_assert_msg(got != NULL && st == 0, "%s: exit status %d", cmd, st);
    line[strcspn(line, "\r\n")] = '\0';
    ck_assert_msg(strlen(line) == TOTP_DIGITS, "oathtool said \"%s\"", line);
    memcpy(code, line, TOTP_DIGITS + 1);
}

/* enrol with {"action": action, "code"?: code}; *out the answer or NULL. */
static int enrol(struct fx *f, int64_t uid, const char *action, const char *code,
                 json_object **out)
{
    json_object *o = json_object_new_object(), *res = NULL;
    ck_assert_int_eq(json_object_object_add(o, "action", json_object_new_string(action)), 0);
    if (code != NULL)
        ck_assert_int_eq(json_object_object_add(o, "code", json_object_new_string(code)), 0);
    int rc = f->ops->enrol(f->state, uid, o, &res);
    json_object_put(o);
    if (rc != 0)
        ck_assert_ptr_null(res);
    if (out != NULL)
        *out = res;
    else
        json_object_put(res);
    return rc;
}

static int verify(struct fx *f, int64_t uid, const char *code)
{
    json_object *o = json_object_new_object();
    ck_assert_int_eq(json_object_object_add(o, "code", json_object_new_string(code)), 0);
    int rc = f->ops->verify(f->state, uid, o);
    json_object_put(o);
    return rc;
}

static const char *member(json_object *o, const char *key)
{
    json_object *v;
    ck_assert_msg(json_object_object_get_ex(o, key, &v) &&
                  json_object_is_type(v, json_type_string), "no string %s", key);
    return json_object_get_string(v);
}

/* setup: the base32 secret into secret[33]. */
static void setup(struct fx *f, int64_t uid, const char *name, char secret[33])
{
    json_object *a = NULL;
    ck_assert_int_eq(enrol(f, uid, "setup", NULL, &a), 0);
    ck_assert_ptr_nonnull(a);
    const char *s = member(a, "secret");
    ck_assert_int_eq(strlen(s), 32);
    memcpy(secret, s, 33);
    char uri[256];
    snprintf(uri, sizeof(uri), "otpauth://totp/Jutsu%%20Labs:%s?secret=%s&issuer=Jutsu%%20Labs"
             "&algorithm=SHA1&digits=6&period=30", name, secret);
    ck_assert_str_eq(member(a, "otpauth_uri"), uri);
    json_object_put(a);
}

/* Enables TOTP with the code of now; the backup codes into codes[10][15]. */
static void enable(struct fx *f, int64_t uid, const char *secret, char codes[10][15])
{
    char code[TOTP_DIGITS + 1];
    json_object *a = NULL, *list;
    oathtool(secret, g_now, code);
    ck_assert_int_eq(enrol(f, uid, "verify", code, &a), 0);
    ck_assert(json_object_object_get_ex(a, "backup_codes", &list));
    ck_assert_int_eq(json_object_array_length(list), 10);
    for (size_t i = 0; i < 10; i++) {
        const char *c = json_object_get_string(json_object_array_get_idx(list, i));
        ck_assert_int_eq(strlen(c), 14);
        ck_assert_msg(c[4] == '-' && c[9] == '-', "%s", c);
        ck_assert_int_eq(strspn(c, "0123456789ABCDEFGHJKMNPQRSTVWXYZ-"), 14);
        memcpy(codes[i], c, 15);
    }
    json_object_put(a);
}

static void status(struct fx *f, int64_t uid, int enabled, int left)
{
    json_object *a = NULL, *v;
    ck_assert_int_eq(enrol(f, uid, "status", NULL, &a), 0);
    ck_assert(json_object_object_get_ex(a, "enabled", &v) &&
              json_object_is_type(v, json_type_boolean));
    ck_assert_int_eq(json_object_get_boolean(v), enabled);
    ck_assert(json_object_object_get_ex(a, "backup_codes_left", &v) &&
              json_object_is_type(v, json_type_int));
    ck_assert_int_eq(json_object_get_int(v), left);
    json_object_put(a);
}

START_TEST(test_setup_and_enable)
{
    struct fx f;
    if (!open_totp(&f, _i))
        return;
    int64_t alice = add_user(&f, "alice");
    char secret[33], code[TOTP_DIGITS + 1], codes[10][15];
    status(&f, alice, 0, 0);
    ck_assert_int_eq(verify(&f, alice, "123456"), JUTSU_ENOENT);
    ck_assert_int_eq(enrol(&f, alice, "verify", "123456", NULL), JUTSU_ENOENT);   /* no setup */

    setup(&f, alice, "alice", secret);
    /* the row holds the secret sealed: neither its base32 nor its bytes */
    uint8_t raw[20];
    size_t n = 0;
    ck_assert_int_eq(totp_b32_decode(secret, 32, raw, sizeof(raw), &n), 0);
    ck_assert_int_eq(n, 20);
    struct jutsu_user_row u;
    ck_assert_int_eq(jutsu_data_user_get(f.t.s, alice, NULL, &u), 0);
    ck_assert_ptr_nonnull(u.totp_secret);
    ck_assert_int_gt(strlen(u.totp_secret), 40);
    ck_assert_ptr_null(strstr(u.totp_secret, secret));
    ck_assert_ptr_null(memmem(u.totp_secret, strlen(u.totp_secret), raw, sizeof(raw)));
    ck_assert_int_eq(u.totp_enabled, 0);
    status(&f, alice, 0, 0);
    ck_assert_int_eq(verify(&f, alice, "123456"), JUTSU_ENOENT);   /* not enabled yet */

    /* a second setup replaces the secret */
    char first[33];
    memcpy(first, secret, sizeof(first));
    setup(&f, alice, "alice", secret);
    ck_assert_str_ne(first, secret);
    oathtool(first, g_now, code);
    ck_assert_int_eq(enrol(&f, alice, "verify", code, NULL), JUTSU_EAUTH);

    enable(&f, alice, secret, codes);
    ck_assert_int_eq(jutsu_data_user_get(f.t.s, alice, NULL, &u), 0);
    ck_assert_int_eq(u.totp_enabled, 1);
    ck_assert_ptr_nonnull(u.backup_codes);
    ck_assert_ptr_nonnull(strstr(u.backup_codes, "$argon2id$"));
    char bare[13];
    snprintf(bare, sizeof(bare), "%.4s%.4s%.4s", codes[0], codes[0] + 5, codes[0] + 10);
    ck_assert_ptr_null(strstr(u.backup_codes, bare));
    status(&f, alice, 1, 10);

    /* the code that enabled it is spent */
    oathtool(secret, g_now, code);
    ck_assert_int_eq(verify(&f, alice, code), JUTSU_EAUTH);
    ck_assert_int_eq(enrol(&f, alice, "verify", code, NULL), JUTSU_EEXIST);
    ck_assert_int_eq(enrol(&f, alice, "setup", NULL, NULL), JUTSU_EEXIST);
    close_totp(&f);
}
END_TEST

START_TEST(test_steps_once_and_window)
{
    struct fx f;
    if (!open_totp(&f, _i))
        return;
    int64_t bob = add_user(&f, "bob");
    char secret[33], code[TOTP_DIGITS + 1], codes[10][15];
    setup(&f, bob, "bob", secret);
    enable(&f, bob, secret, codes);            /* step N spent */

    g_now = NOW + STEPS(3);                    /* now at N+3 */
    oathtool(secret, g_now - STEPS(2), code);  /* two steps back */
    ck_assert_int_eq(verify(&f, bob, code), JUTSU_EAUTH);
    oathtool(secret, g_now + STEPS(2), code);  /* two steps ahead */
    ck_assert_int_eq(verify(&f, bob, code), JUTSU_EAUTH);
    ck_assert_int_eq(verify(&f, bob, "000000"), JUTSU_EAUTH);

    oathtool(secret, g_now - STEPS(1), code);  /* the previous step */
    ck_assert_int_eq(verify(&f, bob, code), 0);
    ck_assert_int_eq(verify(&f, bob, code), JUTSU_EAUTH);   /* once only */
    oathtool(secret, g_now, code);             /* the current one */
    ck_assert_int_eq(verify(&f, bob, code), 0);
    ck_assert_int_eq(verify(&f, bob, code), JUTSU_EAUTH);
    oathtool(secret, g_now + STEPS(1), code);  /* the next one */
    ck_assert_int_eq(verify(&f, bob, code), 0);
    ck_assert_int_eq(verify(&f, bob, code), JUTSU_EAUTH);
    /* nothing up to the last accepted step opens again, even later */
    g_now += STEPS(1);
    oathtool(secret, g_now, code);
    ck_assert_int_eq(verify(&f, bob, code), JUTSU_EAUTH);
    oathtool(secret, g_now + STEPS(1), code);
    ck_assert_int_eq(verify(&f, bob, code), 0);
    close_totp(&f);
}
END_TEST

START_TEST(test_backup_codes)
{
    struct fx f;
    if (!open_totp(&f, _i))
        return;
    int64_t carol = add_user(&f, "carol");
    char secret[33], code[TOTP_DIGITS + 1], codes[10][15], typed[20];
    setup(&f, carol, "carol", secret);
    enable(&f, carol, secret, codes);

    ck_assert_int_eq(verify(&f, carol, codes[0]), 0);
    ck_assert_int_eq(verify(&f, carol, codes[0]), JUTSU_EAUTH);   /* used up */
    status(&f, carol, 1, 9);
    /* lower case, without dashes; then with spaces */
    size_t k = 0;
    for (const char *c = codes[1]; *c; c++)
        if (*c != '-')
            typed[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    typed[k] = '\0';
    ck_assert_int_eq(verify(&f, carol, typed), 0);
    snprintf(typed, sizeof(typed), "%.4s %.4s %.4s", codes[2], codes[2] + 5, codes[2] + 10);
    ck_assert_int_eq(verify(&f, carol, typed), 0);
    status(&f, carol, 1, 7);
    ck_assert_int_eq(verify(&f, carol, "ABCD-EFGH-JKMN"), JUTSU_EAUTH);
    ck_assert_int_eq(verify(&f, carol, "not a code"), JUTSU_EAUTH);
    ck_assert_int_eq(verify(&f, carol, ""), JUTSU_EAUTH);
    status(&f, carol, 1, 7);

    /* a new set needs a code; the old set is gone with it */
    json_object *a = NULL, *list;
    ck_assert_int_eq(enrol(&f, carol, "backup-codes", "ABCD-EFGH-JKMN", NULL), JUTSU_EAUTH);
    ck_assert_int_eq(enrol(&f, carol, "backup-codes", NULL, NULL), JUTSU_EINVAL);
    ck_assert_int_eq(enrol(&f, carol, "backup-codes", codes[3], &a), 0);
    ck_assert(json_object_object_get_ex(a, "backup_codes", &list));
    ck_assert_int_eq(json_object_array_length(list), 10);
    char fresh[15];
    json_object *first = json_object_array_get_idx(list, 0);
    snprintf(fresh, sizeof(fresh), "%s", json_object_get_string(first));
    json_object_put(a);
    status(&f, carol, 1, 10);
    ck_assert_int_eq(verify(&f, carol, codes[4]), JUTSU_EAUTH);
    /* a TOTP code makes a new set too */
    g_now += STEPS(1);
    oathtool(secret, g_now, code);
    ck_assert_int_eq(enrol(&f, carol, "backup-codes", code, NULL), 0);
    ck_assert_int_eq(verify(&f, carol, code), JUTSU_EAUTH);   /* and is spent by it */
    ck_assert_int_eq(verify(&f, carol, fresh), JUTSU_EAUTH);
    status(&f, carol, 1, 10);
    close_totp(&f);
}
END_TEST

START_TEST(test_disable)
{
    struct fx f;
    if (!open_totp(&f, _i))
        return;
    int64_t dave = add_user(&f, "dave");
    char secret[33], code[TOTP_DIGITS + 1], codes[10][15];
    ck_assert_int_eq(enrol(&f, dave, "disable", "123456", NULL), JUTSU_ENOENT);
    setup(&f, dave, "dave", secret);
    enable(&f, dave, secret, codes);
    ck_assert_int_eq(enrol(&f, dave, "disable", NULL, NULL), JUTSU_EINVAL);
    ck_assert_int_eq(enrol(&f, dave, "disable", "", NULL), JUTSU_EAUTH);
    oathtool(secret, g_now + STEPS(2), code);
    ck_assert_int_eq(enrol(&f, dave, "disable", code, NULL), JUTSU_EAUTH);
    status(&f, dave, 1, 10);
    g_now += STEPS(1);
    oathtool(secret, g_now, code);
    ck_assert_int_eq(enrol(&f, dave, "disable", code, NULL), 0);
    struct jutsu_user_row u;
    ck_assert_int_eq(jutsu_data_user_get(f.t.s, dave, NULL, &u), 0);
    ck_assert_ptr_null(u.totp_secret);
    ck_assert_ptr_null(u.backup_codes);
    ck_assert_int_eq(u.totp_enabled, 0);
    ck_assert_str_eq(u.username, "dave");
    status(&f, dave, 0, 0);
    ck_assert_int_eq(verify(&f, dave, codes[0]), JUTSU_ENOENT);
    /* with a backup code, after a new setup */
    setup(&f, dave, "dave", secret);
    g_now += STEPS(1);
    enable(&f, dave, secret, codes);
    ck_assert_int_eq(enrol(&f, dave, "disable", codes[5], NULL), 0);
    status(&f, dave, 0, 0);
    close_totp(&f);
}
END_TEST

START_TEST(test_sealed_to_its_row)
{
    struct fx f;
    if (!open_totp(&f, _i))
        return;
    int64_t erin = add_user(&f, "erin"), mallory = add_user(&f, "mallory");
    char secret[33], code[TOTP_DIGITS + 1], codes[10][15], sealed[256];
    setup(&f, erin, "erin", secret);
    enable(&f, erin, secret, codes);
    struct jutsu_user_row u;
    ck_assert_int_eq(jutsu_data_user_get(f.t.s, erin, NULL, &u), 0);
    snprintf(sealed, sizeof(sealed), "%s", u.totp_secret);
    char *hashes = strdup(u.backup_codes);
    ck_assert_ptr_nonnull(hashes);

    /* erin's sealed secret (and her codes) copied into mallory's row */
    ck_assert_int_eq(jutsu_data_user_get(f.t.s, mallory, NULL, &u), 0);
    u.totp_secret = sealed;
    u.totp_enabled = 1;
    u.backup_codes = hashes;
    ck_assert_int_eq(jutsu_data_user_update(f.t.s, &u), 0);
    g_now += STEPS(1);
    oathtool(secret, g_now, code);
    ck_assert_int_eq(verify(&f, mallory, code), JUTSU_EPLUGIN);
    ck_assert_int_eq(verify(&f, mallory, codes[0]), JUTSU_EPLUGIN);
    ck_assert_int_eq(enrol(&f, mallory, "disable", code, NULL), JUTSU_EPLUGIN);
    /* where it belongs it still opens */
    ck_assert_int_eq(verify(&f, erin, code), 0);

    /* one character changed: it does not open either */
    ck_assert_int_eq(jutsu_data_user_get(f.t.s, erin, NULL, &u), 0);
    snprintf(sealed, sizeof(sealed), "%s", u.totp_secret);
    size_t last = strlen(sealed) - 2;
    sealed[last] = sealed[last] == 'A' ? 'B' : 'A';
    u.totp_secret = sealed;
    ck_assert_int_eq(jutsu_data_user_update(f.t.s, &u), 0);
    g_now += STEPS(1);
    oathtool(secret, g_now, code);
    ck_assert_int_eq(verify(&f, erin, code), JUTSU_EPLUGIN);
    free(hashes);
    close_totp(&f);
}
END_TEST

START_TEST(test_request_shape)
{
    struct fx f;
    if (!open_totp(&f, _i))
        return;
    int64_t frank = add_user(&f, "frank");
    json_object *o = json_object_new_object(), *res = NULL;
    ck_assert_int_eq(f.ops->enrol(f.state, frank, o, &res), JUTSU_EINVAL);   /* no action */
    ck_assert_int_eq(f.ops->verify(f.state, frank, o), JUTSU_EINVAL);        /* no code */
    ck_assert_int_eq(json_object_object_add(o, "code", json_object_new_int(123456)), 0);
    ck_assert_int_eq(f.ops->verify(f.state, frank, o), JUTSU_EINVAL);        /* a number */
    ck_assert_int_eq(f.ops->verify(f.state, frank, NULL), JUTSU_EINVAL);
    ck_assert_int_eq(f.ops->enrol(f.state, frank, NULL, &res), JUTSU_EINVAL);
    json_object_put(o);
    ck_assert_int_eq(enrol(&f, frank, "enable", NULL, NULL), JUTSU_EINVAL);
    char longcode[80];
    memset(longcode, '1', sizeof(longcode) - 1);
    longcode[sizeof(longcode) - 1] = '\0';
    ck_assert_int_eq(verify(&f, frank, longcode), JUTSU_EINVAL);
    ck_assert_int_eq(enrol(&f, frank, "verify", longcode, NULL), JUTSU_EINVAL);
    ck_assert_int_eq(enrol(&f, frank + 100, "status", NULL, NULL), JUTSU_ENOENT);
    ck_assert_int_eq(verify(&f, 0, "123456"), JUTSU_ENOENT);
    ck_assert_ptr_null(res);
    close_totp(&f);
}
END_TEST

START_TEST(test_config)
{
    static const char *const bad[] = { "\"Jutsu:Labs\"", "\"\"", "\"Tab\\there\"" };
    struct jutsu_app *app = NULL;
    char diag[2048], yaml[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(yaml, sizeof(yaml), "  - {name: totp, plugin: auth-totp, config: {issuer: %s}}\n",
                 bad[i]);
        ck_assert_msg(tu_app_open(yaml, &app, diag, sizeof(diag)) == JUTSU_ECONFIG, "%s", bad[i]);
        struct jutsu_ctx *c = jutsu_app_find(app, "totp");
        ck_assert_msg(strstr(c->error, "issuer") != NULL, "%s", c->error);
        jutsu_app_free(app);
    }
    ck_assert_int_eq(tu_app_open("  - {name: totp, plugin: auth-totp, config: {pepper: 1}}\n",
                                 &app, diag, sizeof(diag)), JUTSU_ECONFIG);
    jutsu_app_free(app);
    ck_assert_msg(tu_app_open("  - {name: totp, plugin: auth-totp}\n", &app, diag,
                              sizeof(diag)) == 0, "%s", diag);
    jutsu_app_free(app);
}
END_TEST

/* --- one code, many threads ------------------------------------------------------- */

#define NTHREADS 6

struct job {
    struct fx  *f;
    int64_t     uid;
    const char *code;
    int         rc;
};

static void *run_verify(void *arg)
{
    struct job *j = arg;
    j->rc = verify(j->f, j->uid, j->code);
    return NULL;
}

START_TEST(test_once_across_threads)
{
    struct fx f;
    if (!open_totp(&f, _i))
        return;
    int64_t gina = add_user(&f, "gina");
    char secret[33], code[TOTP_DIGITS + 1], codes[10][15];
    setup(&f, gina, "gina", secret);
    enable(&f, gina, secret, codes);
    g_now += STEPS(1);
    oathtool(secret, g_now, code);
    for (int round = 0; round < 2; round++) {
        struct job jobs[NTHREADS];
        pthread_t th[NTHREADS];
        for (int k = 0; k < NTHREADS; k++) {
            jobs[k] = (struct job){ &f, gina, round == 0 ? code : codes[0], 1 };
            ck_assert_int_eq(pthread_create(&th[k], NULL, run_verify, &jobs[k]), 0);
        }
        int accepted = 0;
        for (int k = 0; k < NTHREADS; k++) {
            ck_assert_int_eq(pthread_join(th[k], NULL), 0);
            ck_assert_msg(jobs[k].rc == 0 || jobs[k].rc == JUTSU_EAUTH, "%d", jobs[k].rc);
            accepted += jobs[k].rc == 0;
        }
        ck_assert_int_eq(accepted, 1);
    }
    status(&f, gina, 1, 9);
    close_totp(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("auth_totp");
    TCase *tc = tcase_create("rfc");
    tcase_add_test(tc, test_rfc6238_sha1);
    tcase_add_test(tc, test_rfc4226_hotp);
    tcase_add_test(tc, test_base32);
    tcase_add_test(tc, test_config);
    suite_add_tcase(s, tc);
    tc = tcase_create("plugin");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_setup_and_enable, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_steps_once_and_window, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_backup_codes, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_disable, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_sealed_to_its_row, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_request_shape, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_once_across_threads, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
