/*
 * tests/unit/http_fx.c — see http_fx.h.
 */
#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jutsu/frontend.h"
#include "auth/auth.h"
#include "host/app.h"
#include "http_fx.h"

static int64_t clock_s = 1736456400;   /* 2025-01-09T21:00:00Z */

void hfx_clock_set(int64_t s) { __atomic_store_n(&clock_s, s, __ATOMIC_SEQ_CST); }
int64_t hfx_clock_get(void) { return __atomic_load_n(&clock_s, __ATOMIC_SEQ_CST); }

static jutsu_time_t fx_clock(void *arg)
{
    (void)arg;
    return (jutsu_time_t)hfx_clock_get() * 1000000;
}

void hfx_open(struct hfx *h, int i, const char *extra_http)
{
    hfx_open_with(h, i, extra_http, NULL, NULL);
}

void hfx_open_with(struct hfx *h, int i, const char *extra_http, const char *top,
                   const char *plugins)
{
    char *yaml = NULL;
    char *dir = tu_tmpdir();
    memset(h, 0, sizeof(*h));
    hfx_clock_set(1736456400);
    ck_assert_int_gt(asprintf(&yaml,
             "%s"
             "auth:\n  secret_key_file: %s/jutsu.key\n"
             "plugins:\n"
             "  - name: password\n    plugin: auth-password\n"
             "    config: {opslimit: 1, memlimit_kib: 8192}\n"
             "  - name: totp\n    plugin: auth-totp\n"
             "  - name: passkey\n    plugin: auth-passkey\n"
             "    config: {rp_id: localhost, origins: [\"http://localhost:8080\"]}\n"
             "%s"
             "  - name: http\n    plugin: frontend-http\n"
             "    config:\n%s%s%s",
             top ? top : "", dir, plugins ? plugins : "",
             extra_http && strstr(extra_http, "listen:") ? ""
                                                          : "      listen: \"127.0.0.1:0\"\n",
             /* each worker keeps a connection of testdb's pool of 16
              * (fe_db.c), sign-in checks borrow others, the test and the
              * engine's runs hold theirs: 4 workers leave room for all */
             extra_http && strstr(extra_http, "threads:") ? "" : "      threads: 4\n",
             extra_http ? extra_http : ""), 0);
    h->dir = dir;
    tdb_open_with(&h->t, i, 1, yaml);
    free(yaml);
    if (h->t.skipped)
        return;
    h->t.app->clock = fx_clock;
    struct jutsu_ctx *c = jutsu_app_find(h->t.app, "http");
    ck_assert_ptr_nonnull(c);
    const struct jutsu_frontend_ops *ops = jutsu_ctx_frontend(c);
    ck_assert_ptr_nonnull(ops);
    snprintf(h->base, sizeof(h->base), "%s", ops->endpoint(c->state));
    if (strncmp(h->base, "https://", 8) == 0)
        snprintf(h->cafile, sizeof(h->cafile), "%s/tests/fixtures/tls/cert.pem",
                 tu_source_dir());
    const char *colon = strrchr(h->base, ':');
    h->port = atoi(colon + 1);
    ck_assert_int_gt(h->port, 0);
}

void hfx_close(struct hfx *h)
{
    tdb_close(&h->t);
    tu_rmtree(h->dir);
    free(h->dir);
}

int64_t hfx_user(struct hfx *h, const char *name, const char *role, const char *password)
{
    json_object *out = NULL;
    int64_t id = 0;
    int rc = jutsu_auth_user_create(h->t.app->auth, name, password, role, NULL, "test", &id, &out);
    ck_assert_msg(rc == 0, "user_create %s: %s", name, json_object_to_json_string(out));
    json_object_put(out);
    return id;
}

struct buf {
    char  *p;
    size_t n;
};

static size_t on_data(char *p, size_t sz, size_t n, void *arg)
{
    struct buf *b = arg;
    size_t len = sz * n;
    char *q = realloc(b->p, b->n + len + 1);
    ck_assert_ptr_nonnull(q);
    memcpy(q + b->n, p, len);
    b->p = q;
    b->n += len;
    b->p[b->n] = '\0';
    return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
    char *h = arg;
    size_t have = strlen(h), len = sz * n;
    if (have + len < 8191) {
        memcpy(h + have, p, len);
        h[have + len] = '\0';
    }
    return len;
}

void hfx_req(struct hfx *h, const char *method, const char *path, const char *token,
             const char *body, const char *header, struct hres *out)
{
    char url[1200], auth[2200];
    struct buf b = { 0 };
    struct curl_slist *hdr = NULL;
    memset(out, 0, sizeof(*out));
    CURL *c = curl_easy_init();
    ck_assert_ptr_nonnull(c);
    snprintf(url, sizeof(url), "%s%s", h->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out->headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (h->cafile[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, h->cafile);
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        hdr = curl_slist_append(hdr, auth);
    }
    if (header)
        hdr = curl_slist_append(hdr, header);
    if (body) {
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (header == NULL || strncasecmp(header, "Expect:", 7) != 0)
        hdr = curl_slist_append(hdr, "Expect:");   /* no 100-continue round trip */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    CURLcode rc = curl_easy_perform(c);
    ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    out->body = b.p ? b.p : strdup("");
    out->len = b.n;
    out->json = json_tokener_parse(out->body);
}

void hres_free(struct hres *r)
{
    json_object_put(r->json);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

const char *hres_str(const struct hres *r, const char *key)
{
    json_object *v;
    if (r->json && json_object_object_get_ex(r->json, key, &v))
        return json_object_get_string(v);
    return "";
}

const char *hres_code(const struct hres *r)
{
    json_object *e, *c;
    if (r->json && json_object_object_get_ex(r->json, "error", &e) &&
        json_object_object_get_ex(e, "code", &c))
        return json_object_get_string(c);
    return "";
}

void hfx_login(struct hfx *h, const char *user, const char *password, char *access,
               size_t asz, char *refresh, size_t rsz)
{
    char body[512];
    struct hres r;
    snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": \"%s\"}", user, password);
    hfx_req(h, "POST", "/api/auth/login", NULL, body, NULL, &r);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", user, r.status, r.body);
    snprintf(access, asz, "%s", hres_str(&r, "access_token"));
    if (refresh)
        snprintf(refresh, rsz, "%s", hres_str(&r, "refresh_token"));
    hres_free(&r);
}
