/*
 * tests/fuzz/fuzz_webauthn_client_data.c — a WebAuthn clientDataJSON, as
 * a browser posts it (base64url-decoded): wa_client_data_parse, then the
 * relying party's checks (wa_check_client_data) for both ceremonies.
 * The challenge expected is the one the seeds carry, so that a seed gets
 * past the comparison and on to the origin checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const origins[] = { "https://example.org", "http://localhost:8080" };
    static const struct wa_rp rp = { "example.org", origins, 2, 0 };
    struct wa_client_data cd;
    char why[256];
    uint8_t bin[WA_CLIENT_DATA_MAX];
    size_t binlen;
    if (size > WA_CLIENT_DATA_MAX)
        return 0;
    if (wa_client_data_parse(data, size, &cd, why, sizeof(why)) == 0) {
        if (cd.challenge_len < WA_CHALLENGE_MIN || cd.challenge_len > WA_CHALLENGE_MAX ||
            memchr(cd.type, '\0', sizeof(cd.type)) == NULL ||
            memchr(cd.origin, '\0', sizeof(cd.origin)) == NULL)
            abort();
        (void)wa_check_client_data(&rp, data, size, "webauthn.create", cd.challenge,
                                   cd.challenge_len, why, sizeof(why));
        (void)wa_check_client_data(&rp, data, size, "webauthn.get", cd.challenge,
                                   cd.challenge_len, why, sizeof(why));
    }
    /* the same bytes as the base64url text of a request member */
    if (wa_b64url_decode((const char *)data, size, bin, sizeof(bin), &binlen) == 0 &&
        binlen > sizeof(bin))
        abort();
    return 0;
}
