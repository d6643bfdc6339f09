/*
 * plugins/auth-passkey/passkey_ops.c — begin, verify and enrol: the
 * ceremonies of jutsu/auth.h's "passkey" factor, between the browser's JSON,
 * the challenges in memory and the passkeys table (the manual is at the top
 * of passkey_plugin.c).
 *
 * Each call opens its own data session and closes it before returning:
 * the frontend calls from its worker threads, and a session is one
 * thread's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/auth.h"
#include "jutsu/data.h"
#include "jutsu/error.h"
#include "jutsu/json.h"
#include "passkey.h"

static const char *const uv_names[] = { "preferred", "required", "discouraged" };

void pk_user_handle(int64_t user_id, uint8_t out[WA_USER_HANDLE_LEN])
{
    uint64_t v = (uint64_t)user_id;
    for (int i = WA_USER_HANDLE_LEN - 1; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)(v & 0xff);
}

/* --- sessions -------------------------------------------------------------- */

static int db_open(struct passkey *pk, const struct jutsu_data **d, jutsu_dbs **s)
{
    *s = NULL;
    if ((*d = pk->host->data(pk->ctx)) == NULL) {
        pk->host->set_error(pk->ctx, "no storage is configured: passkeys live in the database");
        return JUTSU_ESTATE;
    }
    int rc = (*d)->open(pk->ctx, s);
    if (rc != 0)
        pk->host->set_error(pk->ctx, "cannot open a database session: %s", jutsu_strerror(rc));
    return rc;
}

/* A data call failed for a reason of the server's: say which, pass it on. */
static int db_fail(struct passkey *pk, const struct jutsu_data *d, jutsu_dbs *s, int rc,
                   const char *what)
{
    pk->host->set_error(pk->ctx, "%s: %s", what, d->last_error(s));
    return rc;
}

/* --- JSON out ---------------------------------------------------------------- */

static json_object *b64_string(const uint8_t *p, size_t n)
{
    char buf[WA_B64URL_SIZE(WA_CRED_ID_MAX)];
    if (wa_b64url_encode(p, n, buf, sizeof(buf)) != 0)
        return NULL;
    return json_object_new_string(buf);
}

