/*
 * plugins/auth-totp/totp_code.c — base32 and HOTP/TOTP codes (see
 * totp_code.h). HMAC-SHA1 comes from OpenSSL's libcrypto.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <string.h>

#include "totp_code.h"

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Value of one base32 character, either case, or -1. */
static int b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

size_t totp_b32_len(size_t n, int pad)
{
    return pad ? (n + 4) / 5 * 8 : (n * 8 + 4) / 5;
}

int totp_b32_encode(const uint8_t *in, size_t n, int pad, char *out, size_t outsz)
{
    size_t need = totp_b32_len(n, pad), o = 0;
    if (outsz == 0)
        return -1;
    out[0] = '\0';
    if (need >= outsz)
        return -1;
    uint32_t acc = 0;   /* at most 12 pending bits: 4 left over plus a byte */
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8 | in[i]) & 0xfffu;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32_alphabet[(acc >> bits) & 31];
        }
    }
    if (bits > 0)
        out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
    while (o < need)
        out[o++] = '=';
    out[o] = '\0';
    return 0;
}

int totp_b32_decode(const char *in, size_t len, uint8_t *out, size_t outsz, size_t *outlen)
{
    size_t data = len, o = 0;
    while (data > 0 && in[data - 1] == '=')
        data--;
    /* the tail of an 8-character group holds 2, 4, 5 or 7 characters */
    size_t tail = data % 8;
    if (tail == 1 || tail == 3 || tail == 6)
        return -1;
    if (data < len && len % 8 != 0)   /* padded, but not to a whole group */
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data; i++) {
        int v = b32_value(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 5 | (uint32_t)v) & 0x1fffu;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (o == outsz)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if ((acc & ((1u << bits) - 1)) != 0)
        return -1;
    *outlen = o;
    return 0;
}

int totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits, uint32_t *code)
{
    static const uint32_t pow10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                      100000000, 1000000000 };
    uint8_t msg[8], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (digits < 1 || digits > TOTP_DIGITS_MAX || keylen > INT32_MAX)
        return -1;
    for (int i = 7; i >= 0; i--) {   /* the counter goes in big endian */
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), md, &mdlen) == NULL || mdlen < 20)
        return -1;
    unsigned off = md[mdlen - 1] & 0x0f;
    uint32_t bin = (uint32_t)(md[off] & 0x7f) << 24 | (uint32_t)md[off + 1] << 16 |
                   (uint32_t)md[off + 2] << 8 | md[off + 3];
    *code = bin % pow10[digits];
    return 0;
}

int64_t totp_step(int64_t unix_seconds, int period)
{
    int64_t q = unix_seconds / period;
    if (unix_seconds % period < 0)
        q--;
    return q;
}

int totp_format(uint32_t code, int digits, char *out, size_t outsz)
{
    if (digits < 1 || digits > TOTP_DIGITS_MAX || outsz <= (size_t)digits)
        return -1;
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (char)('0' + code % 10);
        code /= 10;
    }
    out[digits] = '\0';
    return 0;
}
