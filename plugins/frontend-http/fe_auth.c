/*
 * plugins/frontend-http/fe_auth.c — /api/auth, /api/2fa, /api/passkey: HTTP
 * in front of the host's sessions (jutsu/session.h).
 *
 * The refresh token is also set as a cookie, HttpOnly, SameSite=Strict,
 * scoped to /api/auth, Secure when serving TLS: a browser page then never
 * holds it in script-reachable storage, and /api/auth/refresh takes it
 * from the cookie when the body has none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/clock.h"
#include "jutsu/data.h"
#include "jutsu/error.h"
#include "fe.h"

#define REFRESH_COOKIE "jutsu_refresh"
#define TOKEN_MAX      2048
#define CODE_MAX       64
#define CREDENTIAL_MAX (64 * 1024)

/* After a session call that may have issued tokens: the cookie, then the answer. */
static int tokens_answer(struct fe_req *r, int rc, json_object *out)
{
    json_object *rt, *ttl;
    if (rc == 0 && json_object_object_get_ex(out, "refresh_token", &rt) &&
        json_object_object_get_ex(out, "refresh_expires_in", &ttl))
        snprintf(r->cookie, sizeof(r->cookie),
                 REFRESH_COOKIE "=%s; Path=/api/auth; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
                 json_object_get_string(rt), (long long)json_object_get_int64(ttl),
                 r->fe->cert_pem ? "; Secure" : "");
    return fe_session_answer(r, rc, out);
}

int fe_h_login(struct fe_req *r)
{
    json_object *b = fe_body_json(r), *out = NULL;
    const char *u, *p;
    if (b == NULL)
        return 0;
    if ((u = fe_body_str(r, b, "username", 256, 0)) == NULL ||
        (p = fe_body_str(r, b, "password", 4096, 0)) == NULL) {
        json_object_put(b);
        return 0;
    }
    int rc = fe_sessions(r)->login(r->fe->ctx, u, p, r->client, &out);
    json_object_put(b);
    return tokens_answer(r, rc, out);
}

int fe_h_login_2fa(struct fe_req *r)
{
    json_object *b = fe_body_json(r), *out = NULL;
    const char *tok;
    if (b == NULL)
        return 0;
    if ((tok = fe_body_str(r, b, "challenge_token", TOKEN_MAX, 0)) == NULL ||
        fe_body_str(r, b, "code", CODE_MAX, 0) == NULL) {
        json_object_put(b);
        return 0;
    }
    int rc = fe_sessions(r)->login_finish(r->fe->ctx, tok, "totp", b, r->client, &out);
    json_object_put(b);
    return tokens_answer(r, rc, out);
}

int fe_h_refresh(struct fe_req *r)
{
    json_object *b = NULL, *out = NULL;
    const char *tok = NULL;
    if (r->body_len > 0) {
        if ((b = fe_body_json(r)) == NULL)
            return 0;
        tok = fe_body_str(r, b, "refresh_token", TOKEN_MAX, 1);
        if (r->json != NULL) {   /* the member was there but not a string */
            json_object_put(b);
            return 0;
        }
    }
    if (tok == NULL)
        tok = fe_cookie(r, REFRESH_COOKIE);
    if (tok == NULL) {
        json_object_put(b);
        return fe_error(r, 401, "bad_token", "no refresh token",
                        "send {\"refresh_token\": ...} or the jutsu_refresh cookie");
    }
    int rc = fe_sessions(r)->refresh(r->fe->ctx, tok, r->client, &out);
    json_object_put(b);
    return tokens_answer(r, rc, out);
}

