/*
 * core/auth/auth_login.c — logging in, in one or two steps; lockout;
 * refreshing and ending a session.
 *
 *   login(user, password)
 *     locked?                      423 {locked_until}, no attempt counted
 *     password plugin verify       wrong: count it (the lockout_threshold-th
 *                                  wrong answer locks and answers 423),
 *                                  401 bad_credentials
 *     second factor enabled?       200 {requires_2fa, methods, challenge_token}
 *     else                         200 the tokens
 *   login_finish(challenge, factor, answer)
 *     the challenge token is good once: used, it is blacklisted
 *     wrong answers count towards the same lockout
 *
 * The failure counter is a read-modify-write of the user row, done under
 * the engine's lock so two wrong passwords at once both count. A login
 * for a name that does not exist runs the password plugin all the same
 * (it makes a dummy verify) and answers exactly like a wrong password.
 */
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "base/log.h"
#include "base/metrics.h"
#include "auth/auth_int.h"
#include "auth/policy.h"
#include "store/data_api.h"

#define US INT64_C(1000000)

static json_object *event(const struct jutsu_user_row *u, const char *username,
                          const char *client, const char *what, const char *value)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    if (u != NULL)
        jutsu_json_add(o, "user_id", json_object_new_int64(u->id));
    jutsu_json_add(o, "username", json_object_new_string(u ? u->username : username));
    jutsu_json_add(o, "client", json_object_new_string(client ? client : "?"));
    if (what != NULL)
        jutsu_json_add(o, what, json_object_new_string(value));
    return o;
}

static int locked_answer(json_object **out, jutsu_time_t until)
{
    char when[JUTSU_TIME_BUFSZ], msg[160];
    jutsu_time_format(until, when);
    snprintf(msg, sizeof(msg), "the account is locked until %s after too many failed logins",
             when);
    jutsu_auth_fail(out, JUTSU_ELOCKED, "locked", msg,
                    "wait until then, or ask an admin to run `jutsu user unlock NAME`");
    if (*out != NULL)
        jutsu_json_add(*out, "locked_until", json_object_new_string(when));
    return JUTSU_ELOCKED;
}

/* A refused login or token into the metrics: jutsu_auth_failures_total
 * by reason (a fixed word, never what the client sent). */
static void count_refused(const char *reason)
{
    char labels[64];
    snprintf(labels, sizeof(labels), "reason=\"%s\"", reason);
    jutsu_metrics_add(NULL, "jutsu_auth_failures_total", labels, 1);
}

/* A wrong answer for user `id`: count it, lock at the threshold. */
static int count_failure(struct jutsu_auth *a, jutsu_dbs *s, int64_t id, const char *factor,
                         const char *client, json_object **out)
{
    const struct jutsu_settings_auth *set = a->env.settings;
    struct jutsu_user_row u;
    jutsu_time_t now = jutsu_auth_now(a), until = 0;
    pthread_mutex_lock(&a->lock);
    int rc = jutsu_data_user_get(s, id, NULL, &u);
    if (rc == 0) {
        u.failed_login_count++;
        if (u.failed_login_count >= set->lockout_threshold) {
            until = u.locked_until = now + set->lockout_minutes * 60 * US;
            u.failed_login_count = 0;
        }
        rc = jutsu_data_user_update(s, &u);
    }
    pthread_mutex_unlock(&a->lock);
    if (rc != 0)
        return jutsu_auth_fail_db(s, out, rc, "counting a failed login");
    jutsu_log(AUTH_LOG, JUTSU_LOG_WARN, "login failed: user %s, %s, from %s", u.username, factor,
              client);
    jutsu_auth_event(a, "auth.failure", event(&u, NULL, client, "factor", factor));
    count_refused(strcmp(factor, "password") == 0 ? "wrong_password" : "wrong_factor");
    if (until != 0) {
        jutsu_metrics_add(NULL, "jutsu_auth_lockouts_total", NULL, 1);
        char when[JUTSU_TIME_BUFSZ];
        jutsu_time_format(until, when);
        jutsu_log(AUTH_LOG, JUTSU_LOG_WARN, "account locked: user %s until %s", u.username, when);
        jutsu_auth_event(a, "auth.lockout", event(&u, NULL, client, "locked_until", when));
        return locked_answer(out, until);
    }
    return jutsu_auth_fail(out, JUTSU_EAUTH, "bad_credentials",
                           strcmp(factor, "password") == 0 ? "wrong username or password"
                                                           : "wrong code or credential", NULL);
}

