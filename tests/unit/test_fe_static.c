/*
 * tests/unit/test_fe_static.c — the dashboard's files as frontend-http
 * serves them (fe_static.c), over a raw socket so that a path reaches the
 * server exactly as written (libcurl would resolve the dots): exact files,
 * page URLs answered with index.html, ETag and 304, gzip, HEAD, and every
 * traversal attempt a miss. SQLite only: no database is read here.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_fx.h"
#include "testutil.h"

struct raw {
    int    status;
    char   head[4096];
    char  *body;       /* malloc'd, NUL-terminated */
    size_t len;
};

/* One request on its own connection ("Connection: close"), read to the end. */
static void raw_get(struct hfx *h, const char *method, const char *path, const char *extra,
                    struct raw *out)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)h->port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    size_t qn = strlen(path) + 256 + (extra ? strlen(extra) : 0);
    char *q = malloc(qn);
    ck_assert_ptr_nonnull(q);
    int n = snprintf(q, qn, "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n",
                     method, path, extra ? extra : "");
    ck_assert_int_eq(write(fd, q, (size_t)n), n);
    free(q);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        if (len + 4096 > cap) {
            cap *= 2;
            ck_assert_ptr_nonnull(buf = realloc(buf, cap));
        }
        ssize_t got = read(fd, buf + len, cap - len - 1);
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    ck_assert_msg(end != NULL, "no answer to %s %.60s", method, path);
    size_t hl = (size_t)(end - buf);
    ck_assert_uint_lt(hl, sizeof(out->head));
    memcpy(out->head, buf, hl);
    out->head[hl] = '\0';
    out->status = atoi(buf + 9);
    out->len = len - hl - 4;
    ck_assert_ptr_nonnull(out->body = malloc(out->len + 1));
    memcpy(out->body, end + 4, out->len);
    out->body[out->len] = '\0';
    free(buf);
}

/* A header's value (case-insensitive name), copied into val; 0 if absent. */
static int header(const struct raw *r, const char *name, char *val, size_t vsz)
{
    size_t nl = strlen(name);
    for (const char *p = strstr(r->head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
            const char *v = p + 3 + nl;
            while (*v == ' ')
                v++;
            size_t n = strcspn(v, "\r");
            snprintf(val, vsz, "%.*s", (int)n, v);
            return 1;
        }
    }
    return 0;
}

static struct hfx h;
static struct raw index_page;

/* Each test: the server (SQLite), and the page every page URL must be. */
static void up(void)
{
    hfx_open(&h, 0, "");
    raw_get(&h, "GET", "/", NULL, &index_page);
}

static void down(void)
{
    free(index_page.body);
    hfx_close(&h);
}

