/*
 * core/auth/keys.c — the key file, and sealing secrets at rest with it.
 *
 * A sealed value is "kid:" then base64url (no padding) of a random
 * 24-byte nonce followed by the XChaCha20-Poly1305 box; the caller's aad
 * (e.g. "totp:user:12") is authenticated but not stored, so a value
 * copied into another row does not open.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "auth/jwt.h"
#include "auth/keys.h"

#define KDF_CTX_MAC  "jutsumac"   /* crypto_kdf contexts: 8 bytes each */
#define KDF_CTX_SEAL "jutsusea"
#define LINE_MAX_LEN 256
#define B64_KEY_LEN  43           /* 32 bytes, base64url, no padding */

static int kid_valid(const char *s, size_t n)
{
    if (n == 0 || n > JUTSU_KID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int derive(struct jutsu_key *k, const uint8_t master[JUTSU_KEY_BYTES])
{
    if (crypto_kdf_derive_from_key(k->mac, sizeof(k->mac), 1, KDF_CTX_MAC, master) != 0 ||
        crypto_kdf_derive_from_key(k->seal, sizeof(k->seal), 2, KDF_CTX_SEAL, master) != 0)
        return JUTSU_EINVAL;
    return 0;
}

/* One "KID KEY" line into keys->keys[keys->n]. */
static int parse_line(char *line, const char *path, int lineno, struct jutsu_keys *keys,
                      char *err, size_t errsz)
{
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#' || *p == '\n')
        return 0;
    char *kid = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    size_t kidlen = (size_t)(p - kid);
    while (*p == ' ' || *p == '\t')
        p++;
    char *b64 = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
        p++;
    size_t b64len = (size_t)(p - b64);
    uint8_t master[JUTSU_KEY_BYTES];
    size_t got = 0;
    if (!kid_valid(kid, kidlen) || b64len != B64_KEY_LEN ||
        sodium_base642bin(master, sizeof(master), b64, b64len, NULL, &got, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != sizeof(master)) {
        sodium_memzero(master, sizeof(master));
        snprintf(err, errsz, "%s:%d: not a key line: want \"KID KEY\" (KID 1-16 of "
                 "A-Z a-z 0-9 _ -, KEY 32 bytes in base64url, 43 characters)", path, lineno);
        return JUTSU_ECONFIG;
    }
    if (keys->n == JUTSU_KEYS_MAX || jutsu_keys_find(keys, kid, kidlen) != NULL) {
        sodium_memzero(master, sizeof(master));
        snprintf(err, errsz, "%s:%d: %s", path, lineno, keys->n == JUTSU_KEYS_MAX
                 ? "more than 16 keys: remove the oldest lines" : "this key id is used twice");
        return JUTSU_ECONFIG;
    }
    struct jutsu_key *k = &keys->keys[keys->n];
    memcpy(k->kid, kid, kidlen);
    k->kid[kidlen] = '\0';
    jutsu_jwt_header(k->kid, k->jwt_header, sizeof(k->jwt_header));
    int rc = derive(k, master);
    sodium_memzero(master, sizeof(master));
    if (rc != 0) {
        snprintf(err, errsz, "%s:%d: key derivation failed", path, lineno);
        return JUTSU_EIO;
    }
    keys->n++;
    return 0;
}

/* A new file with one fresh key; EEXIST when another process won the race. */
static int create_file(const char *path, char *err, size_t errsz)
{
    uint8_t master[JUTSU_KEY_BYTES], idb[4];
    char b64[sodium_base64_ENCODED_LEN(JUTSU_KEY_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    char text[LINE_MAX_LEN];
    randombytes_buf(master, sizeof(master));
    randombytes_buf(idb, sizeof(idb));
    sodium_bin2base64(b64, sizeof(b64), master, sizeof(master),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    int len = snprintf(text, sizeof(text),
                       "# Jutsu secret keys: \"KID KEY\", the first line's key is current.\n"
                       "# Keep this file 0600; losing it ends every session and makes\n"
                       "# sealed secrets (TOTP) unreadable.\n"
                       "k%02x%02x%02x%02x %s\n", idb[0], idb[1], idb[2], idb[3], b64);
    sodium_memzero(master, sizeof(master));
    sodium_memzero(b64, sizeof(b64));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        sodium_memzero(text, sizeof(text));
        if (e == EEXIST)
            return JUTSU_EEXIST;
        snprintf(err, errsz, "%s: cannot create the key file: %s (make its directory, "
                 "or set auth.secret_key_file)", path, strerror(e));
        return JUTSU_EIO;
    }
    ssize_t w = write(fd, text, (size_t)len);
    int ok = w == len && fsync(fd) == 0;
    int e = errno;
    sodium_memzero(text, sizeof(text));
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        unlink(path);
        snprintf(err, errsz, "%s: cannot write the key file: %s", path, strerror(e));
        return JUTSU_EIO;
    }
    return 0;
}

int jutsu_keys_load(const char *path, struct jutsu_keys *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof(*out));
    if (sodium_init() < 0) {
        snprintf(err, errsz, "libsodium could not be initialised");
        return JUTSU_EIO;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        int rc = create_file(path, err, errsz);
        if (rc != 0 && rc != JUTSU_EEXIST)
            return rc;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
        snprintf(err, errsz, "%s: cannot open the key file: %s", path, strerror(errno));
        return JUTSU_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0) {
        snprintf(err, errsz, "%s: the key file must be a regular file owned by this user "
                 "and readable by no one else (mode %04o): chmod 600 %s", path,
                 (unsigned)(st.st_mode & 07777), path);
        close(fd);
        return JUTSU_ECONFIG;
    }
    FILE *f = fdopen(fd, "r");
    if (f == NULL) {
        close(fd);
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return JUTSU_EIO;
    }
    char line[LINE_MAX_LEN];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        rc = parse_line(line, path, lineno, out, err, errsz);
    }
    sodium_memzero(line, sizeof(line));
    (void)fclose(f);    /* read only: nothing to lose */
    if (rc == 0 && out->n == 0) {
        snprintf(err, errsz, "%s: the key file holds no key (delete it to have a new one "
                 "made; every session ends and sealed secrets are lost)", path);
        rc = JUTSU_ECONFIG;
    }
    if (rc != 0)
        jutsu_keys_wipe(out);
    return rc;
}

const struct jutsu_key *jutsu_keys_find(const struct jutsu_keys *k, const char *kid, size_t len)
{
    for (size_t i = 0; i < k->n; i++)
        if (strlen(k->keys[i].kid) == len && memcmp(k->keys[i].kid, kid, len) == 0)
            return &k->keys[i];
    return NULL;
}

void jutsu_keys_wipe(struct jutsu_keys *k)
{
    sodium_memzero(k, sizeof(*k));
}

#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG   crypto_aead_xchacha20poly1305_ietf_ABYTES

int jutsu_keys_seal(const struct jutsu_keys *k, const char *aad, const void *plain,
                    size_t len, char *out, size_t outsz)
{
    uint8_t box[NONCE + JUTSU_SEAL_MAX + TAG];
    unsigned long long boxlen = 0;
    if (k->n == 0 || aad == NULL || (plain == NULL && len > 0) || len > JUTSU_SEAL_MAX)
        return JUTSU_EINVAL;
    const struct jutsu_key *key = &k->keys[0];
    size_t kidlen = strlen(key->kid);
    size_t need = kidlen + 1 + sodium_base64_ENCODED_LEN(NONCE + len + TAG,
                                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (out == NULL || outsz < need)
        return JUTSU_EFULL;
    randombytes_buf(box, NONCE);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(box + NONCE, &boxlen, plain, len,
                                                   (const uint8_t *)aad, strlen(aad), NULL,
                                                   box, key->seal) != 0)
        return JUTSU_EINVAL;
    memcpy(out, key->kid, kidlen);
    out[kidlen] = ':';
    sodium_bin2base64(out + kidlen + 1, outsz - kidlen - 1, box, NONCE + (size_t)boxlen,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

int jutsu_keys_unseal(const struct jutsu_keys *k, const char *aad, const char *sealed,
                      void *plain, size_t plainsz, size_t *len)
{
    uint8_t box[NONCE + JUTSU_SEAL_MAX + TAG];
    size_t boxlen = 0;
    unsigned long long plen = 0;
    *len = 0;
    if (aad == NULL || sealed == NULL)
        return JUTSU_EAUTH;
    const char *colon = strchr(sealed, ':');
    if (colon == NULL)
        return JUTSU_EAUTH;
    const struct jutsu_key *key = jutsu_keys_find(k, sealed, (size_t)(colon - sealed));
    if (key == NULL ||
        sodium_base642bin(box, sizeof(box), colon + 1, strlen(colon + 1), NULL, &boxlen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        boxlen < NONCE + TAG)
        return JUTSU_EAUTH;
    if (boxlen - NONCE - TAG > plainsz)
        return JUTSU_EFULL;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, box + NONCE,
                                                   boxlen - NONCE, (const uint8_t *)aad,
                                                   strlen(aad), box, key->seal) != 0)
        return JUTSU_EAUTH;
    *len = (size_t)plen;
    return 0;
}
