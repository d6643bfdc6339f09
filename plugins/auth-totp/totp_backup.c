/*
 * plugins/auth-totp/totp_backup.c — backup codes (see totp_backup.h).
 */
#include <json-c/json.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "totp_backup.h"

/* 1 pass over 2 MiB: about 2 ms a hash here, so a typed code checked
 * against a full set of ten costs ~25 ms and a new set the same. The codes
 * carry 60 random bits, which is what protects them, not the hash's cost. */
#define BACKUP_OPSLIMIT 1
#define BACKUP_MEMLIMIT (2u * 1024 * 1024)

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* One character of a typed code as Crockford's decoder reads it, or 0
 * when it is not one. */
static char crockford_char(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == 'O')
        return '0';
    if (c == 'I' || c == 'L')
        return '1';
    return c != '\0' && strchr(crockford, c) != NULL ? c : 0;   /* U is left out */
}

int totp_backup_normalize(const char *typed, char norm[TOTP_BACKUP_CHARS + 1])
{
    size_t n = 0;
    for (const char *p = typed; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        char c = crockford_char(*p);
        if (c == 0 || n == TOTP_BACKUP_CHARS)
            return 0;
        norm[n++] = c;
    }
    norm[n] = '\0';
    return n == TOTP_BACKUP_CHARS;
}

static json_object *parse_codes(const char *json)
{
    json_object *a = json_tokener_parse(json);
    if (a == NULL || !json_object_is_type(a, json_type_array)) {
        json_object_put(a);
        return NULL;
    }
    for (size_t i = 0; i < json_object_array_length(a); i++)
        if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string)) {
            json_object_put(a);
            return NULL;
        }
    return a;
}

/* The array as compact text, malloc'd, or NULL. */
static char *codes_text(json_object *a)
{
    const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
    const char *t = json_object_to_json_string_ext(a, flags);
    return t != NULL ? strdup(t) : NULL;
}

int totp_backup_new(char shown[TOTP_BACKUP_COUNT][TOTP_BACKUP_SHOWN + 1], char **json)
{
    char norm[TOTP_BACKUP_CHARS + 1], hash[crypto_pwhash_STRBYTES];
    *json = NULL;
    json_object *a = json_object_new_array();
    if (a == NULL)
        return JUTSU_ENOMEM;
    for (int i = 0; i < TOTP_BACKUP_COUNT; i++) {
        for (int k = 0, o = 0; k < TOTP_BACKUP_CHARS; k++) {
            norm[k] = crockford[randombytes_uniform(32)];
            if (k > 0 && k % 4 == 0)
                shown[i][o++] = '-';
            shown[i][o++] = norm[k];
        }
        norm[TOTP_BACKUP_CHARS] = '\0';
        shown[i][TOTP_BACKUP_SHOWN] = '\0';
        if (crypto_pwhash_str_alg(hash, norm, TOTP_BACKUP_CHARS, BACKUP_OPSLIMIT,
                                  BACKUP_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
            goto fail;
        json_object *h = json_object_new_string(hash);
        if (h == NULL || json_object_array_add(a, h) != 0) {
            json_object_put(h);
            goto fail;
        }
    }
    sodium_memzero(norm, sizeof(norm));
    *json = codes_text(a);
    json_object_put(a);
    if (*json == NULL) {
        sodium_memzero(shown, sizeof(char[TOTP_BACKUP_COUNT][TOTP_BACKUP_SHOWN + 1]));
        return JUTSU_ENOMEM;
    }
    return 0;
fail:
    sodium_memzero(norm, sizeof(norm));
    sodium_memzero(shown, sizeof(char[TOTP_BACKUP_COUNT][TOTP_BACKUP_SHOWN + 1]));
    json_object_put(a);
    return JUTSU_ENOMEM;
}

int totp_backup_use(const char *json, const char *norm, char **rest)
{
    *rest = NULL;
    if (json == NULL || *json == '\0')
        return 0;
    json_object *a = parse_codes(json);
    if (a == NULL)
        return JUTSU_EMALFORMED;
    size_t n = json_object_array_length(a), found = n;
    for (size_t i = 0; i < n && found == n; i++) {
        const char *h = json_object_get_string(json_object_array_get_idx(a, i));
        if (crypto_pwhash_str_verify(h, norm, strlen(norm)) == 0)
            found = i;
    }
    int rc = 0;
    if (found < n) {
        rc = json_object_array_del_idx(a, found, 1) == 0 && (*rest = codes_text(a)) != NULL
             ? 1 : JUTSU_ENOMEM;
    }
    json_object_put(a);
    return rc;
}

int totp_backup_count(const char *json)
{
    if (json == NULL || *json == '\0')
        return 0;
    json_object *a = parse_codes(json);
    if (a == NULL)
        return JUTSU_EMALFORMED;
    int n = (int)json_object_array_length(a);
    json_object_put(a);
    return n;
}
