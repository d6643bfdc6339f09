/*
 * plugins/frontend-http/fe_routes.c — every route, declared once: method,
 * path pattern, handler, the permission it needs (jutsu/session.h), and
 * what the docs say of it. The router, the permission check, the OpenAPI
 * document and the tests that walk every route all read this table.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/version.h"
#include "fe.h"

#define PUB  JUTSU_PERM_PUBLIC
#define SELF JUTSU_PERM_SELF
#define READ JUTSU_PERM_READ
#define USERS JUTSU_PERM_USERS

const struct fe_route fe_routes[] = {
    { "GET",    "/api/health", fe_h_health, PUB, "Liveness: the process answers", NULL },
    { "GET",    "/api/health/ready", fe_h_ready, PUB,
      "Readiness: the database answers and its schema is current", NULL },
    { "GET",    "/api/openapi.json", fe_h_openapi, PUB, "This API, as OpenAPI 3.1", NULL },

    { "POST",   "/api/auth/login", fe_h_login, PUB,
      "Log in with a password; the tokens, or a challenge for the second factor",
      "username, password" },
    { "POST",   "/api/auth/login-2fa", fe_h_login_2fa, PUB,
      "The second factor (a TOTP code or a backup code) for a login challenge",
      "challenge_token, code" },
    { "POST",   "/api/auth/refresh", fe_h_refresh, PUB,
      "New tokens for a refresh token (the cookie, or refresh_token in the body)",
      "refresh_token?" },
    { "POST",   "/api/auth/logout", fe_h_logout, SELF, "End this login", NULL },
    { "GET",    "/api/auth/me", fe_h_me, SELF, "Who is signed in", NULL },

    { "GET",    "/api/2fa/status", fe_h_2fa_status, SELF, "Whether TOTP is on; backup codes left",
      NULL },
    { "POST",   "/api/2fa/setup", fe_h_2fa_setup, SELF,
      "A new TOTP secret and its otpauth:// URI (not enabled until verified)", NULL },
    { "POST",   "/api/2fa/verify", fe_h_2fa_verify, SELF,
      "Enable TOTP with a first code; the backup codes, shown once", "code" },
    { "POST",   "/api/2fa/disable", fe_h_2fa_disable, SELF,
      "Turn TOTP off (needs a current code or a backup code)", "code" },
    { "POST",   "/api/2fa/backup-codes", fe_h_2fa_backup, SELF,
      "A new set of backup codes (needs a current code)", "code" },

    { "POST",   "/api/passkey/register-options", fe_h_pk_register_options, SELF,
      "WebAuthn creation options for a new passkey", NULL },
    { "POST",   "/api/passkey/register", fe_h_pk_register, SELF,
      "Store a new passkey from its attestation", "credential, device_name?" },
    { "POST",   "/api/passkey/authenticate-options", fe_h_pk_auth_options, PUB,
      "WebAuthn assertion options for a login challenge", "challenge_token" },
    { "POST",   "/api/passkey/authenticate", fe_h_pk_auth, PUB,
      "The passkey's assertion for a login challenge; the tokens",
      "challenge_token, credential" },
    { "GET",    "/api/passkey/list", fe_h_pk_list, SELF, "My passkeys", NULL },
    { "DELETE", "/api/passkey/{id}", fe_h_pk_delete, SELF, "Remove one of my passkeys", NULL },

    { "GET",    "/api/users", fe_h_users_list, USERS, "Every user", NULL },
    { "POST",   "/api/users/invite", fe_h_user_invite, USERS,
      "A one-time link to create an account", "role, email?" },
    { "PUT",    "/api/users/me/password", fe_h_my_password, SELF,
      "Change my password (every session of mine ends)", "current_password, new_password" },
    { "GET",    "/api/users/{id}", fe_h_user_get, USERS, "One user", NULL },
    { "PUT",    "/api/users/{id}", fe_h_user_update, USERS, "Change a user's role or active flag",
      "role?, is_active?" },
    { "DELETE", "/api/users/{id}", fe_h_user_delete, USERS, "Delete a user", NULL },

    { "GET",    "/api/invitations/{token}", fe_h_invitation_get, PUB,
      "What an invitation is for", NULL },
    { "POST",   "/api/invitations/{token}/accept", fe_h_invitation_accept, PUB,
      "Create the invited account", "username, password" },
};

const size_t fe_routes_n = sizeof(fe_routes) / sizeof(fe_routes[0]);

static json_object *str(const char *s)
{
    return json_object_new_string(s);
}

static json_object *op_of(const struct fe_route *rt, const struct jutsu_sessions *ss)
{
    json_object *op = json_object_new_object(), *params = json_object_new_array();
    json_object_object_add(op, "summary", str(rt->summary));
    json_object_object_add(op, "x-permission", str(ss ? ss->perm_name(rt->perm)
                                                      : rt->perm ? "?" : "public"));
    /* path parameters */
    for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        json_object *prm = json_object_new_object(), *sch = json_object_new_object();
        json_object_object_add(prm, "name", json_object_new_string_len(p + 1, (int)(e - p - 1)));
        json_object_object_add(prm, "in", str("path"));
        json_object_object_add(prm, "required", json_object_new_boolean(1));
        json_object_object_add(sch, "type", str("string"));
        json_object_object_add(prm, "schema", sch);
        json_object_array_add(params, prm);
    }
    if (json_object_array_length(params) > 0)
        json_object_object_add(op, "parameters", params);
    else
        json_object_put(params);
    if (rt->body) {
        json_object *rb = json_object_new_object(), *ct = json_object_new_object();
        json_object *mt = json_object_new_object(), *sch = json_object_new_object();
        json_object *props = json_object_new_object(), *req = json_object_new_array();
        char buf[128];
        snprintf(buf, sizeof(buf), "%s", rt->body);
        for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
            size_t n = strlen(t);
            int optional = n > 0 && t[n - 1] == '?';
            if (optional)
                t[n - 1] = '\0';
            json_object_object_add(props, t, json_object_new_object());
            if (!optional)
                json_object_array_add(req, str(t));
        }
        json_object_object_add(sch, "type", str("object"));
        json_object_object_add(sch, "properties", props);
        json_object_object_add(sch, "required", req);
        json_object_object_add(mt, "schema", sch);
        json_object_object_add(ct, "application/json", mt);
        json_object_object_add(rb, "content", ct);
        json_object_object_add(op, "requestBody", rb);
    }
    if (rt->perm != JUTSU_PERM_PUBLIC) {
        json_object *sec = json_object_new_array(), *b = json_object_new_object();
        json_object_object_add(b, "bearer", json_object_new_array());
        json_object_array_add(sec, b);
        json_object_object_add(op, "security", sec);
    }
    json_object *resp = json_object_new_object(), *ok = json_object_new_object();
    json_object_object_add(ok, "description", str("success"));
    json_object_object_add(resp, "200", ok);
    json_object *err = json_object_new_object();
    json_object_object_add(err, "description",
                           str("an error: {\"error\": {\"code\", \"message\", \"hint\"}}"));
    json_object_object_add(resp, "default", err);
    json_object_object_add(op, "responses", resp);
    return op;
}

