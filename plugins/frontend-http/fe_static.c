/*
 * plugins/frontend-http/fe_static.c — the dashboard's files (docs/dashboard.md).
 *
 * web/ and uPlot are embedded in the plugin at build time (fe_assets.h). A
 * GET or HEAD of a path outside /api/ gets the table entry of exactly that
 * path; else one of the dashboard's page URLs gets index.html, so a shared
 * link or the back button lands on its page; else the router answers (404).
 * No file is opened at run time: a path is only ever compared with the
 * table's strings, so "..", "%2e%2e" (decoded before we see it), "//" or
 * "%00" (left as text by fe_unescape, so it cannot cut a path short) can
 * only miss.
 *
 * Text files are gzipped once at start (level 9) and the gzip kept when it
 * is smaller; a client that takes gzip gets it. Each file has a strong ETag
 * (its SHA-256, "-gz" for the gzip), If-None-Match gives 304, and
 * Cache-Control is no-cache: the browser keeps the file but asks each time,
 * so a new build is seen at once for the cost of a 304.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "fe.h"
#include "fe_assets.h"

#define GZIP_MIN 256   /* smaller files gain nothing worth a header */

struct fe_static {
    char   **gz;       /* per asset: its gzip, or NULL */
    size_t  *gzlen;
};

/* The dashboard's pages (web/js/router.js has the same list): each gets
 * index.html. /invite/TOKEN is matched apart. */
static const char *const pages[] = {
    "/", "/login", "/performance", "/trades", "/backtest", "/market-data", "/config",
    "/operations", "/settings", "/users", NULL,
};

static int compressible(const char *ctype)
{
    return strncmp(ctype, "text/", 5) == 0 || strstr(ctype, "json") != NULL ||
           strstr(ctype, "svg") != NULL;
}

int fe_static_start(struct fe *fe)
{
    struct fe_static *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->gz = calloc(fe_assets_n, sizeof(char *))) == NULL ||
        (s->gzlen = calloc(fe_assets_n, sizeof(size_t))) == NULL) {
        if (s)
            free(s->gz);
        free(s);
        return JUTSU_ENOMEM;
    }
    for (size_t i = 0; i < fe_assets_n; i++) {
        const struct fe_asset *a = &fe_assets[i];
        if (a->len < GZIP_MIN || !compressible(a->ctype))
            continue;
        /* no gzip (out of memory, or no gain) only costs bytes on the wire */
        s->gz[i] = fe_gzip((const char *)a->data, a->len, 9, &s->gzlen[i]);
        if (s->gz[i] != NULL && s->gzlen[i] >= a->len) {
            free(s->gz[i]);
            s->gz[i] = NULL;
        }
    }
    fe->statics = s;
    return 0;
}

void fe_static_stop(struct fe *fe)
{
    struct fe_static *s = fe->statics;
    if (s == NULL)
        return;
    for (size_t i = 0; i < fe_assets_n; i++)
        free(s->gz[i]);
    free(s->gz);
    free(s->gzlen);
    free(s);
    fe->statics = NULL;
}

/* An invitation's token: base64url, as core/auth makes them. */
static int is_invite(const char *p)
{
    if (strncmp(p, "/invite/", 8) != 0)
        return 0;
    p += 8;
    size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    return n > 0 && n <= 64 && p[n] == '\0';
}

static int is_page(const char *p)
{
    for (int i = 0; pages[i]; i++)
        if (strcmp(p, pages[i]) == 0)
            return 1;
    return is_invite(p);
}

static long find(const char *path)
{
    for (size_t i = 0; i < fe_assets_n; i++)
        if (strcmp(fe_assets[i].path, path) == 0)
            return (long)i;
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t fe_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    char *w = s;
    int hi, lo;
    (void)cls;
    (void)c;
    for (const char *p = s; *p;) {
        if (p[0] == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0 &&
            (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            p += 3;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

int fe_static_serve(struct fe_req *r)
{
    const char *p = r->path;
    if ((strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) ||
        strcmp(p, "/api") == 0 || strncmp(p, "/api/", 5) == 0 || r->fe->statics == NULL)
        return -1;
    long i = find(p);
    if (i < 0 && is_page(p))
        i = find("/index.html");
    if (i < 0)
        return -1;
    const struct fe_asset *a = &fe_assets[i];
    struct fe_static *s = r->fe->statics;
    char etag[FE_ETAG_MAX + 4];
    const void *body = a->data;
    size_t len = a->len;
    int gz = 0;
    snprintf(etag, sizeof(etag), "%s", a->etag);
    r->status = 200;
    if (fe_none_match(r, a->etag)) {
        r->status = 304;
        body = "";
        len = 0;
    } else if (s->gz[i] != NULL && r->fe->gzip && fe_takes_gzip(r)) {
        body = s->gz[i];
        len = s->gzlen[i];
        gz = 1;
        snprintf(etag + strlen(etag) - 1, 5, "-gz\"");
    }
    /* the bytes outlive the response: static data, or freed after the server stopped */
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body,
                                                                MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    if (r->status == 200)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (gz)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    return fe_queue(r, resp, "no-cache", len);
}
