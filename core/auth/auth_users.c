/*
 * core/auth/auth_users.c — making users and their credentials: create,
 * set a password, invitations, a user's public view, factor enrolment.
 *
 * A user is created in two steps, because the hash is the password
 * plugin's to make: the row first, with the unusable hash "!" that no
 * verify accepts, then the plugin's enrol. If enrol fails the row is
 * deleted again, so a failure leaves no user behind.
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
#include "auth/policy.h"
#include "auth/roles.h"
#include "store/data_api.h"

#define US INT64_C(1000000)
#define NO_PASSWORD "!"
#define INVITE_TOKEN_BYTES 32

static int enrol_password(struct jutsu_auth *a, int64_t uid, const char *password,
                          json_object **out)
{
    struct jutsu_auth_factor f;
    int rc = jutsu_auth_factor_get(a, "password", &f, out);
    if (rc != 0)
        return rc;
    if (f.ops->enrol == NULL)
        return jutsu_auth_fail(out, JUTSU_ENOTSUP, "internal",
                               "the password plugin cannot set passwords", NULL);
    json_object *req = json_object_new_object(), *res = NULL;
    if (req == NULL || jutsu_json_add(req, "password", json_object_new_string(password))) {
        json_object_put(req);
        return jutsu_auth_fail(out, JUTSU_ENOMEM, "internal", "out of memory", NULL);
    }
    rc = f.ops->enrol(f.state, uid, req, &res);
    json_object *pw;
    if (json_object_object_get_ex(req, "password", &pw))
        sodium_memzero((char *)json_object_get_string(pw), (size_t)json_object_get_string_len(pw));
    json_object_put(req);
    json_object_put(res);
    if (rc == JUTSU_EFULL)
        return jutsu_auth_fail(out, rc, "unavailable", "too many password changes at once",
                               "try again in a moment");
    if (rc != 0) {
        jutsu_log(AUTH_LOG, JUTSU_LOG_ERROR, "%s: setting a password failed: %s", f.instance,
                  f.why ? f.why(f.why_arg) : "");
        return jutsu_auth_fail(out, rc, "internal", "the password could not be stored",
                               "the server log has the details");
    }
    return 0;
}

static int check_new(const char *username, const char *password, const char *role,
                     json_object **out)
{
    char why[256];
    if (jutsu_policy_username(username, why, sizeof(why)) != 0)
        return jutsu_auth_fail(out, JUTSU_EINVAL, "bad_request", why, NULL);
    if (role != NULL && !jutsu_role_valid(role))
        return jutsu_auth_fail(out, JUTSU_EINVAL, "bad_request", "no such role",
                               "the roles are admin and viewer");
    if (jutsu_policy_password(password, username, why, sizeof(why)) != 0)
        return jutsu_auth_fail(out, JUTSU_EINVAL, "weak_password", why, NULL);
    return 0;
}

/* The row with the unusable hash, inside the caller's transaction if any. */
static int create_row(jutsu_dbs *s, const char *username, const char *role, const char *email,
                      int64_t *id, json_object **out)
{
    struct jutsu_user_row r = { .username = username, .password_hash = NO_PASSWORD,
                                .email = email, .role = role, .is_active = 1 };
    int rc = jutsu_data_user_create(s, &r, id);
    if (rc == JUTSU_ECONSTRAINT)
        return jutsu_auth_fail(out, JUTSU_EEXIST, "conflict",
                               "that username or email is taken", NULL);
    if (rc == JUTSU_EINVAL || rc == JUTSU_ERANGE)
        return jutsu_auth_fail(out, JUTSU_EINVAL, "bad_request", jutsu_dbs_error(s), NULL);
    return rc ? jutsu_auth_fail_db(s, out, rc, "creating a user") : 0;
}

/* The password for a row made by create_row; deletes the row if it fails.
 * *s is closed while the plugin works (it opens its own connection). */
static int set_first_password(struct jutsu_auth *a, jutsu_dbs **s, int64_t id,
                              const char *password, json_object **out)
{
    jutsu_dbs_close(*s);
    *s = NULL;
    int rc = enrol_password(a, id, password, out);
    json_object *err = NULL;
    if (rc != 0 && (jutsu_auth_dbs(a, s, &err) != 0 || jutsu_data_user_delete(*s, id) != 0))
        jutsu_log(AUTH_LOG, JUTSU_LOG_ERROR, "user id %lld has no password and could not be "
                  "removed: %s", (long long)id, *s ? jutsu_dbs_error(*s) : "no database");
    json_object_put(err);
    return rc;
}

