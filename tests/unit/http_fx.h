/*
 * tests/unit/http_fx.h — a served app and a libcurl client, for the tests
 * of frontend-http: real HTTP over loopback to the real plugin, on a real
 * SQLite file or PostgreSQL database.
 */
#ifndef JUTSU_TEST_HTTP_FX_H
#define JUTSU_TEST_HTTP_FX_H

#include <json-c/json.h>
#include <stddef.h>

#include "testdb.h"

struct hfx {
    struct tdb t;
    char       base[128];       /* "http://127.0.0.1:PORT" */
    int        port;
    char      *dir;             /* the key file's */
    char       cafile[512];     /* https: the certificate to trust */
};

struct hres {
    long         status;
    char        *body;          /* NUL-terminated */
    size_t       len;
    json_object *json;          /* parsed body, or NULL */
    char         headers[8192]; /* raw response headers */
};

/* The clock every test here runs on (settable: http_fx_clock_set). */
void hfx_clock_set(int64_t unix_seconds);
int64_t hfx_clock_get(void);

/* Backend i, with auth-password (cheap Argon2id), auth-totp, auth-passkey
 * (rp_id localhost, origin http://localhost:8080) and
 * frontend-http on 127.0.0.1:0 with 1 thread; `extra_http` is more YAML
 * for the frontend's config map ("" for none; a `listen:` or `threads:` in
 * it replaces the default). */
void hfx_open(struct hfx *h, int i, const char *extra_http);
/* The same with more of the config: `top` is YAML put before the rest
 * (sections: sync:, eod:, plugin_path:), `plugins` more items of the
 * plugins: list ("  - {name: ..., plugin: ...}\n" lines); NULL for none. */
void hfx_open_with(struct hfx *h, int i, const char *extra_http, const char *top,
                   const char *plugins);
void hfx_close(struct hfx *h);
/* Creates a user through the host's sessions engine (the CLI's path). */
int64_t hfx_user(struct hfx *h, const char *name, const char *role, const char *password);

/* One request. `token` NULL: no Authorization; `body` NULL: none.
 * `header` one extra raw header line or NULL. */
void hfx_req(struct hfx *h, const char *method, const char *path, const char *token,
             const char *body, const char *header, struct hres *out);
void hres_free(struct hres *r);
/* A member of the JSON answer as a string ("" if absent). */
const char *hres_str(const struct hres *r, const char *key);
/* The error code of an error answer ("" if none). */
const char *hres_code(const struct hres *r);
/* Logs in; returns the access token (static buffer per call site: copy). */
void hfx_login(struct hfx *h, const char *user, const char *password, char *access,
               size_t asz, char *refresh, size_t rsz);

#endif
