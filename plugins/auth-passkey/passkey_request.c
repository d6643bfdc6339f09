/*
 * plugins/auth-passkey/passkey_request.c — reading the JSON a frontend
 * passes through from the browser (passkey.h).
 *
 * The browser's PublicKeyCredential.toJSON() (or the frontend's own code)
 * makes these objects; a missing or mistyped member is a malformed request
 * (JUTSU_EINVAL, naming the member by its path), not a failed login:
 * whether the credential is right is only asked once it could be read.
 * Binary members are base64url and are bounded before they are decoded.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "passkey.h"

int pk_member(struct passkey *pk, json_object *o, const char *path, const char *name,
              json_type t, int optional, json_object **out)
{
    json_object *v = NULL;
    const char *dot = *path ? "." : "";
    *out = NULL;
    if (!json_object_is_type(o, json_type_object)) {
        pk->host->set_error(pk->ctx, "%s: is %s, not an object", *path ? path : "the request",
                            jutsu_json_type_name(o));
        return JUTSU_EINVAL;
    }
    if (!json_object_object_get_ex(o, name, &v) || v == NULL) {
        if (optional)
            return 1;
        pk->host->set_error(pk->ctx, "%s%s%s: missing", path, dot, name);
        return JUTSU_EINVAL;
    }
    if (!json_object_is_type(v, t)) {
        pk->host->set_error(pk->ctx, "%s%s%s: is %s, not %s", path, dot, name,
                            jutsu_json_type_name(v),
                            t == json_type_string ? "a string" : "an object");
        return JUTSU_EINVAL;
    }
    *out = v;
    return 0;
}

/* A base64url member decoded into buf: 0; 1 if absent and optional. */
static int b64_member(struct passkey *pk, json_object *o, const char *path, const char *name,
                      int optional, uint8_t *buf, size_t bufsz, size_t *len)
{
    json_object *v;
    int rc = pk_member(pk, o, path, name, json_type_string, optional, &v);
    *len = 0;
    if (rc != 0)
        return rc;
    rc = wa_b64url_decode(json_object_get_string(v), (size_t)json_object_get_string_len(v),
                          buf, bufsz, len);
    if (rc == JUTSU_ERANGE)
        pk->host->set_error(pk->ctx, "%s.%s: longer than %zu bytes", path, name, bufsz);
    else if (rc != 0)
        pk->host->set_error(pk->ctx, "%s.%s: not base64url", path, name);
    else if (*len == 0 && !optional)
        pk->host->set_error(pk->ctx, "%s.%s: empty", path, name);
    else
        return 0;
    return JUTSU_EINVAL;
}

/* id, and rawId if sent: the same bytes. */
static int credential_id(struct passkey *pk, json_object *cred, const char *path,
                         struct pk_blobs *b)
{
    uint8_t raw[WA_CRED_ID_MAX];
    size_t rawlen = 0;
    int rc = b64_member(pk, cred, path, "id", 0, b->cred_id, sizeof(b->cred_id),
                        &b->cred_id_len);
    if (rc == 0)
        rc = b64_member(pk, cred, path, "rawId", 1, raw, sizeof(raw), &rawlen);
    if (rc < 0)
        return rc;
    if (rc == 0 && (rawlen != b->cred_id_len || memcmp(raw, b->cred_id, rawlen) != 0)) {
        pk->host->set_error(pk->ctx, "%s.rawId: differs from %s.id", path, path);
        return JUTSU_EINVAL;
    }
    return 0;
}

int pk_read_credential(struct passkey *pk, json_object *cred, const char *path,
                       int registration, struct pk_blobs *b)
{
    char rpath[64];
    json_object *type, *resp;
    int rc = pk_member(pk, cred, path, "type", json_type_string, 0, &type);
    if (rc != 0)
        return rc;
    if (strcmp(json_object_get_string(type), "public-key") != 0) {
        pk->host->set_error(pk->ctx, "%s.type: \"%.40s\", not \"public-key\"", path,
                            json_object_get_string(type));
        return JUTSU_EINVAL;
    }
    snprintf(rpath, sizeof(rpath), "%.50s.response", path);
    if ((rc = credential_id(pk, cred, path, b)) ||
        (rc = pk_member(pk, cred, path, "response", json_type_object, 0, &resp)) ||
        (rc = b64_member(pk, resp, rpath, "clientDataJSON", 0, b->client_data,
                         sizeof(b->client_data), &b->client_data_len)))
        return rc;
    if (registration)
        return b64_member(pk, resp, rpath, "attestationObject", 0, b->att_obj,
                          sizeof(b->att_obj), &b->att_obj_len);
    if ((rc = b64_member(pk, resp, rpath, "authenticatorData", 0, b->auth_data,
                         sizeof(b->auth_data), &b->auth_data_len)) ||
        (rc = b64_member(pk, resp, rpath, "signature", 0, b->sig, sizeof(b->sig),
                         &b->sig_len)))
        return rc;
    /* userHandle: null or "" when the authenticator returns none */
    rc = b64_member(pk, resp, rpath, "userHandle", 1, b->user_handle,
                    sizeof(b->user_handle), &b->user_handle_len);
    return rc < 0 ? rc : 0;
}