START_TEST(t_files_and_pages)
{
    struct raw r;
    char v[256];
    ck_assert_int_eq(index_page.status, 200);
    ck_assert_ptr_nonnull(strstr(index_page.body, "<main id=\"main\""));
    ck_assert(header(&index_page, "Content-Type", v, sizeof(v)));
    ck_assert_str_eq(v, "text/html; charset=utf-8");
    ck_assert(header(&index_page, "Cache-Control", v, sizeof(v)));
    ck_assert_str_eq(v, "no-cache");
    ck_assert(header(&index_page, "Content-Security-Policy", v, sizeof(v)));
    ck_assert_ptr_nonnull(strstr(v, "script-src 'self'"));
    /* every page URL is the same page, so a shared link works */
    static const char *const pages[] = { "/login", "/settings", "/market-data", "/users",
                                         "/invite/mLbI-_x9", "/index.html", NULL };
    for (int i = 0; pages[i]; i++) {
        raw_get(&h, "GET", pages[i], NULL, &r);
        ck_assert_msg(r.status == 200 && r.len == index_page.len &&
                      memcmp(r.body, index_page.body, r.len) == 0, "%s", pages[i]);
        free(r.body);
    }
    raw_get(&h, "GET", "/js/api.js", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert(header(&r, "Content-Type", v, sizeof(v)));
    ck_assert_str_eq(v, "text/javascript; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(r.body, "access token"));
    free(r.body);
    raw_get(&h, "GET", "/vendor/uPlot.esm.js", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_gt(r.len, 50000);
    free(r.body);
    /* HEAD: the headers, no body */
    raw_get(&h, "HEAD", "/css/app.css", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.len, 0);
    free(r.body);
    /* the API keeps its own answers */
    raw_get(&h, "GET", "/api/nope", NULL, &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_nonnull(strstr(r.body, "no_route"));
    free(r.body);
    raw_get(&h, "POST", "/login", "Content-Length: 0\r\n", &r);
    ck_assert_int_eq(r.status, 404);
    free(r.body);
}
END_TEST

START_TEST(t_etag_and_gzip)
{
    struct raw r, z;
    char tag[128], ztag[128], v[256], inm[200];
    raw_get(&h, "GET", "/js/app.js", NULL, &r);
    ck_assert(header(&r, "ETag", tag, sizeof(tag)));
    ck_assert_uint_eq(strlen(tag), 34);
    snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n", tag);
    free(r.body);
    raw_get(&h, "GET", "/js/app.js", inm, &r);
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.len, 0);
    free(r.body);
    raw_get(&h, "GET", "/js/app.js", "Accept-Encoding: gzip\r\n", &z);
    ck_assert_int_eq(z.status, 200);
    ck_assert(header(&z, "Content-Encoding", v, sizeof(v)));
    ck_assert_str_eq(v, "gzip");
    ck_assert(header(&z, "ETag", ztag, sizeof(ztag)));
    ck_assert_ptr_nonnull(strstr(ztag, "-gz\""));
    ck_assert((unsigned char)z.body[0] == 0x1f && (unsigned char)z.body[1] == 0x8b);
    free(z.body);
    /* either tag revalidates either representation */
    snprintf(inm, sizeof(inm), "If-None-Match: %s\r\nAccept-Encoding: gzip\r\n", ztag);
    raw_get(&h, "GET", "/js/app.js", inm, &r);
    ck_assert_int_eq(r.status, 304);
    free(r.body);
}
END_TEST

/* Nothing but the table can be served: each of these is a miss, or (for a
 * page URL) the page itself. */
START_TEST(t_traversal)
{
    static const char *const evil[] = {
        "/../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E/%2e%2e/etc/passwd",
        "//etc/passwd", "/js/../../etc/passwd", "/js/..%2f..%2fetc/passwd",
        "/js/api.js%00.txt", "/%00", "/index.html%00", "/login%00", "/js/%00/../api.js",
        "/invite/..%2f..%2fetc%2fpasswd", "/css//app.css", "/js/app.js/", "/./index.html",
        "/.git/config", "/node_modules/uplot/package.json", "/web/index.html",
        "/CMakeLists.txt", "/etc/passwd", "/js/api.js?x=/../../etc/passwd", "/js\\api.js",
        NULL,
    };
    struct raw r;
    char *longp = malloc(70000);
    ck_assert_ptr_nonnull(longp);
    for (int i = 0; evil[i]; i++) {
        raw_get(&h, "GET", evil[i], NULL, &r);
        int page = r.status == 200 && r.len == index_page.len &&
                   memcmp(r.body, index_page.body, r.len) == 0;
        /* a query string is not part of the path: api.js itself is right there */
        int query = strchr(evil[i], '?') != NULL && r.status == 200 &&
                    strstr(r.body, "access token") != NULL;
        ck_assert_msg(r.status == 404 || r.status == 400 || page || query,
                      "GET %s answered %d (%zu bytes)", evil[i], r.status, r.len);
        ck_assert_msg(strstr(r.body, "root:") == NULL, "%s", evil[i]);
        free(r.body);
    }
    /* overlong: 414 from the server, or libmicrohttpd's 431 */
    longp[0] = '/';
    memset(longp + 1, 'a', 1500);
    longp[1501] = '\0';
    raw_get(&h, "GET", longp, NULL, &r);
    ck_assert_msg(r.status == 414 || r.status == 431 || r.status == 404, "%d", r.status);
    free(r.body);
    for (int i = 0; i < 20000; i++)
        memcpy(longp + 1 + 3 * i, "../", 3);
    longp[60001] = '\0';
    raw_get(&h, "GET", longp, NULL, &r);
    ck_assert_msg(r.status == 414 || r.status == 431 || r.status == 404, "%d", r.status);
    free(r.body);
    free(longp);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fe_static");
    TCase *tc = tcase_create("static");
    tcase_add_checked_fixture(tc, up, down);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, t_files_and_pages);
    tcase_add_test(tc, t_etag_and_gzip);
    tcase_add_test(tc, t_traversal);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