static int has_passkey(const void *row, void *arg)
{
    (void)row;
    *(int *)arg = 1;
    return 1;   /* one is enough: stop */
}

/* The tokens for u, after the last factor: reset the counter, stamp last_login. */
static int finish(struct jutsu_auth *a, jutsu_dbs *s, const struct jutsu_keys *k,
                  struct jutsu_user_row *u, const char *method, const char *client,
                  json_object **out)
{
    u->failed_login_count = 0;
    u->locked_until = 0;
    u->last_login = jutsu_auth_now(a);
    int rc = jutsu_data_user_update(s, u);
    if (rc != 0)
        return jutsu_auth_fail_db(s, out, rc, "recording a login");
    if ((rc = jutsu_auth_issue(a, k, u, NULL, out)) != 0)
        return rc;
    jutsu_log(AUTH_LOG, JUTSU_LOG_INFO, "login: user %s (%s) by %s from %s", u->username,
              u->role, method, client);
    jutsu_auth_event(a, "auth.login", event(u, NULL, client, "method", method));
    return 0;
}

static int second_factor(struct jutsu_auth *a, jutsu_dbs *s, const struct jutsu_keys *k,
                         const struct jutsu_user_row *u, json_object **out)
{
    int passkey = 0;
    int rc = jutsu_data_passkeys_list(s, u->id, has_passkey, &passkey);
    if (rc != 0 && rc != 1)
        return jutsu_auth_fail_db(s, out, rc, "listing passkeys");
    if (!passkey && !u->totp_enabled)
        return 1;
    struct jutsu_jwt_claims c = { .sub = u->id, .iat = jutsu_auth_now(a) };
    c.exp = c.iat + a->env.settings->challenge_ttl_s * US;
    snprintf(c.typ, sizeof(c.typ), "challenge");
    jutsu_jwt_new_id(c.jti);
    snprintf(c.fam, sizeof(c.fam), "%s", c.jti);
    jutsu_auth_pwv(k, u->password_hash, c.pwv);
    char tok[JUTSU_JWT_MAX];
    json_object *o = json_object_new_object(), *m = json_object_new_array();
    if (o == NULL || m == NULL || jutsu_jwt_sign(k, &c, tok, sizeof(tok)) ||
        jutsu_json_add(o, "requires_2fa", json_object_new_boolean(1)) ||
        (passkey && json_object_array_add(m, json_object_new_string("passkey"))) ||
        (u->totp_enabled && (json_object_array_add(m, json_object_new_string("totp")) ||
                             json_object_array_add(m, json_object_new_string("backup_code")))) ||
        jutsu_json_add(o, "methods", m) ||
        jutsu_json_add(o, "challenge_token", json_object_new_string(tok)) ||
        jutsu_json_add(o, "expires_in", json_object_new_int64(a->env.settings->challenge_ttl_s))) {
        json_object_put(o);
        return jutsu_auth_fail(out, JUTSU_ENOMEM, "internal", "out of memory", NULL);
    }
    json_object_put(*out);
    *out = o;
    return 0;
}

/* json-c holds a copy of the password in the request: wipe it before free. */
static void wipe_password(json_object *req)
{
    json_object *pw;
    if (json_object_object_get_ex(req, "password", &pw))
        sodium_memzero((char *)json_object_get_string(pw), (size_t)json_object_get_string_len(pw));
}

/* Runs a factor's verify; maps what it says to an answer. The caller's
 * session *s is closed meanwhile and opened again after: the plugin opens
 * its own, and a login holding two connections at once could wait forever
 * on a pool that concurrent logins have emptied. */
