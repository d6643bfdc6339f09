/*
 * plugins/auth-totp/totp_plugin.c — auth-totp: the "totp" factor
 * (jutsu/auth.h): time-based one-time codes, RFC 6238, as authenticator
 * apps make them (HMAC-SHA1, 30-second steps, 6 digits), and backup codes.
 *
 *   verify(uid, {"code"})   six digits: the TOTP code of the current step or
 *                           the one before or after, each step accepted
 *                           once; anything else is read as a backup code,
 *                           which is then used up. 0, JUTSU_EAUTH (wrong or
 *                           used), JUTSU_ENOENT (TOTP not enabled for uid).
 *   enrol(uid, {"action": ...}):
 *     "setup"         a new secret, stored sealed, not yet enabled:
 *                     {secret, otpauth_uri, qr} (secret in base32, no
 *                     padding; qr the URI's QR code, totp_qr.h).
 *                     JUTSU_EEXIST when TOTP is enabled: disable it first.
 *     "verify", code  the first code from the app (TOTP only) enables it:
 *                     {backup_codes: [10 x "XXXX-XXXX-XXXX"]}. JUTSU_ENOENT
 *                     without a setup, JUTSU_EEXIST when already enabled.
 *     "disable", code a current TOTP or backup code; clears the secret and
 *                     the backup codes; *result NULL.
 *     "backup-codes", code  a TOTP or backup code; a new set replaces the
 *                     old: {backup_codes}.
 *     "status"        {enabled, backup_codes_left}.
 *   A wrong code is JUTSU_EAUTH; disable and backup-codes without TOTP
 *   enabled are JUTSU_ENOENT.
 *
 * Config:
 *   issuer   the name the authenticator app shows (default "Jutsu"); 1..64
 *            bytes, no ':' (the URI's label separates issuer and account
 *            with one), no control characters.
 *
 * Storage (users): totp_secret holds only host->seal(ctx, "totp:user:<id>",
 * secret (20 bytes) || last accepted step (8 bytes, big endian)); the aad
 * ties it to its row, so a value copied to another user does not open
 * there (that user's verify then fails with JUTSU_EPLUGIN and an error in
 * the log: an operator must look). The step lives inside the seal so that
 * it cannot be rolled back without the key. totp_enabled is set by action
 * "verify". backup_codes is a JSON array of hashes (totp_backup.h).
 *
 * Once only: a code is accepted only for a step after the last accepted
 * one, and the new step is stored before the code counts; if that write
 * fails, the code is refused with the error. One mutex per instance covers
 * each verify and enrol from reading the row to writing it, so two threads
 * cannot both accept one code. Processes sharing a PostgreSQL database do
 * not share that mutex: between them the guarantee holds except for
 * requests that overlap within one read-and-write of the row.
 *
 * Requests: a JSON object; "action" and "code" are strings (a code of at
 * most 64 bytes). Otherwise JUTSU_EINVAL naming the member. Secrets and
 * codes are never logged nor put into errors; copies are wiped.
 *
 * Threading: verify and enrol may be called from any threads (serialised
 * by the instance's mutex). Needs host ABI 1.2 (seal, unseal).
 */
#include <json-c/json.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/auth.h"
#include "jutsu/data.h"
#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/json.h"
#include "jutsu/log.h"
#include "jutsu/plugin.h"
#include "totp_backup.h"
#include "totp_code.h"
#include "totp_qr.h"

#define SEAL_PLAIN  (TOTP_SECRET_BYTES + 8)
#define SEALED_MAX  256    /* users.totp_secret is VARCHAR(255)         */
#define AAD_MAX     48
#define ISSUER_MAX  64
#define URI_MAX     1024
#define B32_SECRET  (TOTP_SECRET_BYTES * 8 / 5)   /* 32 characters  */

struct totp {
    const struct jutsu_host *host;
    jutsu_ctx      *ctx;
    const char     *issuer;   /* the host's string, valid until destroy */
    pthread_mutex_t lock;     /* one read-check-write of a row at a time */
};

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_KEY_AT("issuer", JUTSU_CFG_STR, "Jutsu",
                     "The name authenticator apps show next to the account",
                     struct totp, issuer),
    JUTSU_CFG_END
};

