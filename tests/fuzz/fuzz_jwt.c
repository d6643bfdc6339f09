/*
 * tests/fuzz/fuzz_jwt.c — jutsu_jwt_verify, the check every REST request's
 * bearer token goes through, under a real key file (jutsu_keys_load in a
 * fresh temporary folder).
 *
 * The first byte picks what the rest is:
 *   even  the token as a client sends it (header, MAC and claims all
 *         attacker-chosen: almost everything stops at the MAC);
 *   odd   a payload, which is signed here under the current key before
 *         the check, so that the claims reader behind the MAC is reached.
 */
#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "auth/keys.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct jutsu_keys keys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char dir[] = "/tmp/jutsu-fuzz-jwt.XXXXXX", path[PATH_MAX], err[256];
    (void)argc;
    (void)argv;
    if (sodium_init() < 0 || mkdtemp(dir) == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/secret.key", dir);
    if (jutsu_keys_load(path, &keys, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz_jwt: %s\n", err);
        abort();
    }
    /* the keys are in memory now; leave no folder behind per run */
    if (unlink(path) != 0 || rmdir(dir) != 0)
        abort();
    return 0;
}

/* header.base64url(payload).MAC, as jutsu_jwt_sign lays a token out. */
static int sign(const uint8_t *payload, size_t len, char *out, size_t outsz)
{
    const char *h = keys.keys[0].jwt_header;
    size_t hl = strlen(h);
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    if (hl + 1 + sodium_base64_ENCODED_LEN(len, B64) + 1 +
        sodium_base64_ENCODED_LEN(sizeof(mac), B64) > outsz)
        return -1;
    memcpy(out, h, hl);
    out[hl] = '.';
    sodium_bin2base64(out + hl + 1, outsz - hl - 1, payload, len, B64);
    size_t signed_len = strlen(out);
    crypto_auth_hmacsha256(mac, (const uint8_t *)out, signed_len, keys.keys[0].mac);
    out[signed_len] = '.';
    sodium_bin2base64(out + signed_len + 1, outsz - signed_len - 1, mac, sizeof(mac), B64);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jutsu_jwt_claims c;
    const char *why = NULL;
    char *token;
    if (size == 0 || size > 4 * JUTSU_JWT_MAX)
        return 0;
    size_t cap = 2 * size + 256;
    if ((token = malloc(cap)) == NULL)
        abort();
    if ((data[0] & 1) == 0) {
        memcpy(token, data + 1, size - 1);
        token[size - 1] = '\0';
    } else if (sign(data + 1, size - 1, token, cap) != 0) {
        abort();
    }
    int rc = jutsu_jwt_verify(&keys, token, 0, &c, &why);
    if (why == NULL || (rc == 0 && (c.sub <= 0 || c.exp <= 0)))
        abort();
    free(token);
    return 0;
}