int jutsu_auth_user_create(struct jutsu_auth *a, const char *username, const char *password,
                           const char *role, const char *email, const char *client,
                           int64_t *user_id, json_object **out)
{
    jutsu_dbs *s = NULL;
    int64_t id = 0;
    *out = NULL;
    if (user_id)
        *user_id = 0;
    int rc = check_new(username, password, role ? role : "viewer", out);
    if (rc || (rc = jutsu_auth_dbs(a, &s, out)))
        return rc;
    if ((rc = create_row(s, username, role, email && *email ? email : NULL, &id, out)) == 0 &&
        (rc = set_first_password(a, &s, id, password, out)) == 0)
        rc = jutsu_auth_user_json(a, id, out);
    jutsu_dbs_close(s);
    if (rc == 0) {
        jutsu_log(AUTH_LOG, JUTSU_LOG_INFO, "user created: %s (%s) by %s", username,
                  role ? role : "viewer", client);
        if (user_id)
            *user_id = id;
    }
    return rc;
}

int jutsu_auth_set_password(struct jutsu_auth *a, int64_t user_id, const char *password,
                            const char *client, json_object **out)
{
    struct jutsu_user_row u;
    jutsu_dbs *s = NULL;
    char why[256], name[64];
    *out = NULL;
    int rc = jutsu_auth_dbs(a, &s, out);
    if (rc != 0)
        return rc;
    rc = jutsu_data_user_get(s, user_id, NULL, &u);
    if (rc == 0)   /* the row's strings live in the session */
        snprintf(name, sizeof(name), "%s", u.username);
    jutsu_dbs_close(s);
    if (rc == JUTSU_ENOENT)
        return jutsu_auth_fail(out, rc, "not_found", "no such user", NULL);
    if (rc != 0)
        return jutsu_auth_fail(out, rc, "internal", "the user could not be read", NULL);
    if (jutsu_policy_password(password, name, why, sizeof(why)) != 0)
        return jutsu_auth_fail(out, JUTSU_EINVAL, "weak_password", why, NULL);
    if ((rc = enrol_password(a, user_id, password, out)) != 0)
        return rc;
    jutsu_log(AUTH_LOG, JUTSU_LOG_INFO, "password changed: user %s by %s; their sessions end",
              name, client);
    json_object_put(*out);
    *out = json_object_new_object();
    jutsu_json_add(*out, "sessions_ended", json_object_new_boolean(1));
    return 0;
}

static void invite_url(struct jutsu_auth *a, const char *token, char *out, size_t outsz)
{
    const char *base = a->env.settings->public_url;
    if ((base == NULL || *base == '\0') && a->env.base_url != NULL)
        base = a->env.base_url(a->env.arg);
    if (base == NULL)
        base = "";
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    snprintf(out, outsz, "%.*s/invite/%s", (int)n, base, token);
}