/* One user's TOTP state while an op works on it. */
struct rec {
    const struct jutsu_data *data;
    jutsu_dbs   *s;
    int64_t      id;
    struct jutsu_user_row u;          /* as read; its strings live in s */
    int          has_secret;
    uint8_t      secret[TOTP_SECRET_BYTES];
    int64_t      last;                /* last accepted step; 0: none    */
    char        *codes;               /* a new backup_codes (malloc)    */
    char         sealed[SEALED_MAX];
};

static void aad_of(int64_t id, char aad[AAD_MAX])
{
    snprintf(aad, AAD_MAX, "totp:user:%lld", (long long)id);
}

static void put_be64(uint8_t *b, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t)(v & 0xff);
}

static uint64_t get_be64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

/* --- the user's row ------------------------------------------------------------ */

static int rec_unseal(struct totp *p, struct rec *r)
{
    uint8_t plain[SEAL_PLAIN + 16];
    char aad[AAD_MAX];
    size_t n = 0;
    aad_of(r->id, aad);
    int rc = p->host->unseal(p->ctx, aad, r->u.totp_secret, plain, sizeof(plain), &n);
    if (rc == 0 && n == SEAL_PLAIN) {
        memcpy(r->secret, plain, TOTP_SECRET_BYTES);
        r->last = (int64_t)get_be64(plain + TOTP_SECRET_BYTES);
        r->has_secret = 1;
    }
    sodium_memzero(plain, sizeof(plain));
    if (r->has_secret)
        return 0;
    p->host->log(p->ctx, JUTSU_LOG_ERROR, "user %lld: the stored TOTP secret does not open "
                 "(%s): it was altered, copied from another user's row, or sealed with a key "
                 "the key file no longer holds; hint: disable TOTP for the user and set it up "
                 "again", (long long)r->id, rc != 0 ? jutsu_strerror(rc) : "wrong length");
    p->host->set_error(p->ctx, "the stored TOTP secret of user %lld does not open (see the log)",
                       (long long)r->id);
    return JUTSU_EPLUGIN;
}

/* Opens a session and reads uid's row (the secret stays sealed). */
static int rec_open(struct totp *p, int64_t uid, struct rec *r)
{
    memset(r, 0, sizeof(*r));
    r->id = uid;
    if (uid <= 0) {
        p->host->set_error(p->ctx, "no user id (got %lld)", (long long)uid);
        return JUTSU_ENOENT;
    }
    if ((r->data = p->host->data(p->ctx)) == NULL) {
        p->host->set_error(p->ctx, "no storage is configured: TOTP secrets live in users");
        return JUTSU_ESTATE;
    }
    int rc = r->data->open(p->ctx, &r->s);
    if (rc != 0) {
        p->host->set_error(p->ctx, "cannot open a data session: %s", jutsu_strerror(rc));
        return rc;
    }
    if ((rc = r->data->user_get(r->s, uid, NULL, &r->u)) != 0)
        p->host->set_error(p->ctx, "reading user %lld: %s", (long long)uid,
                           r->data->last_error(r->s));
    return rc;
}

static int rec_sealed(const struct rec *r)
{
    return r->u.totp_secret != NULL && r->u.totp_secret[0] != '\0';
}

static void rec_close(struct rec *r)
{
    if (r->s != NULL)
        r->data->close(r->s);
    sodium_memzero(r->secret, sizeof(r->secret));
    free(r->codes);
    r->codes = NULL;
}

/* Writes r back: the secret and last step sealed (or none), and the rest
 * of the row as the caller left it in r->u. */
static int rec_store(struct totp *p, struct rec *r)
{
    int rc;
    r->u.totp_secret = NULL;
    if (r->has_secret) {
        uint8_t plain[SEAL_PLAIN];
        char aad[AAD_MAX];
        aad_of(r->id, aad);
        memcpy(plain, r->secret, TOTP_SECRET_BYTES);
        put_be64(plain + TOTP_SECRET_BYTES, (uint64_t)r->last);
        rc = p->host->seal(p->ctx, aad, plain, sizeof(plain), r->sealed, sizeof(r->sealed));
        sodium_memzero(plain, sizeof(plain));
        if (rc != 0) {
            p->host->set_error(p->ctx, "sealing the TOTP secret of user %lld: %s",
                               (long long)r->id, jutsu_strerror(rc));
            return rc;
        }
        r->u.totp_secret = r->sealed;
    }
    if ((rc = r->data->user_update(r->s, &r->u)) != 0)
        p->host->set_error(p->ctx, "storing the TOTP state of user %lld: %s", (long long)r->id,
                           r->data->last_error(r->s));
    return rc;
}

