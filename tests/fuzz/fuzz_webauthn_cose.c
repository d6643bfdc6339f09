/*
 * tests/fuzz/fuzz_webauthn_cose.c — a stored credential public key
 * (COSE_Key, CBOR): wa_cose_key_parse, and for a key it takes, the
 * signature check, which hands the key to libfido2 in its own layouts.
 * The signature is garbage: it must be refused, never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char client[] = "{\"type\":\"webauthn.get\"}";
    struct wa_cose_key key;
    uint8_t ad[37], sig[72];
    char why[256];
    if (size > WA_COSE_KEY_MAX)
        return 0;
    if (wa_cose_key_parse(data, size, &key, why, sizeof(why)) != 0)
        return 0;
    if (key.alg != WA_ALG_ES256 && key.alg != WA_ALG_EDDSA && key.alg != WA_ALG_RS256)
        abort();
    memset(ad, 0, sizeof(ad));
    ad[32] = WA_FLAG_UP;
    memset(sig, 0x30, sizeof(sig));
    if (wa_verify_signature(&key, "example.org", ad, sizeof(ad), (const uint8_t *)client,
                            sizeof(client) - 1, sig, sizeof(sig), why, sizeof(why)) == 0)
        abort();   /* a signature of 0x30 bytes verified */
    return 0;
}
