/*
 * plugins/auth-totp/totp_qr.h — the otpauth:// URI as a QR code's modules,
 * so that the dashboard can draw the code an authenticator app scans
 * (libqrencode makes the matrix; the page only paints it).
 *
 * Private to auth-totp. Reentrant: libqrencode keeps no state between calls.
 */
#ifndef JUTSU_TOTP_QR_H
#define JUTSU_TOTP_QR_H

#include <json-c/json.h>

/* {"version": V, "size": N, "rows": [N strings of N '0'/'1']} for `text`
 * (8-bit mode, error correction level M, the smallest version that holds
 * it); '1' is a dark module; no quiet zone (the page draws it). NULL on
 * error (out of memory, or text too long for any version), errno set by
 * libqrencode. The matrix holds the secret: its buffer is wiped. */
json_object *totp_qr_json(const char *text);

#endif
