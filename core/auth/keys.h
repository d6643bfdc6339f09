/*
 * core/auth/keys.h — the host's secret keys: one key file, several key ids.
 *
 * The file (settings auth.secret_key_file) holds one key per line,
 * "KID BASE64URL-OF-32-BYTES", the first line's key the current one; '#'
 * starts a comment. It is made with mode 0600 the first time it is needed
 * and refused when group or others may read it, or when it is not a
 * regular file owned by this user. To rotate, put a new line first: tokens
 * and sealed values made under the older ids keep opening until their
 * line is removed.
 *
 * Each key is never used as is: libsodium's KDF derives one subkey per
 * use (token MACs, sealing secrets at rest), so the two never share a key.
 */
#ifndef JUTSU_CORE_AUTH_KEYS_H
#define JUTSU_CORE_AUTH_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define JUTSU_KEYS_MAX     16
#define JUTSU_KID_MAX      16     /* [A-Za-z0-9_-], 1..16 characters */
#define JUTSU_KEY_BYTES    32

struct jutsu_key {
    char    kid[JUTSU_KID_MAX + 1];
    char    jwt_header[96];          /* the token header naming kid, base64url */
    uint8_t mac[JUTSU_KEY_BYTES];    /* HMAC-SHA256 of tokens   */
    uint8_t seal[JUTSU_KEY_BYTES];   /* XChaCha20-Poly1305 boxes */
};

struct jutsu_keys {
    size_t           n;              /* keys[0] is the current one */
    struct jutsu_key keys[JUTSU_KEYS_MAX];
};

/* Reads `path`, creating it with a fresh key when it does not exist.
 * 0, or JUTSU_EIO / JUTSU_ECONFIG with the reason (file:line, and what to
 * do) in err. */
int  jutsu_keys_load(const char *path, struct jutsu_keys *out, char *err, size_t errsz);
/* The key with id `kid` (a string of `len` bytes), or NULL. */
const struct jutsu_key *jutsu_keys_find(const struct jutsu_keys *k, const char *kid, size_t len);
/* Wipes the key material. */
void jutsu_keys_wipe(struct jutsu_keys *k);

/* Seals `len` bytes (<= JUTSU_SEAL_MAX) bound to `aad` with the current
 * key: "kid:base64url(nonce|box)" into out. 0, JUTSU_EINVAL, JUTSU_EFULL. */
#define JUTSU_SEAL_MAX 1024
int  jutsu_keys_seal(const struct jutsu_keys *k, const char *aad, const void *plain,
                     size_t len, char *out, size_t outsz);
/* Opens it under the key its kid names. 0, JUTSU_EAUTH (altered, other
 * aad, unknown kid, not sealed text), JUTSU_EFULL (plainsz too small). */
int  jutsu_keys_unseal(const struct jutsu_keys *k, const char *aad, const char *sealed,
                       void *plain, size_t plainsz, size_t *len);

#endif
