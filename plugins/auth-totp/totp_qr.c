/*
 * plugins/auth-totp/totp_qr.c — see totp_qr.h.
 */
#include <qrencode.h>
#include <sodium.h>
#include <stdlib.h>

#include "jutsu/json.h"
#include "totp_qr.h"

/* One row of the matrix as '0'/'1'; NULL when out of memory. libqrencode
 * sets bit 0 of a module's byte when it is dark (the other bits say what
 * the module is part of). */
static json_object *row_json(const unsigned char *mod, int n)
{
    char *s = malloc((size_t)n + 1);
    if (s == NULL)
        return NULL;
    for (int x = 0; x < n; x++)
        s[x] = (mod[x] & 1) ? '1' : '0';
    s[n] = '\0';
    json_object *o = json_object_new_string_len(s, n);
    sodium_memzero(s, (size_t)n);
    free(s);
    return o;
}

json_object *totp_qr_json(const char *text)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (qr == NULL)
        return NULL;
    int n = qr->width;
    json_object *o = json_object_new_object(), *rows = json_object_new_array_ext(n);
    int ok = o != NULL && rows != NULL;
    for (int y = 0; ok && y < n; y++) {
        json_object *r = row_json(qr->data + (size_t)y * (size_t)n, n);
        if (r == NULL || json_object_array_add(rows, r) != 0) {
            json_object_put(r);
            ok = 0;
        }
    }
    sodium_memzero(qr->data, (size_t)n * (size_t)n);
    if (ok) {
        /* jutsu_json_add takes rows' reference, added or not */
        ok = jutsu_json_add(o, "rows", rows) == 0 &&
             jutsu_json_add(o, "version", json_object_new_int(qr->version)) == 0 &&
             jutsu_json_add(o, "size", json_object_new_int(n)) == 0;
        rows = NULL;
    }
    QRcode_free(qr);
    if (!ok) {
        json_object_put(rows);
        json_object_put(o);
        return NULL;
    }
    return o;
}