static json_object *cred_descriptor(const void *id, size_t len)
{
    json_object *o = json_object_new_object();
    if (o == NULL || jutsu_json_add(o, "type", json_object_new_string("public-key")) ||
        jutsu_json_add(o, "id", b64_string(id, len))) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* passkeys_list callback: the user's credentials as descriptors. */
struct cred_list {
    json_object *arr;
    size_t       n;
};

static int add_descriptor(const void *row, void *arg)
{
    const struct jutsu_passkey_row *r = row;
    struct cred_list *l = arg;
    if (l->n++ >= PK_PER_USER_MAX)
        return 0;   /* counted, not listed: the list stays bounded */
    json_object *d = cred_descriptor(r->credential_id, r->credential_id_len);
    if (d == NULL || json_object_array_add(l->arr, d) != 0) {
        json_object_put(d);
        return JUTSU_ENOMEM;
    }
    return 0;
}

/* The user's passkeys as an array of descriptors, and how many there are. */
static int list_credentials(struct passkey *pk, const struct jutsu_data *d, jutsu_dbs *s,
                            int64_t user_id, struct cred_list *l)
{
    l->n = 0;
    if ((l->arr = json_object_new_array()) == NULL) {
        pk->host->set_error(pk->ctx, "out of memory listing passkeys");
        return JUTSU_ENOMEM;
    }
    int rc = d->passkeys_list(s, user_id, add_descriptor, l);
    if (rc == JUTSU_ENOMEM)
        pk->host->set_error(pk->ctx, "out of memory listing passkeys");
    else if (rc != 0)
        db_fail(pk, d, s, rc, "reading the user's passkeys");
    if (rc != 0) {
        json_object_put(l->arr);
        l->arr = NULL;
    }
    return rc;
}

/* {"publicKey": opts}, taking opts; NULL if it cannot be made. */
static json_object *wrap_public_key(json_object *opts)
{
    json_object *o = opts ? json_object_new_object() : NULL;
    if (o == NULL || jutsu_json_add(o, "publicKey", opts)) {
        if (o == NULL)
            json_object_put(opts);
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* --- begin: assertion options --------------------------------------------- */

/* Takes `allow`, also on failure: it is added first, so that from then on
 * the object owns it whatever fails next. */
static json_object *request_options(struct passkey *pk, const uint8_t *challenge,
                                    json_object *allow)
{
    json_object *o = json_object_new_object();
    if (o == NULL) {
        json_object_put(allow);
        return NULL;
    }
    if (jutsu_json_add(o, "allowCredentials", allow) ||
        jutsu_json_add(o, "challenge", b64_string(challenge, WA_CHALLENGE_LEN)) ||
        jutsu_json_add(o, "rpId", json_object_new_string(pk->rp_id)) ||
        jutsu_json_add(o, "timeout", json_object_new_int64(pk->challenge_ttl * 1000)) ||
        jutsu_json_add(o, "userVerification",
                       json_object_new_string(uv_names[pk->user_verification]))) {
        json_object_put(o);
        return NULL;
    }
    return wrap_public_key(o);
}

int pk_begin(void *state, int64_t user_id, struct json_object **challenge)
{
    struct passkey *pk = state;
    const struct jutsu_data *d;
    jutsu_dbs *s;
    struct cred_list l = { 0 };
    uint8_t ch[WA_CHALLENGE_LEN];
    if (challenge == NULL)
        return JUTSU_EINVAL;
    *challenge = NULL;
    int rc = db_open(pk, &d, &s);
    if (rc != 0)
        return rc;
    rc = list_credentials(pk, d, s, user_id, &l);
    d->close(s);
    if (rc != 0)
        return rc;
    if (l.n == 0) {
        json_object_put(l.arr);
        pk->host->set_error(pk->ctx, "user %lld has no passkey", (long long)user_id);
        return JUTSU_ENOENT;
    }
    if ((rc = pk_pending_issue(pk, user_id, PK_CEREMONY_GET, ch)) != 0) {
        json_object_put(l.arr);
        pk->host->set_error(pk->ctx, "%d passkey logins are already under way; try again "
                            "in a moment", PK_PENDING_MAX);
        return rc;
    }
    if ((*challenge = request_options(pk, ch, l.arr)) == NULL) {
        pk->host->set_error(pk->ctx, "out of memory writing the assertion options");
        return JUTSU_ENOMEM;
    }
    return 0;
}

/* --- verify: an assertion ----------------------------------------------------- */

/* The challenge named in the client data must be one we issued to this
 * user for this ceremony: it is consumed here, before anything else is
 * believed, so that every answer, right or wrong, uses it up. */
static int take_challenge(struct passkey *pk, int64_t user_id, int ceremony,
                          const struct pk_blobs *b, uint8_t challenge[WA_CHALLENGE_LEN])
{
    struct wa_client_data cd;
    char why[256];
    int rc = wa_client_data_parse(b->client_data, b->client_data_len, &cd, why, sizeof(why));
    if (rc != 0) {
        pk->host->set_error(pk->ctx, "%s", why);
        return rc;
    }
    rc = pk_pending_take(pk, user_id, ceremony, cd.challenge, cd.challenge_len);
    if (rc == JUTSU_EBUSY) {
        pk->host->set_error(pk->ctx, "cannot lock the pending challenges");
        return rc;
    }
    if (rc == JUTSU_ETIMEDOUT)
        pk->host->set_error(pk->ctx, "the challenge expired (after %llds); ask for a new one",
                            (long long)pk->challenge_ttl);
    else if (rc != 0)
        pk->host->set_error(pk->ctx, "the challenge was not issued to this user for this "
                            "step, or was already used");
    if (rc != 0)
        return JUTSU_EAUTH;
    memcpy(challenge, cd.challenge, WA_CHALLENGE_LEN);
    return 0;
}

/* The stored passkey of this credential id, if it is user_id's. */
static int find_passkey(struct passkey *pk, const struct jutsu_data *d, jutsu_dbs *s,
                        int64_t user_id, struct pk_blobs *b, int64_t *id, int64_t *count)
{
    struct jutsu_passkey_row row;
    memset(&row, 0, sizeof(row));
    int rc = d->passkey_get(s, b->cred_id, b->cred_id_len, &row);
    if (rc == JUTSU_ENOENT || (rc == 0 && row.user_id != user_id)) {
        pk->host->set_error(pk->ctx, "the credential is not one of this user's passkeys");
        return JUTSU_EAUTH;
    }
    if (rc != 0)
        return db_fail(pk, d, s, rc, "reading the passkey");
    if (row.public_key_len == 0 || row.public_key_len > sizeof(b->public_key)) {
        pk->host->set_error(pk->ctx, "passkey %lld: the stored public key is %zu bytes",
                            (long long)row.id, row.public_key_len);
        return JUTSU_EMALFORMED;
    }
    /* the row is the session's until its next call: keep a copy */
    memcpy(b->public_key, row.public_key, row.public_key_len);
    b->public_key_len = row.public_key_len;
    *id = row.id;
    *count = row.sign_count;
    return 0;
}

static int check_user_handle(struct passkey *pk, int64_t user_id, const struct pk_blobs *b)
{
    uint8_t h[WA_USER_HANDLE_LEN];
    pk_user_handle(user_id, h);
    if (b->user_handle_len == 0 ||
        (b->user_handle_len == sizeof(h) && memcmp(h, b->user_handle, sizeof(h)) == 0))
        return 0;
    pk->host->set_error(pk->ctx, "credential.response.userHandle names another user");
    return JUTSU_EAUTH;
}

/* Signature, counter, then the counter stored: the UPDATE itself refuses
 * a count that did not grow, which settles two racing uses of one key. */
static int assert_and_touch(struct passkey *pk, const struct jutsu_data *d, jutsu_dbs *s,
                            const uint8_t *challenge, struct pk_blobs *b, int64_t id,
                            int64_t count)
{
    struct wa_assertion a = {
        .client_data = b->client_data, .client_data_len = b->client_data_len,
        .auth_data = b->auth_data, .auth_data_len = b->auth_data_len,
        .sig = b->sig, .sig_len = b->sig_len,
        .public_key = b->public_key, .public_key_len = b->public_key_len,
        .stored_count = count,
    };
    char why[256];
    uint32_t fresh = 0;
    int rc = wa_verify_assertion(&pk->rp, challenge, WA_CHALLENGE_LEN, &a, &fresh, why,
                                 sizeof(why));
    if (rc != 0) {
        pk->host->set_error(pk->ctx, "passkey %lld: %s", (long long)id, why);
        return rc;
    }
    if (fresh > INT32_MAX) {
        pk->host->set_error(pk->ctx, "passkey %lld: signature counter %lu is above what "
                            "passkeys.sign_count holds (2^31 - 1)", (long long)id,
                            (unsigned long)fresh);
        return JUTSU_ERANGE;
    }
    rc = d->passkey_touch(s, id, (int64_t)fresh, pk->host->now(pk->ctx));
    if (rc == JUTSU_EINVAL || rc == JUTSU_ENOENT) {
        pk->host->set_error(pk->ctx, "passkey %lld: %s", (long long)id, d->last_error(s));
        return JUTSU_EAUTH;
    }
    return rc ? db_fail(pk, d, s, rc, "recording the passkey's use") : 0;
}

int pk_verify(void *state, int64_t user_id, struct json_object *response)
{
    struct passkey *pk = state;
    const struct jutsu_data *d;
    jutsu_dbs *s;
    uint8_t challenge[WA_CHALLENGE_LEN];
    int64_t id = 0, count = 0;
    struct pk_blobs *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        pk->host->set_error(pk->ctx, "out of memory reading the credential");
        return JUTSU_ENOMEM;
    }
    int rc = pk_read_credential(pk, response, "credential", 0, b);
    if (rc == 0)
        rc = take_challenge(pk, user_id, PK_CEREMONY_GET, b, challenge);
    if (rc == 0)
        rc = check_user_handle(pk, user_id, b);
    if (rc == 0 && (rc = db_open(pk, &d, &s)) == 0) {
        rc = find_passkey(pk, d, s, user_id, b, &id, &count);
        if (rc == 0)
            rc = assert_and_touch(pk, d, s, challenge, b, id, count);
        d->close(s);
    }
    if (rc == 0 && pk->host->log_enabled(pk->ctx, JUTSU_LOG_DEBUG))
        pk->host->log(pk->ctx, JUTSU_LOG_DEBUG, "user %lld: passkey %lld verified",
                      (long long)user_id, (long long)id);
    free(b);
    return rc;
}

/* --- enrol: creation options ------------------------------------------------ */

static json_object *pub_key_params(void)
{
    static const int algs[] = { WA_ALG_ES256, WA_ALG_EDDSA, WA_ALG_RS256 };
    json_object *arr = json_object_new_array();
    for (size_t i = 0; arr != NULL && i < sizeof(algs) / sizeof(algs[0]); i++) {
        json_object *p = json_object_new_object();
        if (p == NULL || jutsu_json_add(p, "type", json_object_new_string("public-key")) ||
            jutsu_json_add(p, "alg", json_object_new_int(algs[i])) ||
            json_object_array_add(arr, p) != 0) {
            json_object_put(p);
            json_object_put(arr);
            return NULL;
        }
    }
    return arr;
}

/* {k1: v1, k2: v2[, k3: v3]}, taking the values also on failure: the
 * caller can pass constructors straight in. */
static json_object *entity(const char *k1, json_object *v1, const char *k2, json_object *v2,
                           const char *k3, json_object *v3)
{
    json_object *o = json_object_new_object();
    if (o == NULL) {
        json_object_put(v1);
        json_object_put(v2);
        json_object_put(v3);
        return NULL;
    }
    int bad = jutsu_json_add(o, k1, v1);
    bad = jutsu_json_add(o, k2, v2) || bad;
    if (k3 != NULL)
        bad = jutsu_json_add(o, k3, v3) || bad;
    if (bad) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* Takes `exclude`, also on failure (added first, as in request_options). */
static json_object *creation_options(struct passkey *pk, int64_t user_id, const char *username,
                                     const uint8_t *challenge, json_object *exclude)
{
    uint8_t handle[WA_USER_HANDLE_LEN];
    pk_user_handle(user_id, handle);
    const char *uv = uv_names[pk->user_verification];
    json_object *o = json_object_new_object();
    if (o == NULL) {
        json_object_put(exclude);
        return NULL;
    }
    if (jutsu_json_add(o, "excludeCredentials", exclude) ||
        jutsu_json_add(o, "rp", entity("id", json_object_new_string(pk->rp_id),
                                       "name", json_object_new_string(pk->rp_name),
                                       NULL, NULL)) ||
        jutsu_json_add(o, "user", entity("id", b64_string(handle, sizeof(handle)),
                                         "name", json_object_new_string(username),
                                         "displayName", json_object_new_string(username))) ||
        jutsu_json_add(o, "challenge", b64_string(challenge, WA_CHALLENGE_LEN)) ||
        jutsu_json_add(o, "pubKeyCredParams", pub_key_params()) ||
        jutsu_json_add(o, "timeout", json_object_new_int64(pk->challenge_ttl * 1000)) ||
        jutsu_json_add(o, "authenticatorSelection",
                       entity("residentKey", json_object_new_string("preferred"),
                              "requireResidentKey", json_object_new_boolean(0),
                              "userVerification", json_object_new_string(uv))) ||
        jutsu_json_add(o, "attestation", json_object_new_string("none"))) {
        json_object_put(o);
        return NULL;
    }
    return wrap_public_key(o);
}

/* The user's name (copied: the row is the session's) and their passkeys. */
static int user_and_credentials(struct passkey *pk, int64_t user_id, char **username,
                                struct cred_list *l)
{
    const struct jutsu_data *d;
    jutsu_dbs *s;
    struct jutsu_user_row u;
    memset(&u, 0, sizeof(u));
    int rc = db_open(pk, &d, &s);
    if (rc != 0)
        return rc;
    if ((rc = d->user_get(s, user_id, NULL, &u)) == JUTSU_ENOENT)
        pk->host->set_error(pk->ctx, "no user with id %lld", (long long)user_id);
    else if (rc != 0)
        db_fail(pk, d, s, rc, "reading the user");
    else if ((*username = strdup(u.username ? u.username : "")) == NULL) {
        pk->host->set_error(pk->ctx, "out of memory");
        rc = JUTSU_ENOMEM;
    } else if ((rc = list_credentials(pk, d, s, user_id, l)) != 0) {
        free(*username);
        *username = NULL;
    }
    d->close(s);
    return rc;
}

static int enrol_options(struct passkey *pk, int64_t user_id, json_object **result)
{
    struct cred_list l = { 0 };
    char *username = NULL;
    uint8_t ch[WA_CHALLENGE_LEN];
    int rc = user_and_credentials(pk, user_id, &username, &l);
    if (rc != 0)
        return rc;
    if ((rc = pk_pending_issue(pk, user_id, PK_CEREMONY_CREATE, ch)) != 0) {
        pk->host->set_error(pk->ctx, "%d passkey ceremonies are already under way; try again "
                            "in a moment", PK_PENDING_MAX);
        json_object_put(l.arr);
    } else if ((*result = creation_options(pk, user_id, username, ch, l.arr)) == NULL) {
        pk->host->set_error(pk->ctx, "out of memory writing the creation options");
        rc = JUTSU_ENOMEM;
    }
    free(username);
    return rc;
}

/* --- enrol: register ---------------------------------------------------------- */

/* device_name: optional, at most 100 bytes, no control characters. */
static int device_name(struct passkey *pk, json_object *request, const char **name)
{
    json_object *v;
    int rc = pk_member(pk, request, "", "device_name", json_type_string, 1, &v);
    *name = NULL;
    if (rc != 0)
        return rc < 0 ? rc : 0;
    const char *p = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    if (n > PK_DEVICE_NAME_MAX || strlen(p) != n) {
        pk->host->set_error(pk->ctx, "device_name: %zu bytes, at most %d", n,
                            PK_DEVICE_NAME_MAX);
        return JUTSU_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
            pk->host->set_error(pk->ctx, "device_name: holds a control character");
            return JUTSU_EINVAL;
        }
    }
    *name = n > 0 ? p : NULL;
    return 0;
}

static int verify_attestation(struct passkey *pk, const uint8_t *challenge, struct pk_blobs *b)
{
    char why[256];
    struct wa_registration *r = &b->reg;
    int rc = wa_verify_registration(&pk->rp, challenge, WA_CHALLENGE_LEN, b->client_data,
                                    b->client_data_len, b->att_obj, b->att_obj_len,
                                    pk->attestation, r, why, sizeof(why));
    if (rc != 0) {
        pk->host->set_error(pk->ctx, "%s", why);
        return rc;
    }
    if (r->cred_id_len != b->cred_id_len ||
        memcmp(r->cred_id, b->cred_id, b->cred_id_len) != 0) {
        pk->host->set_error(pk->ctx, "credential.id is not the credential ID in the "
                            "authenticator data");
        return JUTSU_EAUTH;
    }
    if (r->sign_count > INT32_MAX) {
        pk->host->set_error(pk->ctx, "signature counter %lu is above what passkeys.sign_count "
                            "holds (2^31 - 1)", (unsigned long)r->sign_count);
        return JUTSU_ERANGE;
    }
    return 0;
}

/* Not registered yet, by anyone; and room for one more of this user's. */
static int may_store(struct passkey *pk, const struct jutsu_data *d, jutsu_dbs *s,
                     int64_t user_id, const struct pk_blobs *b)
{
    struct jutsu_passkey_row row;
    struct cred_list l = { 0 };
    int rc = d->passkey_get(s, b->reg.cred_id, b->reg.cred_id_len, &row);
    if (rc == 0) {
        pk->host->set_error(pk->ctx, "this passkey is already registered");
        return JUTSU_EEXIST;
    }
    if (rc != JUTSU_ENOENT)
        return db_fail(pk, d, s, rc, "looking the passkey up");
    if ((rc = list_credentials(pk, d, s, user_id, &l)) != 0)
        return rc;
    json_object_put(l.arr);
    if (l.n >= PK_PER_USER_MAX) {
        pk->host->set_error(pk->ctx, "user %lld has %zu passkeys, the most allowed; delete "
                            "one first", (long long)user_id, l.n);
        return JUTSU_EFULL;
    }
    return 0;
}

/* {id, device_name (null when none), aaguid} */
static json_object *registered(int64_t id, const char *name, const char *aaguid)
{
    json_object *o = json_object_new_object();
    if (o == NULL || jutsu_json_add(o, "id", json_object_new_int64(id)))
        goto fail;
    if (name == NULL ? json_object_object_add(o, "device_name", NULL) != 0
                     : jutsu_json_add(o, "device_name", json_object_new_string(name)) != 0)
        goto fail;
    if (jutsu_json_add(o, "aaguid", json_object_new_string(aaguid)))
        goto fail;
    return o;
fail:
    json_object_put(o);
    return NULL;
}

static int store_passkey(struct passkey *pk, int64_t user_id, const char *name,
                         const struct pk_blobs *b, json_object **result)
{
    const struct jutsu_data *d;
    jutsu_dbs *s;
    char aaguid[37];
    int64_t id = 0;
    wa_aaguid_format(b->reg.aaguid, aaguid);
    struct jutsu_passkey_row row = {
        .user_id = user_id,
        .credential_id = b->reg.cred_id, .credential_id_len = b->reg.cred_id_len,
        .public_key = b->reg.public_key, .public_key_len = b->reg.public_key_len,
        .sign_count = b->reg.sign_count, .device_name = name, .aaguid = aaguid,
    };
    int rc = db_open(pk, &d, &s);
    if (rc != 0)
        return rc;
    if ((rc = may_store(pk, d, s, user_id, b)) == 0 &&
        (rc = d->passkey_add(s, &row, &id)) != 0) {
        if (rc == JUTSU_ECONSTRAINT) {   /* registered meanwhile, or the user is gone */
            pk->host->set_error(pk->ctx, "the passkey was not stored: %s", d->last_error(s));
            rc = JUTSU_EEXIST;
        } else {
            db_fail(pk, d, s, rc, "storing the passkey");
        }
    }
    d->close(s);
    if (rc != 0)
        return rc;
    pk->host->log(pk->ctx, JUTSU_LOG_INFO, "user %lld: passkey %lld registered (%s, alg %d, "
                  "attestation \"%s\"%s)", (long long)user_id, (long long)id, aaguid,
                  b->reg.alg, b->reg.fmt, b->reg.attested ? ", verified" : "");
    if ((*result = registered(id, name, aaguid)) == NULL) {
        pk->host->set_error(pk->ctx, "out of memory (the passkey was stored, as %lld)",
                            (long long)id);
        return JUTSU_ENOMEM;
    }
    return 0;
}

static int enrol_register(struct passkey *pk, int64_t user_id, json_object *request,
                          json_object **result)
{
    json_object *cred;
    const char *name;
    uint8_t challenge[WA_CHALLENGE_LEN];
    struct pk_blobs *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        pk->host->set_error(pk->ctx, "out of memory reading the credential");
        return JUTSU_ENOMEM;
    }
    int rc = pk_member(pk, request, "", "credential", json_type_object, 0, &cred);
    if (rc == 0)
        rc = device_name(pk, request, &name);
    if (rc == 0)
        rc = pk_read_credential(pk, cred, "credential", 1, b);
    if (rc == 0)
        rc = take_challenge(pk, user_id, PK_CEREMONY_CREATE, b, challenge);
    if (rc == 0)
        rc = verify_attestation(pk, challenge, b);
    if (rc == 0)
        rc = store_passkey(pk, user_id, name, b, result);
    free(b);
    return rc;
}

int pk_enrol(void *state, int64_t user_id, struct json_object *request,
             struct json_object **result)
{
    struct passkey *pk = state;
    json_object *action;
    if (result == NULL)
        return JUTSU_EINVAL;
    *result = NULL;
    int rc = pk_member(pk, request, "", "action", json_type_string, 0, &action);
    if (rc != 0)
        return rc;
    const char *a = json_object_get_string(action);
    if (strcmp(a, "options") == 0)
        return enrol_options(pk, user_id, result);
    if (strcmp(a, "register") == 0)
        return enrol_register(pk, user_id, request, result);
    pk->host->set_error(pk->ctx, "action: \"%.40s\" is not one of options, register", a);
    return JUTSU_EINVAL;
}