static int run_verify(struct jutsu_auth *a, jutsu_dbs **s, const struct jutsu_auth_factor *f,
                      int64_t uid, json_object *response, json_object **out)
{
    jutsu_dbs_close(*s);
    *s = NULL;
    int rc = f->ops->verify(f->state, uid, response);
    json_object *err = NULL;
    if (jutsu_auth_dbs(a, s, &err) != 0) {
        json_object_put(*out);
        *out = err;
        return JUTSU_ETRANSIENT;
    }
    if (rc == 0 || rc == JUTSU_EAUTH)
        return rc;
    const char *why = f->why ? f->why(f->why_arg) : "";
    if (rc == JUTSU_EINVAL || rc == JUTSU_ENOENT)
        return jutsu_auth_fail(out, rc == JUTSU_ENOENT ? JUTSU_EINVAL : rc, "bad_request",
                               why && *why ? why : "the request does not fit this factor",
                               rc == JUTSU_ENOENT ? "this factor is not set up for the user"
                                                  : NULL);
    if (rc == JUTSU_EFULL)
        return jutsu_auth_fail(out, rc, "unavailable", "too many logins at once",
                               "try again in a moment");
    jutsu_log(AUTH_LOG, JUTSU_LOG_ERROR, "%s: verify failed: %s", f->instance, why);
    return jutsu_auth_fail(out, rc, "internal", "the login could not be checked",
                           "the server log has the details");
}

int jutsu_auth_login(struct jutsu_auth *a, const char *username, const char *password,
                     const char *client, json_object **out)
{
    const struct jutsu_keys *k;
    struct jutsu_auth_factor f;
    struct jutsu_user_row u;
    jutsu_dbs *s = NULL;
    char why[160];
    int rc;
    *out = NULL;
    if (username == NULL || password == NULL ||
        jutsu_policy_username(username, why, sizeof(why)) != 0 ||
        strnlen(password, JUTSU_PASSWORD_MAX_BYTES + 1) > JUTSU_PASSWORD_MAX_BYTES)
        return jutsu_auth_fail(out, JUTSU_EAUTH, "bad_credentials",
                               "wrong username or password", NULL);
    if ((rc = jutsu_auth_keys(a, &k, out)) || (rc = jutsu_auth_factor_get(a, "password", &f, out)) ||
        (rc = jutsu_auth_dbs(a, &s, out)))
        return rc;
    rc = jutsu_data_user_get(s, 0, username, &u);
    if (rc != 0 && rc != JUTSU_ENOENT) {
        rc = jutsu_auth_fail_db(s, out, rc, "login");
        goto done;
    }
    int64_t uid = rc == 0 ? u.id : 0;
    if (uid != 0 && u.locked_until > jutsu_auth_now(a)) {
        count_refused("locked");
        rc = locked_answer(out, u.locked_until);
        goto done;
    }
    json_object *req = json_object_new_object();
    if (req == NULL || jutsu_json_add(req, "password", json_object_new_string(password))) {
        json_object_put(req);
        rc = jutsu_auth_fail(out, JUTSU_ENOMEM, "internal", "out of memory", NULL);
        goto done;
    }
    rc = run_verify(a, &s, &f, uid, req, out);
    wipe_password(req);
    json_object_put(req);
    if (rc == JUTSU_EAUTH && uid == 0) {
        jutsu_log(AUTH_LOG, JUTSU_LOG_WARN, "login failed: no user %s, from %s", username, client);
        jutsu_auth_event(a, "auth.failure", event(NULL, username, client, "factor", "password"));
        count_refused("unknown_user");
        rc = jutsu_auth_fail(out, JUTSU_EAUTH, "bad_credentials", "wrong username or password",
                             NULL);
    } else if (rc == JUTSU_EAUTH) {
        rc = count_failure(a, s, uid, "password", client, out);
    } else if (rc == 0 && (rc = jutsu_data_user_get(s, uid, NULL, &u)) != 0) {
        rc = jutsu_auth_fail_db(s, out, rc, "login");   /* re-read: verify may re-hash */
    } else if (rc == 0 && !u.is_active) {
        rc = jutsu_auth_fail(out, JUTSU_EAUTH, "bad_credentials", "this account is disabled",
                             "ask an admin to enable it");
    } else if (rc == 0 && (rc = second_factor(a, s, k, &u, out)) == 1) {
        rc = finish(a, s, k, &u, "password", client, out);
    }
done:
    jutsu_dbs_close(s);
    return rc;
}

