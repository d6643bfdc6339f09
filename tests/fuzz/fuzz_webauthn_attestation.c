/*
 * tests/fuzz/fuzz_webauthn_attestation.c — a registration's
 * attestationObject (CBOR): wa_attestation_parse, then the authenticator
 * data inside it (wa_auth_data_parse, wa_check_auth_data) and the
 * credential's COSE key (wa_cose_key_parse). With the first byte odd the
 * rest is authenticator data alone, as an assertion sends it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void auth_data(const uint8_t *p, size_t len)
{
    static const char *const origins[] = { "https://example.org" };
    static const struct wa_rp rp = { "example.org", origins, 1, 1 };
    struct wa_auth_data ad;
    struct wa_cose_key key;
    char why[256];
    if (wa_auth_data_parse(p, len, &ad, why, sizeof(why)) != 0)
        return;
    (void)wa_check_auth_data(&rp, &ad, why, sizeof(why));
    if (!ad.has_credential)
        return;
    /* the pointers must stay inside the parsed bytes */
    if (ad.cred_id < p || ad.cred_id + ad.cred_id_len > p + len || ad.cose_key < p ||
        ad.cose_key + ad.cose_key_len > p + len || ad.cred_id_len > WA_CRED_ID_MAX)
        abort();
    (void)wa_cose_key_parse(ad.cose_key, ad.cose_key_len, &key, why, sizeof(why));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wa_attestation att;
    char why[256];
    if (size == 0 || size > WA_ATT_OBJ_MAX)
        return 0;
    if (data[0] & 1) {
        auth_data(data + 1, size - 1);
        return 0;
    }
    if (wa_attestation_parse(data + 1, size - 1, &att, why, sizeof(why)) != 0)
        return 0;
    if (att.auth_data_len > sizeof(att.auth_data) || att.sig_len > sizeof(att.sig) ||
        memchr(att.fmt, '\0', sizeof(att.fmt)) == NULL)
        abort();
    /* a copy of exactly its length, so that a read past it shows */
    uint8_t *copy = malloc(att.auth_data_len ? att.auth_data_len : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, att.auth_data, att.auth_data_len);
    auth_data(copy, att.auth_data_len);
    free(copy);
    return 0;
}