int fe_h_openapi(struct fe_req *r)
{
    const struct jutsu_sessions *ss = fe_sessions(r);
    json_object *doc = json_object_new_object(), *info = json_object_new_object();
    json_object *paths = json_object_new_object();
    json_object_object_add(doc, "openapi", str("3.1.0"));
    json_object_object_add(info, "title", str("Jutsu REST API"));
    json_object_object_add(info, "version", str(JUTSU_VERSION));
    json_object_object_add(doc, "info", info);
    for (size_t i = 0; i < fe_routes_n; i++) {
        const struct fe_route *rt = &fe_routes[i];
        json_object *item;
        char lower[16];
        size_t k;
        if (!json_object_object_get_ex(paths, rt->pattern, &item)) {
            item = json_object_new_object();
            json_object_object_add(paths, rt->pattern, item);
        }
        for (k = 0; rt->method[k] && k + 1 < sizeof(lower); k++)
            lower[k] = (char)(rt->method[k] | 0x20);
        lower[k] = '\0';
        json_object_object_add(item, lower, op_of(rt, ss));
    }
    json_object_object_add(doc, "paths", paths);
    json_object *comp = json_object_new_object(), *schemes = json_object_new_object();
    json_object *bearer = json_object_new_object();
    json_object_object_add(bearer, "type", str("http"));
    json_object_object_add(bearer, "scheme", str("bearer"));
    json_object_object_add(bearer, "bearerFormat", str("JWT"));
    json_object_object_add(schemes, "bearer", bearer);
    json_object_object_add(comp, "securitySchemes", schemes);
    json_object_object_add(doc, "components", comp);
    return fe_ok(r, 200, doc);
}
