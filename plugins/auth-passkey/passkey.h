/*
 * plugins/auth-passkey/passkey.h — what the files of the auth-passkey
 * plugin share: the instance, its pending challenges, and how a request's
 * JSON is read. The manual is at the top of passkey_plugin.c; the
 * WebAuthn checks themselves are in webauthn.h.
 */
#ifndef JUTSU_PASSKEY_H
#define JUTSU_PASSKEY_H

#include <json-c/json.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "jutsu/host.h"
#include "webauthn.h"

#define PK_PENDING_MAX      1024   /* challenges outstanding, all users   */
#define PK_PENDING_PER_USER 8      /* per user; the oldest makes way      */
#define PK_PER_USER_MAX     32     /* passkeys one user may register      */
#define PK_DEVICE_NAME_MAX  100    /* passkeys.device_name                */
#define PK_ORIGINS_MAX      16

/* user_verification, in the schema's order */
enum { PK_UV_PREFERRED, PK_UV_REQUIRED, PK_UV_DISCOURAGED };
/* what a challenge was issued for */
enum { PK_CEREMONY_GET = 1, PK_CEREMONY_CREATE = 2 };

struct pk_pending {
    int64_t      user_id;
    jutsu_time_t expires;                       /* host->now() µs          */
    uint64_t     seq;                           /* issue order             */
    int          ceremony;                      /* PK_CEREMONY_*           */
    uint8_t      challenge[WA_CHALLENGE_LEN];
};

struct passkey {
    const struct jutsu_host *host;
    jutsu_ctx   *ctx;
    /* settings: host->cfg_fill (the schema in passkey_plugin.c) */
    const char  *rp_id, *rp_name;
    int          user_verification;            /* PK_UV_*                  */
    int64_t      challenge_ttl;                /* seconds                  */
    int          attestation;                  /* WA_ATT_*                 */
    /* origins, read by path; the strings are the host's */
    const char  *origins[PK_ORIGINS_MAX];
    size_t       norigins;
    struct wa_rp rp;
    /* challenges issued and not yet answered, in no order */
    pthread_mutex_t   lock;
    struct pk_pending pending[PK_PENDING_MAX];
    size_t            npending;
    uint64_t          seq;                     /* the last one issued     */
};

/* The decoded binary members of one request; ~30 KiB, so on the heap. */
struct pk_blobs {
    uint8_t  cred_id[WA_CRED_ID_MAX];
    size_t   cred_id_len;
    uint8_t  client_data[WA_CLIENT_DATA_MAX];
    size_t   client_data_len;
    uint8_t  auth_data[WA_AUTH_DATA_MAX];
    size_t   auth_data_len;
    uint8_t  sig[WA_SIG_MAX];
    size_t   sig_len;
    uint8_t  att_obj[WA_ATT_OBJ_MAX];
    size_t   att_obj_len;
    uint8_t  user_handle[64];
    size_t   user_handle_len;      /* 0: none sent (or null, or empty) */
    uint8_t  public_key[WA_COSE_KEY_MAX];
    size_t   public_key_len;
    struct wa_registration reg;
};

/* passkey_pending.c — under pk->lock; the clock is host->now. */

/* Makes a random challenge for (user, ceremony), good for challenge_ttl.
 * Sweeps expired ones first; a user's ninth pushes out their oldest.
 * JUTSU_EFULL when PK_PENDING_MAX are outstanding. */
int pk_pending_issue(struct passkey *pk, int64_t user_id, int ceremony,
                     uint8_t challenge[WA_CHALLENGE_LEN]);
/* Consumes the challenge if it is outstanding for (user, ceremony): 0;
 * JUTSU_ETIMEDOUT if it was but has expired (it is gone either way);
 * JUTSU_ENOENT if it is unknown, used, or someone else's. */
int pk_pending_take(struct passkey *pk, int64_t user_id, int ceremony,
                    const uint8_t *challenge, size_t len);

/* passkey_request.c — the shape of requests; each failure is JUTSU_EINVAL
 * with a reason through host->set_error naming the member by its path. */

/* Member `name` of `o` (at `path`, "" at the top) of JSON type t: 0 and
 * *out; 1 when absent or null and `optional`; else JUTSU_EINVAL. */
int pk_member(struct passkey *pk, json_object *o, const char *path, const char *name,
              json_type t, int optional, json_object **out);
/* A PublicKeyCredential (§5.1, as JSON, binary members base64url) at
 * `path`: type "public-key", id (and rawId, equal if present), response
 * with clientDataJSON and, for a registration, attestationObject, else
 * authenticatorData, signature and userHandle (optional). */
int pk_read_credential(struct passkey *pk, json_object *cred, const char *path,
                       int registration, struct pk_blobs *b);

/* passkey_ops.c — struct jutsu_auth_ops */
int pk_begin(void *state, int64_t user_id, struct json_object **challenge);
int pk_verify(void *state, int64_t user_id, struct json_object *response);
int pk_enrol(void *state, int64_t user_id, struct json_object *request,
             struct json_object **result);

/* The user handle we give authenticators: the user id, 8 bytes big endian. */
void pk_user_handle(int64_t user_id, uint8_t out[WA_USER_HANDLE_LEN]);

#endif