int fe_h_logout(struct fe_req *r)
{
    int rc = fe_sessions(r)->logout(r->fe->ctx, &r->who, NULL, r->client);
    if (rc != 0)
        return fe_error(r, 503, "unavailable", "the logout could not be recorded",
                        "try again shortly");
    snprintf(r->cookie, sizeof(r->cookie), REFRESH_COOKIE "=; Path=/api/auth; Max-Age=0; "
             "HttpOnly; SameSite=Strict%s", r->fe->cert_pem ? "; Secure" : "");
    json_object *o = json_object_new_object();
    json_object_object_add(o, "logged_out", json_object_new_boolean(1));
    return fe_ok(r, 200, o);
}

int fe_h_me(struct fe_req *r)
{
    json_object *out = NULL;
    int rc = fe_sessions(r)->user_json(r->fe->ctx, r->who.user_id, &out);
    return fe_session_answer(r, rc, out);
}

/* A factor's enrol with {"action": action} plus the body's `code` if wanted. */
static int enrol(struct fe_req *r, const char *factor, const char *action, int want_code)
{
    json_object *req = json_object_new_object(), *out = NULL, *b = NULL;
    if (req == NULL)
        return fe_error(r, 500, "internal", "out of memory", NULL);
    json_object_object_add(req, "action", json_object_new_string(action));
    if (want_code) {
        const char *code;
        if ((b = fe_body_json(r)) == NULL ||
            (code = fe_body_str(r, b, "code", CODE_MAX, 0)) == NULL) {
            json_object_put(b);
            json_object_put(req);
            return 0;
        }
        json_object_object_add(req, "code", json_object_new_string(code));
    }
    int rc = fe_sessions(r)->factor_enrol(r->fe->ctx, r->who.user_id, factor, req, &out);
    json_object_put(req);
    json_object_put(b);
    return fe_session_answer(r, rc, out);
}

int fe_h_2fa_status(struct fe_req *r)  { return enrol(r, "totp", "status", 0); }
int fe_h_2fa_setup(struct fe_req *r)   { return enrol(r, "totp", "setup", 0); }
int fe_h_2fa_verify(struct fe_req *r)  { return enrol(r, "totp", "verify", 1); }
int fe_h_2fa_disable(struct fe_req *r) { return enrol(r, "totp", "disable", 1); }
int fe_h_2fa_backup(struct fe_req *r)  { return enrol(r, "totp", "backup-codes", 1); }
int fe_h_pk_register_options(struct fe_req *r) { return enrol(r, "passkey", "options", 0); }

int fe_h_pk_register(struct fe_req *r)
{
    json_object *b = fe_body_json(r), *cred, *out = NULL;
    if (b == NULL)
        return 0;
    if (!json_object_object_get_ex(b, "credential", &cred) ||
        !json_object_is_type(cred, json_type_object) || r->body_len > CREDENTIAL_MAX) {
        json_object_put(b);
        return fe_error(r, 400, "bad_request", "the body needs \"credential\": the "
                        "PublicKeyCredential of navigator.credentials.create()", NULL);
    }
    if (fe_body_str(r, b, "device_name", 100, 1) == NULL && r->json != NULL) {
        json_object_put(b);
        return 0;
    }
    json_object_object_add(b, "action", json_object_new_string("register"));
    int rc = fe_sessions(r)->factor_enrol(r->fe->ctx, r->who.user_id, "passkey", b, &out);
    json_object_put(b);
    return fe_session_answer(r, rc, out);
}

int fe_h_pk_auth_options(struct fe_req *r)
{
    json_object *b = fe_body_json(r), *out = NULL;
    const char *tok;
    if (b == NULL)
        return 0;
    if ((tok = fe_body_str(r, b, "challenge_token", TOKEN_MAX, 0)) == NULL) {
        json_object_put(b);
        return 0;
    }
    int rc = fe_sessions(r)->login_begin(r->fe->ctx, tok, "passkey", &out);
    json_object_put(b);
    return fe_session_answer(r, rc, out);
}