/* 0 with the secret open when TOTP is on for r, JUTSU_ENOENT when it is
 * not. Enabled without a secret (a row edited by hand) fails closed. */
static int rec_enabled(struct totp *p, struct rec *r)
{
    if (!r->u.totp_enabled) {
        p->host->set_error(p->ctx, "TOTP is not enabled for user %lld", (long long)r->id);
        return JUTSU_ENOENT;
    }
    if (!rec_sealed(r)) {
        p->host->set_error(p->ctx, "user %lld has TOTP enabled but no secret; hint: disable "
                           "TOTP for the user and set it up again", (long long)r->id);
        return JUTSU_EPLUGIN;
    }
    return rec_unseal(p, r);
}

/* --- codes ---------------------------------------------------------------------- */

static int six_digits(const char *code)
{
    for (int i = 0; i < TOTP_DIGITS; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    return code[TOTP_DIGITS] == '\0';
}

/* 1 and *step when `code` is r's TOTP code of a step within one of now
 * and after r->last; 0 when not; JUTSU_EPLUGIN when HMAC fails. */
static int totp_match(struct totp *p, const struct rec *r, const char *code, int64_t *step)
{
    int64_t now = totp_step(p->host->now(p->ctx) / JUTSU_USEC_PER_SEC, TOTP_PERIOD);
    int found = 0;
    /* all three are computed and compared in full: the time taken does
     * not say which step, if any, matched */
    for (int64_t st = now - 1; st <= now + 1; st++) {
        char want[TOTP_DIGITS + 1];
        uint32_t v;
        if (st <= r->last || st < 0)
            continue;
        if (totp_hotp(r->secret, sizeof(r->secret), (uint64_t)st, TOTP_DIGITS, &v) != 0 ||
            totp_format(v, TOTP_DIGITS, want, sizeof(want)) != 0) {
            p->host->set_error(p->ctx, "HMAC-SHA1 failed (libcrypto)");
            return JUTSU_EPLUGIN;
        }
        if (sodium_memcmp(want, code, TOTP_DIGITS) == 0 && !found) {
            found = 1;
            *step = st;
        }
        sodium_memzero(want, sizeof(want));
    }
    return found;
}

/* Accepts `code` for r: a TOTP code moves r->last, a backup code (if
 * allowed) leaves r->u.backup_codes without it. 1 accepted (r is then to
 * be stored), 0 refused, or an error. */
static int use_code(struct totp *p, struct rec *r, const char *code, int allow_backup)
{
    char norm[TOTP_BACKUP_CHARS + 1];
    int64_t step = 0;
    int rc;
    if (six_digits(code)) {
        if ((rc = totp_match(p, r, code, &step)) == 1)
            r->last = step;
        return rc;
    }
    if (!allow_backup || !totp_backup_normalize(code, norm))
        return 0;
    rc = totp_backup_use(r->u.backup_codes, norm, &r->codes);
    sodium_memzero(norm, sizeof(norm));
    if (rc == 1)
        r->u.backup_codes = r->codes;
    else if (rc == JUTSU_EMALFORMED) {
        p->host->log(p->ctx, JUTSU_LOG_ERROR, "user %lld: users.backup_codes is not a JSON "
                     "array of hashes; hint: make a new set", (long long)r->id);
        p->host->set_error(p->ctx, "the stored backup codes of user %lld cannot be read",
                           (long long)r->id);
        rc = JUTSU_EPLUGIN;
    } else if (rc < 0)
        p->host->set_error(p->ctx, "checking a backup code: %s", jutsu_strerror(rc));
    return rc;
}

static int refused(struct totp *p)
{
    p->host->set_error(p->ctx, "the code is wrong, or was used already");
    return JUTSU_EAUTH;
}

/* A new set of backup codes into r->u.backup_codes, and the answer. */
static int new_backup_codes(struct totp *p, struct rec *r, json_object **answer)
{
    char shown[TOTP_BACKUP_COUNT][TOTP_BACKUP_SHOWN + 1], *json = NULL;
    *answer = NULL;
    int rc = totp_backup_new(shown, &json);
    if (rc != 0) {
        p->host->set_error(p->ctx, "making backup codes: %s", jutsu_strerror(rc));
        return rc;
    }
    free(r->codes);   /* what a backup code just used left, if one was */
    r->codes = json;
    r->u.backup_codes = json;
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    int bad = o == NULL || a == NULL;
    for (int i = 0; i < TOTP_BACKUP_COUNT && !bad; i++) {
        json_object *c = json_object_new_string(shown[i]);
        if ((bad = c == NULL || json_object_array_add(a, c) != 0))
            json_object_put(c);
    }
    sodium_memzero(shown, sizeof(shown));
    if (bad) {
        json_object_put(a);
        a = NULL;
    }
    /* jutsu_json_add takes a, also when it fails */
    if (o == NULL || a == NULL || jutsu_json_add(o, "backup_codes", a) != 0) {
        if (o == NULL)
            json_object_put(a);
        json_object_put(o);
        p->host->set_error(p->ctx, "out of memory making the answer");
        return JUTSU_ENOMEM;
    }
    *answer = o;
    return 0;
}

/* --- enrol actions: each runs under the lock, on the row rec_open read -------- */

static int url_encode(const char *in, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *c = (const unsigned char *)in; *c; c++) {
        int plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                    (*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL;
        if (o + (plain ? 1 : 3) >= outsz)
            return -1;
        if (plain) {
            out[o++] = (char)*c;
        } else {
            out[o++] = '%';
            out[o++] = hex[*c >> 4];
            out[o++] = hex[*c & 15];
        }
    }
    out[o] = '\0';
    return 0;
}

/* {secret, otpauth_uri, qr} for r's secret, or NULL (out of memory, or a
 * name too long for the URI). */
static json_object *setup_answer(struct totp *p, const struct rec *r)
{
    char b32[B32_SECRET + 1], issuer[ISSUER_MAX * 3 + 1], user[URI_MAX / 2], uri[URI_MAX];
    json_object *o = NULL;
    if (totp_b32_encode(r->secret, sizeof(r->secret), 0, b32, sizeof(b32)) == 0 &&
        url_encode(p->issuer, issuer, sizeof(issuer)) == 0 &&
        url_encode(r->u.username != NULL ? r->u.username : "", user, sizeof(user)) == 0) {
        int n = snprintf(uri, sizeof(uri), "otpauth://totp/%s:%s?secret=%s&issuer=%s"
                         "&algorithm=SHA1&digits=%d&period=%d", issuer, user, b32, issuer,
                         TOTP_DIGITS, TOTP_PERIOD);
        if (n > 0 && (size_t)n < sizeof(uri) && (o = json_object_new_object()) != NULL &&
            (jutsu_json_add(o, "secret", json_object_new_string(b32)) != 0 ||
             jutsu_json_add(o, "otpauth_uri", json_object_new_string(uri)) != 0 ||
             jutsu_json_add(o, "qr", totp_qr_json(uri)) != 0)) {
            json_object_put(o);
            o = NULL;
        }
    }
    sodium_memzero(b32, sizeof(b32));
    sodium_memzero(uri, sizeof(uri));
    return o;
}

static int act_setup(struct totp *p, struct rec *r, const char *code, json_object **answer)
{
    if (r->u.totp_enabled) {
        p->host->set_error(p->ctx, "TOTP is already enabled for user %lld; disable it first",
                           (long long)r->id);
        return JUTSU_EEXIST;
    }
    randombytes_buf(r->secret, sizeof(r->secret));
    r->has_secret = 1;
    r->last = 0;
    r->u.backup_codes = NULL;
    if ((*answer = setup_answer(p, r)) == NULL) {
        p->host->set_error(p->ctx, "out of memory making the answer");
        return JUTSU_ENOMEM;
    }
    return rec_store(p, r);
}

static int act_verify(struct totp *p, struct rec *r, const char *code, json_object **answer)
{
    int rc;
    if (r->u.totp_enabled) {
        p->host->set_error(p->ctx, "TOTP is already enabled for user %lld", (long long)r->id);
        return JUTSU_EEXIST;
    }
    if (!rec_sealed(r)) {
        p->host->set_error(p->ctx, "user %lld has no TOTP secret; hint: run action \"setup\" "
                           "first", (long long)r->id);
        return JUTSU_ENOENT;
    }
    if ((rc = rec_unseal(p, r)) != 0)
        return rc;
    if ((rc = use_code(p, r, code, 0)) != 1)
        return rc == 0 ? refused(p) : rc;
    if ((rc = new_backup_codes(p, r, answer)) != 0)
        return rc;
    r->u.totp_enabled = 1;
    return rec_store(p, r);
}

static int act_disable(struct totp *p, struct rec *r, const char *code, json_object **answer)
{
    int rc = rec_enabled(p, r);
    if (rc != 0)
        return rc;
    if ((rc = use_code(p, r, code, 1)) != 1)
        return rc == 0 ? refused(p) : rc;
    sodium_memzero(r->secret, sizeof(r->secret));
    r->has_secret = 0;
    r->u.totp_enabled = 0;
    r->u.backup_codes = NULL;
    return rec_store(p, r);
}

static int act_backup_codes(struct totp *p, struct rec *r, const char *code,
                            json_object **answer)
{
    int rc = rec_enabled(p, r);
    if (rc != 0)
        return rc;
    if ((rc = use_code(p, r, code, 1)) != 1)
        return rc == 0 ? refused(p) : rc;
    if ((rc = new_backup_codes(p, r, answer)) != 0)
        return rc;
    return rec_store(p, r);
}

static int act_status(struct totp *p, struct rec *r, const char *code, json_object **answer)
{
    int left = r->u.totp_enabled ? totp_backup_count(r->u.backup_codes) : 0;
    if (left < 0) {
        p->host->set_error(p->ctx, "the stored backup codes of user %lld cannot be read",
                           (long long)r->id);
        return JUTSU_EPLUGIN;
    }
    json_object *o = json_object_new_object();
    if (o == NULL || jutsu_json_add(o, "enabled",
                                    json_object_new_boolean(r->u.totp_enabled != 0)) != 0 ||
        jutsu_json_add(o, "backup_codes_left", json_object_new_int(left)) != 0) {
        json_object_put(o);
        p->host->set_error(p->ctx, "out of memory making the answer");
        return JUTSU_ENOMEM;
    }
    *answer = o;
    return 0;
}

static const struct action {
    const char *name;
    int         needs_code;
    int       (*run)(struct totp *p, struct rec *r, const char *code, json_object **answer);
} actions[] = {
    { "setup",        0, act_setup },
    { "verify",       1, act_verify },
    { "disable",      1, act_disable },
    { "backup-codes", 1, act_backup_codes },
    { "status",       0, act_status },
};

/* --- requests and ops ------------------------------------------------------------ */

/* The string member `key` of req (at most `max` bytes) into *out. */
static int member(struct totp *p, json_object *req, const char *key, size_t max,
                  const char **out)
{
    json_object *v;
    if (!json_object_is_type(req, json_type_object)) {
        p->host->set_error(p->ctx, "the request is %s, not a JSON object",
                           jutsu_json_type_name(req));
        return JUTSU_EINVAL;
    }
    if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_string)) {
        p->host->set_error(p->ctx, "member \"%s\" is missing or not a string", key);
        return JUTSU_EINVAL;
    }
    if ((size_t)json_object_get_string_len(v) > max) {
        p->host->set_error(p->ctx, "member \"%s\" is longer than %zu bytes", key, max);
        return JUTSU_EINVAL;
    }
    *out = json_object_get_string(v);
    return 0;
}

