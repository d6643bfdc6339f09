/*
 * tests/unit/authn_fx.h — a software WebAuthn authenticator (ES256, "none"
 * attestation) for the tests of auth-passkey and of the HTTP login with a
 * passkey. Failures assert (Check).
 */
#ifndef JUTSU_TEST_AUTHN_FX_H
#define JUTSU_TEST_AUTHN_FX_H

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdint.h>

#define AUTHN_FLAG_UP 0x01
#define AUTHN_FLAG_UV 0x04
#define AUTHN_FLAG_AT 0x40

struct authn {
    EVP_PKEY *key;
    uint8_t   cred_id[32];
    uint32_t  count;     /* the signature counter it reports; the caller moves it */
};

void authn_new(struct authn *a);
void authn_free(struct authn *a);
/* navigator.credentials.create()'s PublicKeyCredential as JSON ("none"
 * attestation) for `challenge` (base64url) from `origin`, with `flags`. */
json_object *authn_create(const struct authn *a, const char *challenge, const char *origin,
                          const char *rp_id, uint8_t flags);
/* navigator.credentials.get()'s, UP and UV set, with the current count;
 * user_handle 0: none. */
json_object *authn_get(const struct authn *a, const char *challenge, const char *origin,
                       const char *rp_id, int64_t user_handle);

/* `n` bytes as a base64url JSON string, as WebAuthn's JSON carries them. */
json_object *authn_b64_json(const uint8_t *p, size_t n);

#endif