int jutsu_auth_reauth(struct jutsu_auth *a, int64_t user_id, const char *password,
                      const char *client, json_object **out)
{
    struct jutsu_auth_factor f;
    struct jutsu_user_row u;
    jutsu_dbs *s = NULL;
    int rc;
    *out = NULL;
    if (password == NULL || strnlen(password, JUTSU_PASSWORD_MAX_BYTES + 1) >
                            JUTSU_PASSWORD_MAX_BYTES)
        return jutsu_auth_fail(out, JUTSU_EAUTH, "bad_credentials", "wrong password", NULL);
    if ((rc = jutsu_auth_factor_get(a, "password", &f, out)) || (rc = jutsu_auth_dbs(a, &s, out)))
        return rc;
    if ((rc = jutsu_data_user_get(s, user_id, NULL, &u)) != 0) {
        rc = rc == JUTSU_ENOENT ? jutsu_auth_fail(out, JUTSU_EAUTH, "bad_token",
                                                  "the user is gone", NULL)
                                : jutsu_auth_fail_db(s, out, rc, "re-authentication");
    } else if (u.locked_until > jutsu_auth_now(a)) {
        count_refused("locked");
        rc = locked_answer(out, u.locked_until);
    } else {
        json_object *req = json_object_new_object();
        if (req == NULL || jutsu_json_add(req, "password", json_object_new_string(password))) {
            rc = jutsu_auth_fail(out, JUTSU_ENOMEM, "internal", "out of memory", NULL);
        } else {
            rc = run_verify(a, &s, &f, user_id, req, out);
            wipe_password(req);
        }
        json_object_put(req);
        if (rc == JUTSU_EAUTH)
            rc = count_failure(a, s, user_id, "password", client, out);
    }
    jutsu_dbs_close(s);
    return rc;
}

/* The user a challenge token names, still able to log in. */
static int challenge_user(struct jutsu_auth *a, const struct jutsu_keys *k, jutsu_dbs *s,
                          const char *token, struct jutsu_jwt_claims *c,
                          struct jutsu_user_row *u, json_object **out)
{
    const char *why;
    int revoked = 0, rc;
    char pwv[16];
    if (jutsu_jwt_verify(k, token, jutsu_auth_now(a), c, &why) != 0 ||
        strcmp(c->typ, "challenge") != 0)
        return jutsu_auth_fail(out, JUTSU_EAUTH, "bad_token",
                               "the login challenge is invalid or has expired",
                               "log in with the password again");
    if ((rc = jutsu_auth_revoked(s, c, &revoked)) != 0 ||
        ((rc = jutsu_data_user_get(s, c->sub, NULL, u)) != 0 && rc != JUTSU_ENOENT))
        return jutsu_auth_fail_db(s, out, rc, "login challenge");
    if (rc == JUTSU_ENOENT || revoked || !u->is_active ||
        (jutsu_auth_pwv(k, u->password_hash, pwv), strcmp(pwv, c->pwv) != 0))
        return jutsu_auth_fail(out, JUTSU_EAUTH, "bad_token",
                               "the login challenge is used up or no longer valid",
                               "log in with the password again");
    if (u->locked_until > jutsu_auth_now(a)) {
        count_refused("locked");
        return locked_answer(out, u->locked_until);
    }
    return 0;
}

static int factor_of(const char *method, const char **factor)
{
    if (method == NULL || strcmp(method, "totp") == 0 || strcmp(method, "backup_code") == 0)
        *factor = "totp";
    else if (strcmp(method, "passkey") == 0)
        *factor = "passkey";
    else
        return -1;
    return 0;
}