static int tp_verify(void *state, int64_t user_id, struct json_object *response)
{
    struct totp *p = state;
    const char *code = NULL;
    struct rec r;
    int rc = member(p, response, "code", TOTP_BACKUP_TYPED, &code);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&p->lock);
    if ((rc = rec_open(p, user_id, &r)) == 0 && (rc = rec_enabled(p, &r)) == 0) {
        rc = use_code(p, &r, code, 1);
        rc = rc == 1 ? rec_store(p, &r) : rc == 0 ? refused(p) : rc;
    }
    rec_close(&r);
    pthread_mutex_unlock(&p->lock);
    return rc;
}

static int tp_enrol(void *state, int64_t user_id, struct json_object *request,
                    struct json_object **result)
{
    struct totp *p = state;
    const char *name = NULL, *code = NULL;
    const struct action *a = NULL;
    json_object *answer = NULL;
    struct rec r;
    if (result != NULL)
        *result = NULL;
    int rc = member(p, request, "action", 32, &name);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]) && a == NULL; i++)
        if (strcmp(actions[i].name, name) == 0)
            a = &actions[i];
    if (a == NULL) {
        p->host->set_error(p->ctx, "member \"action\" is \"%s\", not one of setup, verify, "
                           "disable, backup-codes, status", name);
        return JUTSU_EINVAL;
    }
    if (a->needs_code && (rc = member(p, request, "code", TOTP_BACKUP_TYPED, &code)) != 0)
        return rc;
    pthread_mutex_lock(&p->lock);
    if ((rc = rec_open(p, user_id, &r)) == 0)
        rc = a->run(p, &r, code, &answer);
    rec_close(&r);
    pthread_mutex_unlock(&p->lock);
    if (rc == 0 && result != NULL)
        *result = answer;
    else
        json_object_put(answer);
    return rc;
}

