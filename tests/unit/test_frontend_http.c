/*
 * tests/unit/test_frontend_http.c — frontend-http and the host's sessions
 * over real HTTP on loopback (libcurl), on SQLite and on PostgreSQL:
 * login and lockout, the role matrix over every declared route, token
 * tampering, refresh rotation and reuse, limits, TOTP with an independent
 * generator (oathtool), legacy bcrypt hashes, invitations.
 */
#include <arpa/inet.h>
#include <check.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "authn_fx.h"
#include "bus/bus.h"
#include "store/data_api.h"
#include "http_fx.h"

#define PW_ADMIN  "orange-kettle-sunrise-42"
#define PW_VIEWER "maple-harbor-lantern-17"

static void setup_users(struct hfx *h, char *admin, size_t asz, char *viewer, size_t vsz)
{
    hfx_user(h, "ada", "admin", PW_ADMIN);
    hfx_user(h, "vic", "viewer", PW_VIEWER);
    hfx_login(h, "ada", PW_ADMIN, admin, asz, NULL, 0);
    hfx_login(h, "vic", PW_VIEWER, viewer, vsz, NULL, 0);
}

START_TEST(t_login_me_lockout)
{
    struct hfx h;
    struct hres r;
    char tok[2048], body[256];
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    hfx_user(&h, "ada", "admin", PW_ADMIN);
    hfx_login(&h, "ada", PW_ADMIN, tok, sizeof(tok), NULL, 0);
    hfx_req(&h, "GET", "/api/auth/me", tok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(hres_str(&r, "username"), "ada");
    ck_assert_str_eq(hres_str(&r, "role"), "admin");
    ck_assert_str_eq(hres_str(&r, "totp_enabled"), "false");
    ck_assert_ptr_null(strstr(r.body, "password"));
    hres_free(&r);
    /* an unknown user and a wrong password look the same */
    hfx_req(&h, "POST", "/api/auth/login", NULL, "{\"username\":\"nobody\",\"password\":\"x\"}",
            NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ck_assert_str_eq(hres_code(&r), "bad_credentials");
    char unknown[256];
    snprintf(unknown, sizeof(unknown), "%s", r.body);
    hres_free(&r);
    snprintf(body, sizeof(body), "{\"username\":\"ada\",\"password\":\"wrong-password-1\"}");
    for (int k = 1; k <= 10; k++) {
        hfx_req(&h, "POST", "/api/auth/login", NULL, body, NULL, &r);
        if (k < 10) {
            ck_assert_int_eq(r.status, 401);
            ck_assert_str_eq(r.body, unknown);
        } else {
            ck_assert_msg(r.status == 423, "10th failure: %ld %s", r.status, r.body);
            ck_assert_str_eq(hres_code(&r), "locked");
            ck_assert_str_eq(hres_str(&r, "locked_until"), "2025-01-09T21:30:00Z");
        }
        hres_free(&r);
    }
    /* the right password is refused while locked, and says until when */
    snprintf(body, sizeof(body), "{\"username\":\"ada\",\"password\":\"%s\"}", PW_ADMIN);
    hfx_req(&h, "POST", "/api/auth/login", NULL, body, NULL, &r);
    ck_assert_int_eq(r.status, 423);
    ck_assert_ptr_nonnull(strstr(r.body, "2025-01-09T21:30:00Z"));
    hres_free(&r);
    /* a token issued before the lock still works: lockout is about logins */
    hfx_req(&h, "GET", "/api/auth/me", tok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(hres_str(&r, "locked_until"), "2025-01-09T21:30:00Z");
    hres_free(&r);
    /* 30 minutes later it opens again */
    hfx_clock_set(hfx_clock_get() + 30 * 60);
    hfx_req(&h, "POST", "/api/auth/login", NULL, body, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    hfx_close(&h);
}
END_TEST

/* Every declared route, from the OpenAPI document, with {params} filled. */
struct route { char method[8]; char path[256]; char perm[16]; };

static int routes_of(struct hfx *h, struct route *out, int max)
{
    struct hres r;
    int n = 0;
    hfx_req(h, "GET", "/api/openapi.json", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(hres_str(&r, "openapi"), "3.1.0");
    json_object *paths;
    ck_assert(json_object_object_get_ex(r.json, "paths", &paths));
    json_object_object_foreach(paths, pattern, item) {
        json_object_object_foreach(item, method, op) {
            json_object *perm;
            ck_assert_int_lt(n, max);
            ck_assert(json_object_object_get_ex(op, "x-permission", &perm));
            struct route *rt = &out[n++];
            size_t k;
            for (k = 0; method[k] && k < sizeof(rt->method) - 1; k++)
                rt->method[k] = (char)(method[k] & ~0x20);
            rt->method[k] = '\0';
            snprintf(rt->perm, sizeof(rt->perm), "%s", json_object_get_string(perm));
            /* {id} -> 999999, {token} -> a token that does not exist */
            char *o = rt->path;
            for (const char *p = pattern; *p;) {
                if (*p == '{') {
                    const char *e = strchr(p, '}');
                    o += sprintf(o, "%s", strncmp(p, "{id}", 4) == 0 ? "999999" : "nosuchtoken");
                    p = e + 1;
                } else {
                    *o++ = *p++;
                }
            }
            *o = '\0';
        }
    }
    hres_free(&r);
    return n;
}

START_TEST(t_role_matrix)
{
    struct hfx h;
    struct hres r;
    struct route rt[128];
    char admin[2048], viewer[2048];
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    setup_users(&h, admin, sizeof(admin), viewer, sizeof(viewer));
    int n = routes_of(&h, rt, 128), nusers = 0, ncontrol = 0, npublic = 0;
    ck_assert_int_ge(n, 25);
    for (int i = 0; i < n; i++) {
        /* logout would end the session the walk uses: it is walked last, below */
        if (strcmp(rt[i].path, "/api/auth/logout") == 0)
            continue;
        const char *body = strcmp(rt[i].method, "GET") && strcmp(rt[i].method, "DELETE")
                           ? "{}" : NULL;
        int pub = strcmp(rt[i].perm, "public") == 0;
        npublic += pub;
        hfx_req(&h, rt[i].method, rt[i].path, NULL, body, NULL, &r);
        /* a public route may still refuse what the body carries (a bad refresh
         * token: 401 bad_token), never for want of a signed-in user */
        ck_assert_msg(pub ? r.status != 403 && strcmp(hres_code(&r), "unauthenticated") != 0
                          : r.status == 401 && strcmp(hres_code(&r), "unauthenticated") == 0,
                      "anonymous %s %s: %ld %s", rt[i].method, rt[i].path, r.status, r.body);
        ck_assert_str_ne(hres_code(&r), "no_route");
        hres_free(&r);
        /* a signed-in GET /api/events is a stream that does not end: it would
         * hang hfx_req. Its roles (viewer 200, auth.* for admins only) are
         * tested with a streaming client in test_rest_live.c */
        if (strcmp(rt[i].path, "/api/events") == 0)
            continue;
        hfx_req(&h, rt[i].method, rt[i].path, viewer, body, NULL, &r);
        if (strcmp(rt[i].perm, "users") == 0 || strcmp(rt[i].perm, "control") == 0) {
            nusers += rt[i].perm[0] == 'u';
            ncontrol += rt[i].perm[0] == 'c';
            ck_assert_msg(r.status == 403, "viewer %s %s: %ld", rt[i].method, rt[i].path,
                          r.status);
            ck_assert_str_eq(hres_code(&r), "forbidden");
        } else {
            ck_assert_msg(r.status != 403 && (pub || r.status != 401), "viewer %s %s: %ld %s",
                          rt[i].method, rt[i].path, r.status, r.body);
        }
        hres_free(&r);
        hfx_req(&h, rt[i].method, rt[i].path, admin, body, NULL, &r);
        ck_assert_msg(r.status != 403 && r.status != 405 && (pub || r.status != 401),
                      "admin %s %s: %ld %s", rt[i].method, rt[i].path, r.status, r.body);
        ck_assert_str_ne(hres_code(&r), "no_route");
        hres_free(&r);
    }
    ck_assert_int_eq(nusers, 5);
    ck_assert_int_eq(ncontrol, 8);
    ck_assert_int_ge(npublic, 8);
    /* the admin routes with real arguments: 2xx */
    hfx_req(&h, "GET", "/api/users", admin, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq((int)json_object_array_length(r.json), 2);
    hres_free(&r);
    hfx_req(&h, "POST", "/api/users/invite", admin, "{\"role\":\"viewer\"}", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    hfx_req(&h, "GET", "/api/users/2", admin, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(hres_str(&r, "username"), "vic");
    hres_free(&r);
    hfx_req(&h, "PUT", "/api/users/2", admin, "{\"role\":\"admin\"}", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(hres_str(&r, "role"), "admin");
    hres_free(&r);
    /* the role change applies to the viewer's next request, same token */
    hfx_req(&h, "GET", "/api/users", viewer, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    hfx_req(&h, "PUT", "/api/users/1", admin, "{\"is_active\":false}", NULL, &r);
    ck_assert_int_eq(r.status, 409);   /* not yourself */
    hres_free(&r);
    hfx_req(&h, "DELETE", "/api/users/2", admin, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    hfx_req(&h, "GET", "/api/auth/me", viewer, NULL, NULL, &r);   /* deleted: its token dies */
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    hfx_req(&h, "POST", "/api/auth/logout", admin, "{}", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.headers, "jutsu_refresh=;"));
    hres_free(&r);
    hfx_req(&h, "GET", "/api/auth/me", admin, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    hfx_close(&h);
}
END_TEST

/* base64url of `s` */
static void b64(const char *s, char *out, size_t outsz)
{
    sodium_bin2base64(out, outsz, (const unsigned char *)s, strlen(s),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static long me_status(struct hfx *h, const char *tok)
{
    struct hres r;
    hfx_req(h, "GET", "/api/auth/me", tok, NULL, NULL, &r);
    long st = r.status;
    if (st == 401)
        ck_assert_str_eq(hres_code(&r), "bad_token");
    hres_free(&r);
    return st;
}

START_TEST(t_tokens)
{
    struct hfx h;
    struct hres r;
    char tok[2048], refresh[2048], forged[4096], hdr[256], body[2300];
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    hfx_user(&h, "ada", "admin", PW_ADMIN);
    hfx_login(&h, "ada", PW_ADMIN, tok, sizeof(tok), refresh, sizeof(refresh));
    ck_assert_int_eq(me_status(&h, tok), 200);
    char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
    /* a changed signature */
    snprintf(forged, sizeof(forged), "%s", tok);
    char *last = forged + strlen(forged) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    ck_assert_int_eq(me_status(&h, forged), 401);
    /* a changed payload, signature kept */
    snprintf(forged, sizeof(forged), "%s", tok);
    forged[d1 - tok + 5] ^= 1;
    ck_assert_int_eq(me_status(&h, forged), 401);
    /* alg none: no signature at all */
    b64("{\"alg\":\"none\",\"typ\":\"JWT\"}", hdr, sizeof(hdr));
    snprintf(forged, sizeof(forged), "%s%.*s.", hdr, (int)(d2 - d1), d1);
    ck_assert_int_eq(me_status(&h, forged), 401);
    /* alg HS512, and HS256 under a key id we do not hold, the signature kept */
    b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", hdr, sizeof(hdr));
    snprintf(forged, sizeof(forged), "%s%s", hdr, d1);
    ck_assert_int_eq(me_status(&h, forged), 401);
    b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"kother\"}", hdr, sizeof(hdr));
    snprintf(forged, sizeof(forged), "%s%s", hdr, d1);
    ck_assert_int_eq(me_status(&h, forged), 401);
    /* a refresh token is not an access token */
    ck_assert_int_eq(me_status(&h, refresh), 401);
    /* garbage and oversize */
    ck_assert_int_eq(me_status(&h, "a.b.c"), 401);
    char *big = malloc(5000);
    memset(big, 'A', 4999);
    big[4999] = '\0';
    ck_assert_int_eq(me_status(&h, big), 401);
    free(big);

    /* refresh rotates; the old refresh token used again ends the whole login */
    snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh);
    hfx_req(&h, "POST", "/api/auth/refresh", NULL, body, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    char tok2[2048], refresh2[2048];
    snprintf(tok2, sizeof(tok2), "%s", hres_str(&r, "access_token"));
    snprintf(refresh2, sizeof(refresh2), "%s", hres_str(&r, "refresh_token"));
    ck_assert_str_ne(refresh2, refresh);
    hres_free(&r);
    ck_assert_int_eq(me_status(&h, tok2), 200);
    hfx_req(&h, "POST", "/api/auth/refresh", NULL, body, NULL, &r);   /* reuse */
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    ck_assert_int_eq(me_status(&h, tok2), 401);     /* the family is revoked */
    ck_assert_int_eq(me_status(&h, tok), 401);
    snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh2);
    hfx_req(&h, "POST", "/api/auth/refresh", NULL, body, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);

    /* the cookie works as well as the body */
    hfx_login(&h, "ada", PW_ADMIN, tok, sizeof(tok), refresh, sizeof(refresh));
    char cookie[2300];
    snprintf(cookie, sizeof(cookie), "Cookie: jutsu_refresh=%s", refresh);
    hfx_req(&h, "POST", "/api/auth/refresh", NULL, NULL, cookie, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.headers, "HttpOnly; SameSite=Strict"));
    hres_free(&r);

    /* expiry: 15 minutes */
    hfx_login(&h, "ada", PW_ADMIN, tok, sizeof(tok), NULL, 0);
    hfx_clock_set(hfx_clock_get() + 14 * 60);
    ck_assert_int_eq(me_status(&h, tok), 200);
    hfx_clock_set(hfx_clock_get() + 61);
    ck_assert_int_eq(me_status(&h, tok), 401);

    /* logout blacklists the token */
    hfx_login(&h, "ada", PW_ADMIN, tok, sizeof(tok), NULL, 0);
    hfx_req(&h, "POST", "/api/auth/logout", tok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    ck_assert_int_eq(me_status(&h, tok), 401);

    /* a changed password ends sessions; so does disabling */
    hfx_login(&h, "ada", PW_ADMIN, tok, sizeof(tok), NULL, 0);
    hfx_req(&h, "PUT", "/api/users/me/password", tok,
            "{\"current_password\":\"wrong\",\"new_password\":\"teal-otter-canyon-88\"}", NULL,
            &r);
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    hfx_req(&h, "PUT", "/api/users/me/password", tok,
            "{\"current_password\":\"" PW_ADMIN "\",\"new_password\":\"short\"}", NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_str_eq(hres_code(&r), "weak_password");
    hres_free(&r);
    hfx_req(&h, "PUT", "/api/users/me/password", tok,
            "{\"current_password\":\"" PW_ADMIN "\",\"new_password\":\"teal-otter-canyon-88\"}",
            NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    ck_assert_int_eq(me_status(&h, tok), 401);
    hfx_login(&h, "ada", "teal-otter-canyon-88", tok, sizeof(tok), NULL, 0);
    ck_assert_int_eq(me_status(&h, tok), 200);
    struct jutsu_user_row u;
    ck_assert_int_eq(jutsu_data_user_get(h.t.s, 0, "ada", &u), 0);
    u.is_active = 0;
    ck_assert_int_eq(jutsu_data_user_update(h.t.s, &u), 0);
    ck_assert_int_eq(me_status(&h, tok), 401);
    hfx_close(&h);
}
END_TEST

/* A raw socket to the server. */
static int raw_connect(struct hfx *h)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)h->port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

/* What the server sends until it closes, or `ms` pass; the bytes read. */
static ssize_t raw_read(int fd, char *buf, size_t n, int ms)
{
    size_t got = 0;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (got + 1 < n && poll(&p, 1, ms) == 1) {
        ssize_t k = read(fd, buf + got, n - 1 - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    buf[got] = '\0';
    return (ssize_t)got;
}

/* One whole answer on a kept-alive connection (headers and
 * Content-Length bytes), waiting at most 5 s. */
static void raw_answer(int fd, char *buf, size_t n)
{
    size_t got = 0;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    buf[0] = '\0';
    while (got + 1 < n && poll(&p, 1, 5000) == 1) {
        ssize_t k = read(fd, buf + got, n - 1 - got);
        if (k <= 0)
            break;
        got += (size_t)k;
        buf[got] = '\0';
        const char *end = strstr(buf, "\r\n\r\n"), *cl = strstr(buf, "Content-Length: ");
        if (end && cl && got >= (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10))
            return;
    }
}

START_TEST(t_limits)
{
    struct hfx h;
    struct hres r;
    char buf[4096];
    hfx_open(&h, _i, "      request_timeout: 2\n      max_conn_per_ip: 8\n");
    if (h.t.skipped)
        return;
    /* a slow client: it sends half a request line and waits */
    int slow = raw_connect(&h);
    ck_assert_int_eq(write(slow, "GET /api/hea", 12), 12);
    /* a 2 MiB body: 413 before it is read, named */
    char *big = malloc(2 * 1024 * 1024 + 16);
    big[0] = '"';
    memset(big + 1, 'x', 2 * 1024 * 1024);
    strcpy(big + 1 + 2 * 1024 * 1024, "\"");
    /* as curl sends a large body: the 413 comes before the body is sent, so the
     * client reads it whatever the timing (without 100-continue a slow server's
     * early answer races the upload) */
    hfx_req(&h, "POST", "/api/auth/login", NULL, big, "Expect: 100-continue", &r);
    ck_assert_int_eq(r.status, 413);
    ck_assert_str_eq(hres_code(&r), "too_large");
    ck_assert_ptr_nonnull(strstr(r.headers, "X-Content-Type-Options: nosniff"));
    hres_free(&r);
    free(big);
    /* a 100 KiB header */
    char *hdr = malloc(100 * 1024 + 16);
    strcpy(hdr, "X-Big: ");
    memset(hdr + 7, 'y', 100 * 1024);
    hdr[7 + 100 * 1024] = '\0';
    hfx_req(&h, "GET", "/api/health", NULL, NULL, hdr, &r);
    ck_assert_msg(r.status == 431 || r.status == 413, "%ld", r.status);
    hres_free(&r);
    free(hdr);
    /* meanwhile everyone else is served */
    hfx_req(&h, "GET", "/api/health", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    /* not JSON, and JSON of the wrong shape: 400 with the place */
    hfx_req(&h, "POST", "/api/auth/login", NULL, "{\"username\": ", NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "not one JSON object"));
    hres_free(&r);
    hfx_req(&h, "POST", "/api/auth/login", NULL, "{\"username\": 5, \"password\": \"x\"}", NULL,
            &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "\\\"username\\\""));
    hres_free(&r);
    /* unknown route, wrong method */
    hfx_req(&h, "GET", "/api/nothing", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(hres_code(&r), "no_route");
    hres_free(&r);
    hfx_req(&h, "DELETE", "/api/auth/login", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 405);
    ck_assert_ptr_nonnull(strstr(r.headers, "Allow: POST"));
    hres_free(&r);
    /* no CORS unless configured */
    hfx_req(&h, "GET", "/api/health", NULL, NULL, "Origin: https://evil.example", &r);
    ck_assert_ptr_null(strstr(r.headers, "Access-Control-Allow-Origin"));
    hres_free(&r);
    /* the slow client is cut off after request_timeout; it got no answer */
    ssize_t got = raw_read(slow, buf, sizeof(buf), 5000);
    ck_assert_int_eq(got, 0);
    close(slow);
    /* connections per address, 8 allowed: opening more, one gets 429 by the 9th
     * (earlier if the server has not yet seen an earlier client's close: it
     * counts closes as it notices them), and the ones before it are served */
    int fds[9], n = 0, refused = 0;
    const char *req = "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n";
    while (n < 9 && !refused) {
        fds[n] = raw_connect(&h);
        ck_assert_int_eq(write(fds[n], req, strlen(req)), (ssize_t)strlen(req));
        raw_answer(fds[n], buf, sizeof(buf));
        if (strncmp(buf, "HTTP/1.1 429", 12) == 0) {
            refused = 1;
            ck_assert_ptr_nonnull(strstr(buf, "too_many_connections"));
        } else {
            ck_assert_msg(strncmp(buf, "HTTP/1.1 200 ", 13) == 0, "connection %d: %s", n, buf);
        }
        n++;
    }
    ck_assert_msg(refused, "9 connections from one address, none refused");
    ck_assert_int_ge(n, 2);
    /* a connection opened before the limit is still served */
    ck_assert_int_eq(write(fds[0], req, strlen(req)), (ssize_t)strlen(req));
    raw_answer(fds[0], buf, sizeof(buf));
    ck_assert_msg(strncmp(buf, "HTTP/1.1 200 ", 13) == 0, "%s", buf);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    hfx_close(&h);
}
END_TEST

struct login_arg {
    struct hfx *h;
    int         ok;
};

static void *login_thread(void *p)
{
    struct login_arg *a = p;
    char tok[2048];
    struct hres r;
    hfx_login(a->h, "ada", PW_ADMIN, tok, sizeof(tok), NULL, 0);
    hfx_req(a->h, "GET", "/api/auth/me", tok, NULL, NULL, &r);
    a->ok = r.status == 200;
    hres_free(&r);
    return NULL;
}

START_TEST(t_concurrent_logins)
{
    struct hfx h;
    pthread_t th[8];
    struct login_arg a[8];
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    hfx_user(&h, "ada", "admin", PW_ADMIN);
    for (int i = 0; i < 8; i++) {
        a[i] = (struct login_arg){ .h = &h };
        ck_assert_int_eq(pthread_create(&th[i], NULL, login_thread, &a[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        ck_assert(a[i].ok);
    }
    hfx_close(&h);
}
END_TEST

/* oathtool's code for `secret` at unix time t. */
static void oathtool(const char *secret, int64_t t, char *code)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "oathtool --totp -b '%s' --now '@%lld' 2>&1", secret,
             (long long)t);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(code, 16, p));
    code[strcspn(code, "\n")] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_int_eq((int)strlen(code), 6);
}

START_TEST(t_totp_over_api)
{
    struct hfx h;
    struct hres r;
    char tok[2048], secret[128], code[16], body[2400], chal[2048];
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    hfx_user(&h, "ada", "admin", PW_ADMIN);
    hfx_login(&h, "ada", PW_ADMIN, tok, sizeof(tok), NULL, 0);
    hfx_req(&h, "POST", "/api/2fa/setup", tok, "{}", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    snprintf(secret, sizeof(secret), "%s", hres_str(&r, "secret"));
    ck_assert_ptr_nonnull(strstr(hres_str(&r, "otpauth_uri"), "otpauth://totp/"));
    hres_free(&r);
    /* the users table never holds the secret in plain text */
    struct jutsu_user_row u;
    ck_assert_int_eq(jutsu_data_user_get(h.t.s, 0, "ada", &u), 0);
    ck_assert_ptr_nonnull(u.totp_secret);
    ck_assert_ptr_null(strstr(u.totp_secret, secret));
    ck_assert_ptr_nonnull(strchr(u.totp_secret, ':'));   /* sealed: "kid:box" */
    oathtool(secret, hfx_clock_get(), code);
    snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
    hfx_req(&h, "POST", "/api/2fa/verify", tok, body, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_object *codes;
    ck_assert(json_object_object_get_ex(r.json, "backup_codes", &codes));
    ck_assert_int_eq((int)json_object_array_length(codes), 10);
    char backup[64];
    snprintf(backup, sizeof(backup), "%s",
             json_object_get_string(json_object_array_get_idx(codes, 0)));
    hres_free(&r);
    /* now a login needs the second factor */
    snprintf(body, sizeof(body), "{\"username\":\"ada\",\"password\":\"%s\"}", PW_ADMIN);
    hfx_req(&h, "POST", "/api/auth/login", NULL, body, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(hres_str(&r, "requires_2fa"), "true");
    ck_assert_ptr_null(strstr(r.body, "access_token"));
    snprintf(chal, sizeof(chal), "%s", hres_str(&r, "challenge_token"));
    hres_free(&r);
    /* the code already used to enable it is refused a second time */
    snprintf(body, sizeof(body), "{\"challenge_token\":\"%s\",\"code\":\"%s\"}", chal, code);
    hfx_req(&h, "POST", "/api/auth/login-2fa", NULL, body, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    /* the next step's code (±1 step) is accepted, once */
    oathtool(secret, hfx_clock_get() + 30, code);
    snprintf(body, sizeof(body), "{\"challenge_token\":\"%s\",\"code\":\"%s\"}", chal, code);
    hfx_req(&h, "POST", "/api/auth/login-2fa", NULL, body, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(strlen(hres_str(&r, "access_token")) > 20);
    hres_free(&r);
    hfx_req(&h, "POST", "/api/auth/login-2fa", NULL, body, NULL, &r);   /* challenge used up */
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    /* a backup code, once */
    snprintf(body, sizeof(body), "{\"username\":\"ada\",\"password\":\"%s\"}", PW_ADMIN);
    hfx_req(&h, "POST", "/api/auth/login", NULL, body, NULL, &r);
    snprintf(chal, sizeof(chal), "%s", hres_str(&r, "challenge_token"));
    hres_free(&r);
    snprintf(body, sizeof(body), "{\"challenge_token\":\"%s\",\"code\":\"%s\"}", chal, backup);
    hfx_req(&h, "POST", "/api/auth/login-2fa", NULL, body, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    hres_free(&r);
    snprintf(body, sizeof(body), "{\"username\":\"ada\",\"password\":\"%s\"}", PW_ADMIN);
    hfx_req(&h, "POST", "/api/auth/login", NULL, body, NULL, &r);
    snprintf(chal, sizeof(chal), "%s", hres_str(&r, "challenge_token"));
    hres_free(&r);
    snprintf(body, sizeof(body), "{\"challenge_token\":\"%s\",\"code\":\"%s\"}", chal, backup);
    hfx_req(&h, "POST", "/api/auth/login-2fa", NULL, body, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    hfx_req(&h, "GET", "/api/2fa/status", tok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(hres_str(&r, "enabled"), "true");
    ck_assert_str_eq(hres_str(&r, "backup_codes_left"), "9");
    hres_free(&r);
    hfx_close(&h);
}
END_TEST

START_TEST(t_bcrypt_legacy)
{
    struct hfx h;
    struct hres r;
    struct jutsu_user_row u;
    char tok[2048];
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    hfx_user(&h, "old", "viewer", PW_VIEWER);
    /* the original's bcrypt, as its database holds it (OpenBSD's vector: "U*U") */
    ck_assert_int_eq(jutsu_data_user_get(h.t.s, 0, "old", &u), 0);
    u.password_hash = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
    ck_assert_int_eq(jutsu_data_user_update(h.t.s, &u), 0);
    hfx_req(&h, "POST", "/api/auth/login", NULL, "{\"username\":\"old\",\"password\":\"U*V\"}",
            NULL, &r);
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    hfx_login(&h, "old", "U*U", tok, sizeof(tok), NULL, 0);
    ck_assert_int_eq(jutsu_data_user_get(h.t.s, 0, "old", &u), 0);
    ck_assert_msg(strncmp(u.password_hash, "$argon2id$", 10) == 0, "%s", u.password_hash);
    /* re-hashing ended the sessions made on the old hash, not the new one */
    hfx_login(&h, "old", "U*U", tok, sizeof(tok), NULL, 0);
    ck_assert_int_eq(me_status(&h, tok), 200);
    hfx_close(&h);
}
END_TEST

START_TEST(t_invitations)
{
    struct hfx h;
    struct hres r;
    char admin[2048], viewer[2048], token[128], path[256];
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    setup_users(&h, admin, sizeof(admin), viewer, sizeof(viewer));
    hfx_req(&h, "POST", "/api/users/invite", admin,
            "{\"role\":\"viewer\",\"email\":\"new@example.com\"}", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    snprintf(token, sizeof(token), "%s", hres_str(&r, "token"));
    ck_assert_int_ge((int)strlen(token), 43);
    ck_assert_ptr_nonnull(strstr(hres_str(&r, "url"), token));
    ck_assert_ptr_nonnull(strstr(hres_str(&r, "url"), h.base));
    hres_free(&r);
    snprintf(path, sizeof(path), "/api/invitations/%s", token);
    hfx_req(&h, "GET", path, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(hres_str(&r, "role"), "viewer");
    ck_assert_str_eq(hres_str(&r, "email"), "new@example.com");
    hres_free(&r);
    snprintf(path, sizeof(path), "/api/invitations/%s/accept", token);
    hfx_req(&h, "POST", path, NULL, "{\"username\":\"nina\",\"password\":\"nina\"}", NULL, &r);
    ck_assert_int_eq(r.status, 400);     /* the policy, named */
    ck_assert_str_eq(hres_code(&r), "weak_password");
    hres_free(&r);
    hfx_req(&h, "POST", path, NULL, "{\"username\":\"nina\",\"password\":\"password123456\"}",
            NULL, &r);
    ck_assert_int_eq(r.status, 400);     /* common */
    hres_free(&r);
    hfx_req(&h, "POST", path, NULL, "{\"username\":\"nina\",\"password\":\"violet-compass-19\"}",
            NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(hres_str(&r, "role"), "viewer");
    hres_free(&r);
    hfx_req(&h, "POST", path, NULL, "{\"username\":\"nina2\",\"password\":\"violet-compass-19\"}",
            NULL, &r);
    ck_assert_int_eq(r.status, 404);     /* once */
    hres_free(&r);
    ck_assert_int_eq(tdb_count(&h.t, "users", "username = 'nina2'"), 0);
    char tok[2048];
    hfx_login(&h, "nina", "violet-compass-19", tok, sizeof(tok), NULL, 0);
    /* 48 hours */
    hfx_req(&h, "POST", "/api/users/invite", admin, "{\"role\":\"admin\"}", NULL, &r);
    snprintf(token, sizeof(token), "%s", hres_str(&r, "token"));
    hres_free(&r);
    hfx_clock_set(hfx_clock_get() + 48 * 3600 + 1);
    snprintf(path, sizeof(path), "/api/invitations/%s", token);
    hfx_req(&h, "GET", path, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    hres_free(&r);
    hfx_close(&h);
}
END_TEST

START_TEST(t_tls_ipv6_cors_ready)
{
    struct hfx h;
    struct hres r;
    char tok[2048], extra[1024];
    const char *src = tu_source_dir();
    snprintf(extra, sizeof(extra),
             "      tls_cert: %s/tests/fixtures/tls/cert.pem\n"
             "      tls_key: %s/tests/fixtures/tls/key.pem\n"
             "      cors_origins: [\"https://app.example.com\"]\n", src, src);
    hfx_open(&h, _i, extra);
    if (h.t.skipped)
        return;
    ck_assert_msg(strncmp(h.base, "https://127.0.0.1:", 18) == 0, "%s", h.base);
    hfx_req(&h, "GET", "/api/health/ready", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(hres_str(&r, "status"), "ready");
    ck_assert_ptr_nonnull(strstr(r.headers, "Strict-Transport-Security: max-age="));
    hres_free(&r);
    hfx_user(&h, "ada", "admin", PW_ADMIN);
    hfx_req(&h, "POST", "/api/auth/login", NULL,
            "{\"username\":\"ada\",\"password\":\"" PW_ADMIN "\"}", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.headers, "HttpOnly; SameSite=Strict; Secure"));
    snprintf(tok, sizeof(tok), "%s", hres_str(&r, "access_token"));
    hres_free(&r);
    /* a configured origin gets CORS headers, another none */
    hfx_req(&h, "GET", "/api/auth/me", tok, NULL, "Origin: https://app.example.com", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.headers,
                                 "Access-Control-Allow-Origin: https://app.example.com"));
    hres_free(&r);
    hfx_req(&h, "GET", "/api/auth/me", tok, NULL, "Origin: https://evil.example.com", &r);
    ck_assert_ptr_null(strstr(r.headers, "Access-Control-Allow-Origin"));
    hres_free(&r);
    hfx_close(&h);

    /* IPv6 loopback, plain HTTP */
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    int v6 = fd >= 0 && bind(fd, (struct sockaddr *)&a6, sizeof(a6)) == 0;
    if (fd >= 0)
        close(fd);
    if (!v6) {
        fprintf(stderr, "test_frontend_http: no IPv6 loopback here: [::1] not tested\n");
        return;
    }
    hfx_open(&h, _i, "      listen: \"[::1]:0\"\n");
    ck_assert_msg(strncmp(h.base, "http://[::1]:", 13) == 0, "%s", h.base);
    hfx_req(&h, "GET", "/api/health", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    hfx_close(&h);
}
END_TEST

/* What the bus carried under auth.*, one "topic json" line each. */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen[16384];

static void on_auth_event(const jutsu_event *ev, void *arg)
{
    (void)arg;
    pthread_mutex_lock(&seen_lock);
    size_t n = strlen(seen);
    snprintf(seen + n, sizeof(seen) - n, "%s %s\n", jutsu_event_topic(ev), jutsu_event_json(ev));
    pthread_mutex_unlock(&seen_lock);
}

START_TEST(t_events_and_2fa_lockout)
{
    struct hfx h;
    struct hres r;
    char tok[2048], secret[128], body[2400], chal[2048];
    jutsu_sub_id sub;
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    seen[0] = '\0';
    ck_assert_int_eq(jutsu_bus_subscribe(h.t.app->bus, "test", "auth.*", on_auth_event, NULL,
                                         &sub), 0);
    hfx_user(&h, "ada", "admin", PW_ADMIN);
    hfx_req(&h, "POST", "/api/auth/login", NULL,
            "{\"username\":\"ada\",\"password\":\"not-the-password-9\"}", NULL, &r);
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    hfx_login(&h, "ada", PW_ADMIN, tok, sizeof(tok), NULL, 0);
    /* TOTP on; then wrong codes count towards the same lockout */
    hfx_req(&h, "POST", "/api/2fa/setup", tok, "{}", NULL, &r);
    snprintf(secret, sizeof(secret), "%s", hres_str(&r, "secret"));
    hres_free(&r);
    char code[16];
    oathtool(secret, hfx_clock_get(), code);
    snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
    hfx_req(&h, "POST", "/api/2fa/verify", tok, body, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    hfx_req(&h, "POST", "/api/auth/logout", tok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    snprintf(body, sizeof(body), "{\"username\":\"ada\",\"password\":\"%s\"}", PW_ADMIN);
    hfx_req(&h, "POST", "/api/auth/login", NULL, body, NULL, &r);
    snprintf(chal, sizeof(chal), "%s", hres_str(&r, "challenge_token"));
    hres_free(&r);
    /* the good login above reset the count: 10 wrong codes lock */
    for (int k = 0; k < 10; k++) {
        snprintf(body, sizeof(body), "{\"challenge_token\":\"%s\",\"code\":\"000000\"}",
                 chal);
        hfx_req(&h, "POST", "/api/auth/login-2fa", NULL, body, NULL, &r);
        ck_assert_msg(r.status == (k < 9 ? 401 : 423), "wrong code %d: %ld", k, r.status);
        hres_free(&r);
    }
    ck_assert_int_eq(jutsu_bus_drain(h.t.app->bus, 5000), 0);
    jutsu_bus_unsubscribe(h.t.app->bus, sub);
    pthread_mutex_lock(&seen_lock);
    ck_assert_msg(strstr(seen, "auth.failure {") != NULL, "%s", seen);
    ck_assert_msg(strstr(seen, "auth.login {") != NULL, "%s", seen);
    ck_assert_msg(strstr(seen, "auth.logout {") != NULL, "%s", seen);
    ck_assert_msg(strstr(seen, "auth.lockout {") != NULL, "%s", seen);
    ck_assert_ptr_nonnull(strstr(seen, "\"locked_until\":\"2025-01-09T21:30:00Z\""));
    ck_assert_ptr_nonnull(strstr(seen, "\"factor\":\"totp\""));
    /* no secret in any payload */
    ck_assert_ptr_null(strstr(seen, PW_ADMIN));
    ck_assert_ptr_null(strstr(seen, "not-the-password-9"));
    ck_assert_ptr_null(strstr(seen, secret));
    ck_assert_ptr_null(strstr(seen, "000000"));
    ck_assert_ptr_null(strstr(seen, tok));
    pthread_mutex_unlock(&seen_lock);
    hfx_close(&h);
}
END_TEST

/* publicKey.challenge of a WebAuthn options answer */
static void challenge_of(const struct hres *r, char *out, size_t outsz)
{
    json_object *pk, *ch;
    ck_assert_msg(json_object_object_get_ex(r->json, "publicKey", &pk) &&
                  json_object_object_get_ex(pk, "challenge", &ch), "%s", r->body);
    snprintf(out, outsz, "%s", json_object_get_string(ch));
}

START_TEST(t_passkey_over_api)
{
    struct hfx h;
    struct hres r;
    struct authn a;
    char tok[2048], ch[256], chal[2048], *body;
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    int64_t uid = hfx_user(&h, "ada", "admin", PW_ADMIN);
    hfx_user(&h, "vic", "viewer", PW_VIEWER);
    hfx_login(&h, "ada", PW_ADMIN, tok, sizeof(tok), NULL, 0);
    authn_new(&a);
    hfx_req(&h, "POST", "/api/passkey/register-options", tok, "{}", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    challenge_of(&r, ch, sizeof(ch));
    hres_free(&r);
    json_object *b = json_object_new_object();
    json_object_object_add(b, "credential", authn_create(&a, ch, "http://localhost:8080",
                                                          "localhost", AUTHN_FLAG_UP |
                                                          AUTHN_FLAG_UV | AUTHN_FLAG_AT));
    json_object_object_add(b, "device_name", json_object_new_string("test key"));
    body = strdup(json_object_to_json_string(b));
    json_object_put(b);
    hfx_req(&h, "POST", "/api/passkey/register", tok, body, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    char pkid[32];
    snprintf(pkid, sizeof(pkid), "%s", hres_str(&r, "id"));
    hres_free(&r);
    free(body);
    hfx_req(&h, "GET", "/api/passkey/list", tok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq((int)json_object_array_length(r.json), 1);
    ck_assert_ptr_nonnull(strstr(r.body, "\"device_name\":\"test key\""));
    hres_free(&r);
    /* now a login asks for the passkey first */
    hfx_req(&h, "POST", "/api/auth/login", NULL,
            "{\"username\":\"ada\",\"password\":\"" PW_ADMIN "\"}", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"methods\":[\"passkey\"]"));
    snprintf(chal, sizeof(chal), "%s", hres_str(&r, "challenge_token"));
    hres_free(&r);
    char req[2400];
    snprintf(req, sizeof(req), "{\"challenge_token\":\"%s\"}", chal);
    hfx_req(&h, "POST", "/api/passkey/authenticate-options", NULL, req, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    challenge_of(&r, ch, sizeof(ch));
    hres_free(&r);
    a.count++;
    b = json_object_new_object();
    json_object_object_add(b, "challenge_token", json_object_new_string(chal));
    json_object_object_add(b, "credential", authn_get(&a, ch, "http://localhost:8080",
                                                       "localhost", uid));
    body = strdup(json_object_to_json_string(b));
    json_object_put(b);
    hfx_req(&h, "POST", "/api/passkey/authenticate", NULL, body, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(strlen(hres_str(&r, "access_token")) > 20);
    ck_assert_ptr_nonnull(strstr(r.headers, "jutsu_refresh="));
    hres_free(&r);
    /* the same assertion again: refused (challenge and login challenge used up) */
    hfx_req(&h, "POST", "/api/passkey/authenticate", NULL, body, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);
    free(body);
    /* another user cannot delete it; its owner can */
    char vtok[2048], path[64];
    hfx_login(&h, "vic", PW_VIEWER, vtok, sizeof(vtok), NULL, 0);
    snprintf(path, sizeof(path), "/api/passkey/%s", pkid);
    hfx_req(&h, "DELETE", path, vtok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    hres_free(&r);
    hfx_req(&h, "DELETE", path, tok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    hfx_req(&h, "GET", "/api/auth/me", tok, NULL, NULL, &r);
    ck_assert_str_eq(hres_str(&r, "passkeys"), "0");
    hres_free(&r);
    authn_free(&a);
    hfx_close(&h);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("frontend_http");
    struct { const char *name; const TTest *fn; } t[] = {
        { "login_me_lockout", t_login_me_lockout }, { "role_matrix", t_role_matrix },
        { "tokens", t_tokens }, { "limits", t_limits },
        { "concurrent_logins", t_concurrent_logins }, { "totp_over_api", t_totp_over_api },
        { "bcrypt_legacy", t_bcrypt_legacy }, { "invitations", t_invitations },
        { "tls_ipv6_cors_ready", t_tls_ipv6_cors_ready },
        { "events_and_2fa_lockout", t_events_and_2fa_lockout },
        { "passkey_over_api", t_passkey_over_api },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        TCase *tc = tcase_create(t[i].name);
        tcase_set_timeout(tc, 120);
        tcase_add_loop_test(tc, t[i].fn, 0, TDB_BACKENDS);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return tu_run(suite());
}