int jutsu_auth_invite(struct jutsu_auth *a, int64_t created_by, const char *email,
                      const char *role, json_object **out)
{
    uint8_t raw[INVITE_TOKEN_BYTES];
    char token[sodium_base64_ENCODED_LEN(INVITE_TOKEN_BYTES,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    char url[512], when[JUTSU_TIME_BUFSZ];
    jutsu_dbs *s = NULL;
    int64_t id;
    *out = NULL;
    if (role == NULL || !jutsu_role_valid(role))
        return jutsu_auth_fail(out, JUTSU_EINVAL, "bad_request", "no such role",
                               "the roles are admin and viewer");
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token, sizeof(token), raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    jutsu_time_t now = jutsu_auth_now(a);
    struct jutsu_invitation_row r = {
        .email = email && *email ? email : NULL, .token = token, .role = role,
        .created_by = created_by, .created_at = now,
        .expires_at = now + a->env.settings->invitation_hours * 3600 * US,
    };
    int rc = jutsu_auth_dbs(a, &s, out);
    if (rc != 0)
        return rc;
    rc = jutsu_data_invitation_create(s, &r, &id);
    if (rc == JUTSU_EINVAL || rc == JUTSU_ERANGE)
        rc = jutsu_auth_fail(out, JUTSU_EINVAL, "bad_request", jutsu_dbs_error(s), NULL);
    else if (rc != 0)
        rc = jutsu_auth_fail_db(s, out, rc, "creating an invitation");
    jutsu_dbs_close(s);
    if (rc != 0)
        return rc;
    invite_url(a, token, url, sizeof(url));
    jutsu_time_format(r.expires_at, when);
    *out = json_object_new_object();
    if (*out == NULL || jutsu_json_add(*out, "token", json_object_new_string(token)) ||
        jutsu_json_add(*out, "url", json_object_new_string(url)) ||
        jutsu_json_add(*out, "role", json_object_new_string(role)) ||
        jutsu_json_add(*out, "expires_at", json_object_new_string(when)))
        return jutsu_auth_fail(out, JUTSU_ENOMEM, "internal", "out of memory", NULL);
    jutsu_log(AUTH_LOG, JUTSU_LOG_INFO, "invitation made: role %s, until %s, by user id %lld",
              role, when, (long long)created_by);
    return 0;
}

/* A pending invitation, or the answer why not. */
static int pending(struct jutsu_auth *a, jutsu_dbs *s, const char *token,
                   struct jutsu_invitation_row *r, json_object **out)
{
    if (token == NULL || strlen(token) > 64)
        return jutsu_auth_fail(out, JUTSU_ENOENT, "not_found", "no such invitation", NULL);
    int rc = jutsu_data_invitation_get(s, token, r);
    if (rc == JUTSU_ENOENT || (rc == 0 && (r->accepted_at != 0 ||
                                           r->expires_at <= jutsu_auth_now(a))))
        return jutsu_auth_fail(out, JUTSU_ENOENT, "not_found",
                               "no such invitation, or it was used or has expired",
                               "ask an admin for a new one");
    return rc ? jutsu_auth_fail_db(s, out, rc, "reading an invitation") : 0;
}

int jutsu_auth_invitation(struct jutsu_auth *a, const char *token, json_object **out)
{
    struct jutsu_invitation_row r;
    jutsu_dbs *s = NULL;
    char when[JUTSU_TIME_BUFSZ];
    *out = NULL;
    int rc = jutsu_auth_dbs(a, &s, out);
    if (rc == 0 && (rc = pending(a, s, token, &r, out)) == 0) {
        jutsu_time_format(r.expires_at, when);
        *out = json_object_new_object();
        if (*out == NULL ||
            (r.email ? jutsu_json_add(*out, "email", json_object_new_string(r.email))
                     : json_object_object_add(*out, "email", NULL)) ||
            jutsu_json_add(*out, "role", json_object_new_string(r.role)) ||
            jutsu_json_add(*out, "expires_at", json_object_new_string(when)))
            rc = jutsu_auth_fail(out, JUTSU_ENOMEM, "internal", "out of memory", NULL);
    }
    jutsu_dbs_close(s);
    return rc;
}

int jutsu_auth_accept(struct jutsu_auth *a, const char *token, const char *username,
                      const char *password, const char *client, json_object **out)
{
    struct jutsu_invitation_row r;
    jutsu_dbs *s = NULL;
    char role[24], email[256];
    int64_t id = 0;
    int own = 0;
    *out = NULL;
    int rc = jutsu_auth_dbs(a, &s, out);
    if (rc != 0)
        return rc;
    if ((rc = pending(a, s, token, &r, out)) != 0)
        goto done;
    snprintf(role, sizeof(role), "%s", r.role);
    snprintf(email, sizeof(email), "%s", r.email ? r.email : "");
    if ((rc = check_new(username, password, role, out)) != 0)
        goto done;
    /* the user and the acceptance commit together: a used invitation makes no user */
    if ((rc = jutsu_dbs_tx_enter(s, &own)) != 0) {
        rc = jutsu_auth_fail_db(s, out, rc, "accepting an invitation");
        goto done;
    }
    rc = create_row(s, username, role, *email ? email : NULL, &id, out);
    if (rc == 0 && (rc = jutsu_data_invitation_accept(s, token, id, jutsu_auth_now(a))) != 0)
        jutsu_auth_fail(out, rc = JUTSU_ENOENT, "not_found", "the invitation was just used",
                        NULL);
    if ((rc = jutsu_dbs_tx_leave(s, own, rc)) != 0)
        goto done;
    if ((rc = set_first_password(a, &s, id, password, out)) == 0) {
        jutsu_log(AUTH_LOG, JUTSU_LOG_INFO, "invitation accepted: user %s (%s) from %s",
                  username, role, client);
        rc = jutsu_auth_user_json(a, id, out);
    }
done:
    jutsu_dbs_close(s);
    return rc;
}

static int count_row(const void *row, void *arg)
{
    (void)row;
    (*(int *)arg)++;
    return 0;
}

int jutsu_auth_user_json(struct jutsu_auth *a, int64_t user_id, json_object **out)
{
    struct jutsu_user_row u;
    jutsu_dbs *s = NULL;
    char t[JUTSU_TIME_BUFSZ];
    int passkeys = 0;
    json_object_put(*out);
    *out = NULL;
    jutsu_time_t now = jutsu_auth_now(a);
    char *cached = jutsu_auth_cache_json(a->cache, user_id, now, AUTH_CACHE_TTL(a));
    if (cached != NULL) {
        *out = json_tokener_parse(cached);
        free(cached);
        if (*out != NULL)
            return 0;
    }
    uint64_t gen = jutsu_data_users_generation();
    int rc = jutsu_auth_dbs(a, &s, out);
    if (rc != 0)
        return rc;
    if ((rc = jutsu_data_passkeys_list(s, user_id, count_row, &passkeys)) != 0 ||
        (rc = jutsu_data_user_get(s, user_id, NULL, &u)) != 0) {
        rc = rc == JUTSU_ENOENT ? jutsu_auth_fail(out, rc, "not_found", "no such user", NULL)
                                : jutsu_auth_fail_db(s, out, rc, "reading a user");
        jutsu_dbs_close(s);
        return rc;
    }
    json_object *o = json_object_new_object();
    int bad = o == NULL || jutsu_json_add(o, "id", json_object_new_int64(u.id)) ||
              jutsu_json_add(o, "username", json_object_new_string(u.username)) ||
              (u.email ? jutsu_json_add(o, "email", json_object_new_string(u.email))
                       : json_object_object_add(o, "email", NULL)) ||
              jutsu_json_add(o, "role", json_object_new_string(u.role)) ||
              jutsu_json_add(o, "is_active", json_object_new_boolean(u.is_active)) ||
              jutsu_json_add(o, "totp_enabled", json_object_new_boolean(u.totp_enabled)) ||
              jutsu_json_add(o, "passkeys", json_object_new_int(passkeys));
    if (!bad && u.locked_until > jutsu_auth_now(a)) {
        jutsu_time_format(u.locked_until, t);
        bad = jutsu_json_add(o, "locked_until", json_object_new_string(t));
    }
    if (!bad && u.last_login != 0) {
        jutsu_time_format(u.last_login, t);
        bad = jutsu_json_add(o, "last_login", json_object_new_string(t));
    }
    if (!bad) {
        jutsu_time_format(u.created_at, t);
        bad = jutsu_json_add(o, "created_at", json_object_new_string(t));
    }
    jutsu_dbs_close(s);
    if (bad) {
        json_object_put(o);
        return jutsu_auth_fail(out, JUTSU_ENOMEM, "internal", "out of memory", NULL);
    }
    /* locked_until depends on the clock, not only on the row: not cached */
    if (u.locked_until <= now)
        jutsu_auth_cache_put_json(a->cache, user_id, json_object_to_json_string_ext(
                                      o, JSON_C_TO_STRING_PLAIN), gen, now);
    *out = o;
    return 0;
}

int jutsu_auth_factor_enrol(struct jutsu_auth *a, int64_t user_id, const char *factor,
                            json_object *request, json_object **out)
{
    struct jutsu_auth_factor f;
    *out = NULL;
    int rc = jutsu_auth_factor_get(a, factor, &f, out);
    if (rc != 0)
        return rc;
    if (f.ops->enrol == NULL)
        return jutsu_auth_fail(out, JUTSU_ENOTSUP, "bad_request",
                               "this factor cannot be enrolled here", NULL);
    if ((rc = f.ops->enrol(f.state, user_id, request, out)) == 0)
        return 0;
    const char *why = f.why ? f.why(f.why_arg) : "";
    switch (rc) {
    case JUTSU_EAUTH:
        return jutsu_auth_fail(out, rc, "bad_credentials", "wrong code or credential", NULL);
    case JUTSU_EINVAL:
    case JUTSU_ENOENT:
    case JUTSU_ESTATE:
        return jutsu_auth_fail(out, rc == JUTSU_ENOENT ? rc : JUTSU_EINVAL,
                               rc == JUTSU_ENOENT ? "not_found" : "bad_request",
                               why && *why ? why : "the request does not fit this factor", NULL);
    default:
        jutsu_log(AUTH_LOG, JUTSU_LOG_ERROR, "%s: enrol failed: %s", f.instance, why);
        return jutsu_auth_fail(out, rc, "internal", "the credential could not be stored",
                               "the server log has the details");
    }
}

static int any_user(const void *row, void *arg)
{
    (void)row;
    *(int *)arg = 1;
    return 1;   /* one is enough */
}

int jutsu_auth_first_admin(struct jutsu_auth *a, json_object **out)
{
    jutsu_dbs *s = NULL;
    int some = 0;
    *out = NULL;
    int rc = jutsu_auth_dbs(a, &s, out);
    if (rc != 0)
        return rc;
    rc = jutsu_data_users_list(s, any_user, &some);
    jutsu_dbs_close(s);
    if (rc != 0 && rc != 1)
        return rc;
    if (some)
        return 0;
    rc = jutsu_auth_invite(a, 0, NULL, "admin", out);
    return rc ? rc : 1;
}