/* --- lifecycle -------------------------------------------------------------------- */

static void tp_destroy(void *state)
{
    struct totp *p = state;
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static int check_issuer(const struct jutsu_host *host, jutsu_ctx *ctx, const char *issuer)
{
    size_t n = strlen(issuer);
    if (n == 0 || n > ISSUER_MAX)
        return host->cfg_error(ctx, "issuer", "issuer has %zu bytes; it needs 1 to %d", n,
                               ISSUER_MAX);
    for (const unsigned char *c = (const unsigned char *)issuer; *c; c++)
        if (*c == ':' || *c < 0x20 || *c == 0x7f)
            return host->cfg_error(ctx, "issuer", "issuer \"%s\" has a ':' or a control "
                                   "character, which the otpauth URI's label cannot carry",
                                   issuer);
    return 0;
}

static int tp_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    if (!JUTSU_OPS_HAS(host, jutsu_host, seal) || !JUTSU_OPS_HAS(host, jutsu_host, unseal)) {
        /* the host is never NULL: JUTSU_OPS_HAS tests for NULL as it serves any ops table */
        /* cppcheck-suppress nullPointerRedundantCheck */
        host->set_error(ctx, "the host offers no seal/unseal (ABI 1.2), and TOTP secrets are "
                        "only ever stored sealed");
        return JUTSU_ENOTSUP;
    }
    if (sodium_init() < 0) {
        host->set_error(ctx, "libsodium failed to initialise");
        return JUTSU_EIO;
    }
    struct totp *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return JUTSU_ENOMEM;
    p->host = host;
    p->ctx = ctx;
    int rc = host->cfg_fill(ctx, p) != 0 ? JUTSU_ECONFIG : check_issuer(host, ctx, p->issuer);
    if (rc == 0 && pthread_mutex_init(&p->lock, NULL) != 0) {
        host->set_error(ctx, "cannot make a mutex");
        rc = JUTSU_ENOMEM;
    }
    if (rc != 0) {
        free(p);
        return rc;
    }
    *state = p;
    return 0;
}

static const struct jutsu_auth_ops ops = {
    .size   = sizeof(struct jutsu_auth_ops),
    .factor = "totp",
    .verify = tp_verify,
    .enrol  = tp_enrol,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_AUTH,
    .name        = "auth-totp",
    .version     = "1.0.0",
    .description = "The TOTP factor: RFC 6238 codes from an authenticator app, and backup codes",
    .schema      = schema,
    .init        = tp_init,
    .destroy     = tp_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