int fe_h_pk_auth(struct fe_req *r)
{
    json_object *b = fe_body_json(r), *cred, *out = NULL;
    const char *tok;
    if (b == NULL)
        return 0;
    if ((tok = fe_body_str(r, b, "challenge_token", TOKEN_MAX, 0)) == NULL) {
        json_object_put(b);
        return 0;
    }
    if (!json_object_object_get_ex(b, "credential", &cred) ||
        !json_object_is_type(cred, json_type_object)) {
        json_object_put(b);
        return fe_error(r, 400, "bad_request", "the body needs \"credential\": the "
                        "PublicKeyCredential of navigator.credentials.get()", NULL);
    }
    int rc = fe_sessions(r)->login_finish(r->fe->ctx, tok, "passkey", cred, r->client, &out);
    json_object_put(b);
    return tokens_answer(r, rc, out);
}

static int pk_row(const void *row, void *arg)
{
    const struct jutsu_passkey_row *p = row;
    json_object *o = json_object_new_object();
    char t[JUTSU_TIME_BUFSZ];
    json_object_object_add(o, "id", json_object_new_int64(p->id));
    json_object_object_add(o, "device_name", p->device_name && *p->device_name
                                             ? json_object_new_string(p->device_name) : NULL);
    json_object_object_add(o, "aaguid", p->aaguid && *p->aaguid
                                        ? json_object_new_string(p->aaguid) : NULL);
    jutsu_time_format(p->created_at, t);
    json_object_object_add(o, "created_at", json_object_new_string(t));
    if (p->last_used_at) {
        jutsu_time_format(p->last_used_at, t);
        json_object_object_add(o, "last_used_at", json_object_new_string(t));
    } else {
        json_object_object_add(o, "last_used_at", NULL);
    }
    json_object_array_add(arg, o);
    return 0;
}

/* My passkeys as a JSON array into *out. */
static int my_passkeys(struct fe_req *r, json_object **out)
{
    const struct jutsu_data *d = r->fe->host->data(r->fe->ctx);
    jutsu_dbs *s = NULL;
    *out = json_object_new_array();
    if (d == NULL || d->open(r->fe->ctx, &s) != 0)
        return JUTSU_ETRANSIENT;
    int rc = d->passkeys_list(s, r->who.user_id, pk_row, *out);
    d->close(s);
    return rc;
}

int fe_h_pk_list(struct fe_req *r)
{
    json_object *arr;
    if (my_passkeys(r, &arr) != 0) {
        json_object_put(arr);
        return fe_error(r, 503, "unavailable", "the database did not answer", NULL);
    }
    return fe_ok(r, 200, arr);
}

int fe_h_pk_delete(struct fe_req *r)
{
    const struct jutsu_data *d = r->fe->host->data(r->fe->ctx);
    json_object *arr, *id;
    char *end;
    long long want = strtoll(r->params[0], &end, 10);
    jutsu_dbs *s = NULL;
    if (*end != '\0' || want <= 0)
        return fe_error(r, 400, "bad_request", "a passkey id is a positive integer", NULL);
    if (my_passkeys(r, &arr) != 0) {
        json_object_put(arr);
        return fe_error(r, 503, "unavailable", "the database did not answer", NULL);
    }
    int mine = 0;
    for (size_t i = 0; i < json_object_array_length(arr); i++)
        if (json_object_object_get_ex(json_object_array_get_idx(arr, i), "id", &id) &&
            json_object_get_int64(id) == want)
            mine = 1;
    json_object_put(arr);
    if (!mine)   /* another user's passkey is as good as none */
        return fe_error(r, 404, "not_found", "you have no passkey with that id", NULL);
    if (d->open(r->fe->ctx, &s) != 0)
        return fe_error(r, 503, "unavailable", "the database did not answer", NULL);
    int rc = d->passkey_delete(s, want);
    d->close(s);
    if (rc != 0)
        return fe_error(r, 503, "unavailable", "the passkey could not be removed", NULL);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "deleted", json_object_new_int64(want));
    return fe_ok(r, 200, o);
}