int jutsu_auth_login_begin(struct jutsu_auth *a, const char *challenge, const char *method,
                           json_object **out)
{
    const struct jutsu_keys *k;
    struct jutsu_auth_factor f;
    struct jutsu_jwt_claims c;
    struct jutsu_user_row u;
    const char *factor;
    jutsu_dbs *s = NULL;
    int rc;
    *out = NULL;
    if (factor_of(method, &factor) != 0)
        return jutsu_auth_fail(out, JUTSU_EINVAL, "bad_request", "no such second factor",
                               "use passkey, totp or backup_code");
    if ((rc = jutsu_auth_keys(a, &k, out)) || (rc = jutsu_auth_factor_get(a, factor, &f, out)) ||
        (rc = jutsu_auth_dbs(a, &s, out)))
        return rc;
    rc = challenge_user(a, k, s, challenge, &c, &u, out);
    jutsu_dbs_close(s);   /* the plugin opens its own: hold one connection at a time */
    s = NULL;
    if (rc == 0) {
        if (f.ops->begin == NULL) {
            rc = jutsu_auth_fail(out, JUTSU_EINVAL, "bad_request",
                                 "this factor needs no challenge", NULL);
        } else if ((rc = f.ops->begin(f.state, u.id, out)) != 0) {
            const char *why = f.why ? f.why(f.why_arg) : "";
            rc = jutsu_auth_fail(out, rc == JUTSU_ENOENT ? JUTSU_EINVAL : rc,
                                 rc == JUTSU_ENOENT ? "bad_request" : "internal",
                                 rc == JUTSU_ENOENT ? "the user has no credential of this kind"
                                                    : "the challenge could not be made",
                                 rc == JUTSU_ENOENT ? NULL : "the server log has the details");
            if (rc != JUTSU_EINVAL)
                jutsu_log(AUTH_LOG, JUTSU_LOG_ERROR, "%s: begin failed: %s", f.instance, why);
        }
    }
    jutsu_dbs_close(s);
    return rc;
}

int jutsu_auth_login_finish(struct jutsu_auth *a, const char *challenge, const char *method,
                            json_object *response, const char *client, json_object **out)
{
    const struct jutsu_keys *k;
    struct jutsu_auth_factor f;
    struct jutsu_jwt_claims c;
    struct jutsu_user_row u;
    const char *factor;
    jutsu_dbs *s = NULL;
    int rc;
    *out = NULL;
    if (factor_of(method, &factor) != 0 || !json_object_is_type(response, json_type_object))
        return jutsu_auth_fail(out, JUTSU_EINVAL, "bad_request",
                               "the second factor's answer is missing or of an unknown kind",
                               "send {challenge_token, code} or a passkey assertion");
    if ((rc = jutsu_auth_keys(a, &k, out)) || (rc = jutsu_auth_factor_get(a, factor, &f, out)) ||
        (rc = jutsu_auth_dbs(a, &s, out)))
        return rc;
    if ((rc = challenge_user(a, k, s, challenge, &c, &u, out)) != 0)
        goto done;
    rc = run_verify(a, &s, &f, u.id, response, out);
    if (rc == JUTSU_EAUTH) {
        rc = count_failure(a, s, u.id, factor, client, out);
        goto done;
    }
    if (rc != 0)
        goto done;
    /* the challenge is good once */
    if ((rc = jutsu_data_token_blacklist(s, c.jti, "access", c.exp, u.id)) != 0) {
        rc = jutsu_auth_fail_db(s, out, rc, "using up a login challenge");
        goto done;
    }
    if ((rc = jutsu_data_user_get(s, u.id, NULL, &u)) != 0)
        rc = jutsu_auth_fail_db(s, out, rc, "login");
    else
        rc = finish(a, s, k, &u, factor, client, out);
done:
    jutsu_dbs_close(s);
    return rc;
}

