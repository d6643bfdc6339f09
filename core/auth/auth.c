/*
 * core/auth/auth.c — the engine's frame: keys, sealing, errors, issuing
 * tokens and checking an access token.
 *
 * check() is on every request's path, so it costs one MAC, one parse and
 * two indexed reads (the blacklist, the user). The user is read each time
 * on purpose: a disabled user, a changed role or a changed password takes
 * effect on the next request, not when the token expires.
 */
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "base/log.h"
#include "auth/auth_int.h"
#include "auth/roles.h"
#include "store/data_api.h"

#define US 1000000

int jutsu_auth_new(const struct jutsu_auth_env *env, struct jutsu_auth **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return JUTSU_EIO;
    struct jutsu_auth *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return JUTSU_ENOMEM;
    a->env = *env;
    if (pthread_mutex_init(&a->lock, NULL) != 0) {
        free(a);
        return JUTSU_ENOMEM;
    }
    if (jutsu_auth_cache_new(&a->cache) != 0) {
        pthread_mutex_destroy(&a->lock);
        free(a);
        return JUTSU_ENOMEM;
    }
    *out = a;
    return 0;
}

void jutsu_auth_free(struct jutsu_auth *a)
{
    if (a == NULL)
        return;
    jutsu_keys_wipe(&a->keys);
    jutsu_auth_cache_free(a->cache);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

jutsu_time_t jutsu_auth_now(struct jutsu_auth *a)
{
    return a->env.now(a->env.arg);
}

json_object *jutsu_auth_error(const char *code, const char *message, const char *hint)
{
    json_object *o = json_object_new_object();
    if (o == NULL || jutsu_json_add(o, "code", json_object_new_string(code)) ||
        jutsu_json_add(o, "message", json_object_new_string(message)) ||
        (hint != NULL && jutsu_json_add(o, "hint", json_object_new_string(hint)))) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

int jutsu_auth_fail(json_object **out, int rc, const char *code, const char *message,
                    const char *hint)
{
    json_object_put(*out);
    *out = jutsu_auth_error(code, message, hint);
    return rc;
}

int jutsu_auth_fail_db(jutsu_dbs *s, json_object **out, int rc, const char *what)
{
    jutsu_log(AUTH_LOG, JUTSU_LOG_ERROR, "%s: %s", what, s ? jutsu_dbs_error(s) : "no database");
    if (rc == JUTSU_ETRANSIENT)
        return jutsu_auth_fail(out, rc, "unavailable", "the database is not reachable",
                               "try again shortly");
    return jutsu_auth_fail(out, rc == JUTSU_EAUTH ? JUTSU_EDB : rc, "internal",
                           "the server could not read or write its database",
                           "the server log has the details");
}

int jutsu_auth_dbs(struct jutsu_auth *a, jutsu_dbs **s, json_object **out)
{
    struct jutsu_store st;
    *s = NULL;
    int rc = a->env.store(a->env.arg, &st);
    if (rc == 0)
        rc = jutsu_dbs_open(&st, s);
    if (rc != 0) {
        jutsu_log(AUTH_LOG, JUTSU_LOG_ERROR, "cannot open a database session: %s",
                  jutsu_strerror(rc));
        return jutsu_auth_fail(out, JUTSU_ETRANSIENT, "unavailable",
                               "the database is not reachable", "try again shortly");
    }
    return 0;
}

static int load_keys(struct jutsu_auth *a, char *err, size_t errsz)
{
    int rc = 0;
    pthread_mutex_lock(&a->lock);
    if (!a->keys_loaded) {
        rc = jutsu_keys_load(a->env.settings->secret_key_file, &a->keys, err, errsz);
        a->keys_loaded = rc == 0;
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int jutsu_auth_keys_ready(struct jutsu_auth *a, char *err, size_t errsz)
{
    return load_keys(a, err, errsz);
}

int jutsu_auth_keys(struct jutsu_auth *a, const struct jutsu_keys **k, json_object **out)
{
    char err[512];
    /* keys_loaded only ever goes 0 -> 1, under the lock, before anyone reads keys */
    if (!__atomic_load_n(&a->keys_loaded, __ATOMIC_ACQUIRE)) {
        int rc = load_keys(a, err, sizeof(err));
        if (rc != 0) {
            jutsu_log(AUTH_LOG, JUTSU_LOG_ERROR, "%s", err);
            return jutsu_auth_fail(out, rc, "internal", "the server's key file is not usable",
                                   "the server log says why");
        }
    }
    *k = &a->keys;
    return 0;
}

int jutsu_auth_seal(struct jutsu_auth *a, const char *aad, const void *plain, size_t len,
                    char *out, size_t outsz)
{
    const struct jutsu_keys *k;
    json_object *err = NULL;
    int rc = jutsu_auth_keys(a, &k, &err);
    json_object_put(err);
    return rc ? rc : jutsu_keys_seal(k, aad, plain, len, out, outsz);
}

int jutsu_auth_unseal(struct jutsu_auth *a, const char *aad, const char *sealed, void *plain,
                      size_t plainsz, size_t *len)
{
    const struct jutsu_keys *k;
    json_object *err = NULL;
    *len = 0;
    int rc = jutsu_auth_keys(a, &k, &err);
    json_object_put(err);
    return rc ? rc : jutsu_keys_unseal(k, aad, sealed, plain, plainsz, len);
}

int jutsu_auth_factor_get(struct jutsu_auth *a, const char *factor,
                          struct jutsu_auth_factor *f, json_object **out)
{
    char msg[160];
    memset(f, 0, sizeof(*f));
    if (a->env.factor(a->env.arg, factor, f) == 0 && f->ops != NULL)
        return 0;
    snprintf(msg, sizeof(msg), "no auth plugin for the factor \"%s\" is configured", factor);
    return jutsu_auth_fail(out, JUTSU_ENOENT, "unavailable", msg,
                           "add an instance of auth-password, auth-totp or auth-passkey to "
                           "plugins: in the config");
}

void jutsu_auth_pwv(const struct jutsu_keys *k, const char *password_hash, char out[16])
{
    uint8_t h[8];
    crypto_generichash(h, sizeof(h), (const uint8_t *)password_hash, strlen(password_hash),
                       k->keys[0].mac, sizeof(k->keys[0].mac));
    sodium_bin2base64(out, 16, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void jutsu_auth_event(struct jutsu_auth *a, const char *topic, json_object *payload)
{
    if (a->env.publish == NULL) {
        json_object_put(payload);
        return;
    }
    int rc = a->env.publish(a->env.arg, topic, payload);
    if (rc != 0)
        jutsu_log(AUTH_LOG, JUTSU_LOG_WARN, "%s not published: %s", topic, jutsu_strerror(rc));
}

static int sign(const struct jutsu_keys *k, const struct jutsu_user_row *u, const char *typ,
                const char *fam, jutsu_time_t now, int64_t ttl_s, char *out, size_t outsz)
{
    struct jutsu_jwt_claims c = { .sub = u->id, .iat = now, .exp = now + ttl_s * US };
    snprintf(c.typ, sizeof(c.typ), "%s", typ);
    snprintf(c.fam, sizeof(c.fam), "%s", fam);
    jutsu_jwt_new_id(c.jti);
    jutsu_auth_pwv(k, u->password_hash, c.pwv);
    return jutsu_jwt_sign(k, &c, out, outsz);
}

int jutsu_auth_issue(struct jutsu_auth *a, const struct jutsu_keys *k,
                     const struct jutsu_user_row *u, const char *fam, json_object **out)
{
    const struct jutsu_settings_auth *set = a->env.settings;
    char access[JUTSU_JWT_MAX], refresh[JUTSU_JWT_MAX], family[JUTSU_JTI_LEN + 1];
    jutsu_time_t now = jutsu_auth_now(a);
    if (fam == NULL) {
        jutsu_jwt_new_id(family);
        fam = family;
    }
    json_object *o = json_object_new_object();
    if (o == NULL || sign(k, u, "access", fam, now, set->access_ttl_s, access, sizeof(access)) ||
        sign(k, u, "refresh", fam, now, set->refresh_ttl_s, refresh, sizeof(refresh)) ||
        jutsu_json_add(o, "access_token", json_object_new_string(access)) ||
        jutsu_json_add(o, "refresh_token", json_object_new_string(refresh)) ||
        jutsu_json_add(o, "token_type", json_object_new_string("bearer")) ||
        jutsu_json_add(o, "expires_in", json_object_new_int64(set->access_ttl_s)) ||
        jutsu_json_add(o, "refresh_expires_in", json_object_new_int64(set->refresh_ttl_s))) {
        json_object_put(o);
        sodium_memzero(access, sizeof(access));
        sodium_memzero(refresh, sizeof(refresh));
        return jutsu_auth_fail(out, JUTSU_ENOMEM, "internal", "out of memory", NULL);
    }
    sodium_memzero(access, sizeof(access));
    sodium_memzero(refresh, sizeof(refresh));
    json_object_put(*out);
    *out = o;
    return 0;
}

int jutsu_auth_revoked(jutsu_dbs *s, const struct jutsu_jwt_claims *c, int *yes)
{
    int rc = jutsu_data_token_is_blacklisted(s, c->jti, yes);
    if (rc == 0 && !*yes)
        rc = jutsu_data_token_is_blacklisted(s, c->fam, yes);
    return rc;
}

static int bad_token(json_object **out, const char *why)
{
    jutsu_log(AUTH_LOG, JUTSU_LOG_DEBUG, "token refused: %s", why);
    return jutsu_auth_fail(out, JUTSU_EAUTH, "bad_token",
                           "the access token is missing, invalid, expired or revoked",
                           "log in again, or refresh the session");
}

/* The snapshot of user c->sub from the database, if the token is not
 * revoked; cached when it is. */
static int check_db(struct jutsu_auth *a, const struct jutsu_keys *k,
                    const struct jutsu_jwt_claims *c, struct jutsu_auth_user_snap *snap,
                    json_object **out)
{
    jutsu_dbs *s = NULL;
    struct jutsu_user_row u;
    int revoked = 0;
    uint64_t gen = jutsu_data_users_generation();   /* before reading: stale-safe */
    jutsu_time_t at = jutsu_auth_now(a);
    int rc = jutsu_auth_dbs(a, &s, out);
    if (rc != 0)
        return rc;
    if ((rc = jutsu_auth_revoked(s, c, &revoked)) != 0 ||
        (rc = jutsu_data_user_get(s, c->sub, NULL, &u)) != 0) {
        rc = rc == JUTSU_ENOENT ? bad_token(out, "the user is gone")
                                : jutsu_auth_fail_db(s, out, rc, "token check");
    } else if (revoked) {
        rc = bad_token(out, "revoked (logout or refresh reuse)");
    } else {
        memset(snap, 0, sizeof(*snap));
        snap->id = u.id;
        snprintf(snap->username, sizeof(snap->username), "%s", u.username);
        snprintf(snap->role, sizeof(snap->role), "%s", u.role);
        jutsu_auth_pwv(k, u.password_hash, snap->pwv);
        snap->active = u.is_active;
        jutsu_auth_cache_put(a->cache, c->jti, snap, gen, at);
    }
    jutsu_dbs_close(s);
    return rc;
}

int jutsu_auth_check(struct jutsu_auth *a, const char *token, struct jutsu_identity *who,
                     json_object **out)
{
    const struct jutsu_keys *k;
    struct jutsu_jwt_claims c;
    struct jutsu_auth_user_snap u;
    const char *why;
    int rc;
    memset(who, 0, sizeof(*who));
    if ((rc = jutsu_auth_keys(a, &k, out)) != 0)
        return rc;
    jutsu_time_t now = jutsu_auth_now(a);
    if (jutsu_jwt_verify(k, token, now, &c, &why) != 0)
        return bad_token(out, why);
    if (strcmp(c.typ, "access") != 0)
        return bad_token(out, "not an access token");
    if (!jutsu_auth_cache_check(a->cache, c.jti, c.sub, now, AUTH_CACHE_TTL(a), &u) &&
        (rc = check_db(a, k, &c, &u, out)) != 0)
        return rc;
    if (!u.active)
        return bad_token(out, "the user is disabled");
    if (strcmp(u.pwv, c.pwv) != 0)
        return bad_token(out, "the password changed since");
    who->user_id = u.id;
    snprintf(who->username, sizeof(who->username), "%s", u.username);
    snprintf(who->role, sizeof(who->role), "%s", u.role);
    who->perms = jutsu_role_perms(u.role);
    snprintf(who->jti, sizeof(who->jti), "%s", c.jti);
    snprintf(who->family, sizeof(who->family), "%s", c.fam);
    who->expires_at = c.exp;
    return 0;
}