int jutsu_auth_refresh(struct jutsu_auth *a, const char *token, const char *client,
                       json_object **out)
{
    const struct jutsu_keys *k;
    struct jutsu_jwt_claims c;
    struct jutsu_user_row u;
    const char *why;
    jutsu_dbs *s = NULL;
    int rc, used = 0, fam_revoked = 0;
    char pwv[16];
    *out = NULL;
    if ((rc = jutsu_auth_keys(a, &k, out)) != 0)
        return rc;
    if (jutsu_jwt_verify(k, token, jutsu_auth_now(a), &c, &why) != 0 ||
        strcmp(c.typ, "refresh") != 0)
        return jutsu_auth_fail(out, JUTSU_EAUTH, "bad_token",
                               "the refresh token is invalid or has expired", "log in again");
    if ((rc = jutsu_auth_dbs(a, &s, out)) != 0)
        return rc;
    /* check and use up under the lock: two refreshes with one token, one wins */
    pthread_mutex_lock(&a->lock);
    if ((rc = jutsu_data_token_is_blacklisted(s, c.jti, &used)) == 0 &&
        (rc = jutsu_data_token_is_blacklisted(s, c.fam, &fam_revoked)) == 0 && !used &&
        !fam_revoked)
        rc = jutsu_data_token_blacklist(s, c.jti, "refresh", c.exp, c.sub);
    if (rc == 0 && used && !fam_revoked)   /* reuse: a stolen token; end the whole login */
        rc = jutsu_data_token_blacklist(s, c.fam, "refresh", c.exp, c.sub);
    pthread_mutex_unlock(&a->lock);
    if (rc != 0) {
        rc = jutsu_auth_fail_db(s, out, rc, "refresh");
        goto done;
    }
    if (used || fam_revoked) {
        jutsu_log(AUTH_LOG, JUTSU_LOG_WARN, "refresh refused: user id %lld, %s, from %s",
                  (long long)c.sub, used ? "a used refresh token came back: the login is "
                  "revoked" : "the login was revoked", client);
        if (used && !fam_revoked) {
            json_object *ev = json_object_new_object();
            jutsu_json_add(ev, "user_id", json_object_new_int64(c.sub));
            jutsu_json_add(ev, "client", json_object_new_string(client ? client : "?"));
            jutsu_json_add(ev, "reason", json_object_new_string("refresh token reused"));
            jutsu_auth_event(a, "auth.failure", ev);
        }
        count_refused(used ? "refresh_reused" : "session_ended");
        rc = jutsu_auth_fail(out, JUTSU_EAUTH, "bad_token", "the session was ended",
                             "log in again");
        goto done;
    }
    rc = jutsu_data_user_get(s, c.sub, NULL, &u);
    if (rc == JUTSU_ENOENT || (rc == 0 && (!u.is_active ||
                                           (jutsu_auth_pwv(k, u.password_hash, pwv),
                                            strcmp(pwv, c.pwv) != 0))))
        rc = jutsu_auth_fail(out, JUTSU_EAUTH, "bad_token", "the session was ended",
                             "log in again");
    else if (rc != 0)
        rc = jutsu_auth_fail_db(s, out, rc, "refresh");
    else
        rc = jutsu_auth_issue(a, k, &u, c.fam, out);
done:
    jutsu_dbs_close(s);
    return rc;
}

int jutsu_auth_logout(struct jutsu_auth *a, const struct jutsu_identity *who,
                      const char *refresh_token, const char *client)
{
    json_object *err = NULL;
    jutsu_dbs *s = NULL;
    (void)refresh_token;   /* the family covers it: one login, one family */
    int rc = jutsu_auth_dbs(a, &s, &err);
    if (rc == 0) {
        jutsu_time_t fam_exp = jutsu_auth_now(a) + a->env.settings->refresh_ttl_s * US;
        int own = 0;
        if ((rc = jutsu_dbs_tx_enter(s, &own)) == 0) {
            rc = jutsu_data_token_blacklist(s, who->jti, "access", who->expires_at, who->user_id);
            if (rc == 0)
                rc = jutsu_data_token_blacklist(s, who->family, "refresh", fam_exp, who->user_id);
            rc = jutsu_dbs_tx_leave(s, own, rc);
        }
        if (rc != 0)
            jutsu_auth_fail_db(s, &err, rc, "logout");
    }
    json_object_put(err);
    jutsu_dbs_close(s);
    if (rc == 0) {
        jutsu_log(AUTH_LOG, JUTSU_LOG_INFO, "logout: user %s from %s", who->username, client);
        json_object *ev = json_object_new_object();
        jutsu_json_add(ev, "user_id", json_object_new_int64(who->user_id));
        jutsu_json_add(ev, "username", json_object_new_string(who->username));
        jutsu_json_add(ev, "client", json_object_new_string(client ? client : "?"));
        jutsu_auth_event(a, "auth.logout", ev);
    }
    return rc;
}
