/*
 * plugins/frontend-http/fe_server.c — HTTP on libmicrohttpd: a thread pool
 * on epoll, bodies gathered by hand (never MHD's PostProcessor), limits
 * answered with a clear 4xx, one error shape, security headers on every
 * answer we make, an access log line per request.
 *
 * Limits and what a client sees:
 *   a body over max_body            413, before the body is read when the
 *                                   client declares its length
 *   headers over max_header         431 (libmicrohttpd's own answer: its
 *                                   connection memory is bounded by it)
 *   more than max_conn_per_ip open  429 on each request of the extra ones,
 *                                   then the connection is closed
 *   idle longer than request_timeout the connection is closed; so is one
 *                                   whose headers, or body, take longer
 *                                   (fe_conn.c: a slow client)
 *   ambiguous framing (CL and TE)   400, closed (fe_conn.c)
 *   sign-ins over login_rate_per_min 429 with Retry-After (fe_ratelimit.c)
 *   more than max_connections       new connections are refused
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "fe.h"

#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "   \
            "frame-ancestors 'none'"

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void addr_text(const struct sockaddr *sa, char *out, size_t outsz)
{
    out[0] = '\0';
    if (sa == NULL)
        snprintf(out, outsz, "?");
    else if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outsz);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                  (socklen_t)outsz);
    else
        snprintf(out, outsz, "?");
}

static void conn_addr(struct MHD_Connection *c, char *out, size_t outsz)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    addr_text(ci ? ci->client_addr : NULL, out, outsz);
}

/* --- connections per client address ------------------------------------ */

static uint32_t ip_hash(const char *ip)
{
    uint32_t h = 2166136261u;
    for (; *ip; ip++)
        h = (h ^ (unsigned char)*ip) * 16777619u;
    return h;
}

/* +1 or -1 on ip's count; the new count. Slots are never freed (a table of
 * FE_IP_SLOTS addresses; once full, unknown addresses are not limited). */
static uint32_t ip_count(struct fe *fe, const char *ip, int delta)
{
    uint32_t n = 0;
    pthread_mutex_lock(&fe->ip_lock);
    for (uint32_t i = 0, h = ip_hash(ip); i < FE_IP_SLOTS; i++) {
        struct fe_ip_slot *s = &fe->ips[(h + i) % FE_IP_SLOTS];
        if (s->ip[0] == '\0' && delta > 0)
            snprintf(s->ip, sizeof(s->ip), "%s", ip);
        if (strcmp(s->ip, ip) == 0) {
            if (delta > 0 || s->n > 0)
                s->n += (uint32_t)delta;
            n = s->n;
            break;
        }
        if (s->ip[0] == '\0')
            break;
    }
    pthread_mutex_unlock(&fe->ip_lock);
    return n;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct fe *fe = cls;
    char ip[48];
    conn_addr(c, ip, sizeof(ip));
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        uint32_t n = ip_count(fe, ip, +1);
        /* its deadline (fe_conn.c), and whether it is one too many */
        if ((*socket_context = fe_conn_open(fe, c, n > (uint32_t)fe->max_conn_per_ip)) == NULL)
            ip_count(fe, ip, -1);
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL) {
        ip_count(fe, ip, -1);
        fe_conn_close(fe, *socket_context);
        *socket_context = NULL;
    }
}

/* --- answers ----------------------------------------------------------- */

int fe_ok(struct fe_req *r, int status, json_object *body)
{
    json_object_put(r->json);
    r->json = body;
    r->status = status;
    return 0;
}

int fe_error(struct fe_req *r, int status, const char *code, const char *message,
             const char *hint)
{
    json_object *e = json_object_new_object(), *o = json_object_new_object();
    if (e && o) {
        json_object_object_add(e, "code", json_object_new_string(code));
        json_object_object_add(e, "message", json_object_new_string(message));
        if (hint)
            json_object_object_add(e, "hint", json_object_new_string(hint));
        json_object_object_add(o, "error", e);
        e = NULL;
    }
    json_object_put(e);
    return fe_ok(r, status, o);
}

int fe_session_answer(struct fe_req *r, int rc, json_object *out)
{
    if (rc == 0)
        return fe_ok(r, 200, out ? out : json_object_new_object());
    static const char *const keep[] = { "locked_until", NULL };
    json_object *o = json_object_new_object(), *v;
    json_object *e = out ? out : json_object_new_object();
    /* the session error object is {code, message, hint, locked_until?}: wrap it */
    json_object_object_add(o, "error", e);
    for (int i = 0; keep[i]; i++)
        if (json_object_object_get_ex(e, keep[i], &v))
            json_object_object_add(o, keep[i], json_object_get(v));
    json_object_put(r->json);
    r->json = o;
    switch (rc) {
    case JUTSU_EAUTH:   r->status = 401; break;
    case JUTSU_ELOCKED: r->status = 423; break;
    case JUTSU_EINVAL:
    case JUTSU_EMALFORMED:
    case JUTSU_ERANGE:  r->status = 400; break;
    case JUTSU_ENOENT:  r->status = 404; break;
    case JUTSU_EEXIST:
    case JUTSU_ECONSTRAINT: r->status = 409; break;
    case JUTSU_ENOTSUP: r->status = 400; break;
    case JUTSU_EFULL:
    case JUTSU_ETRANSIENT:
    case JUTSU_EBUSY:   r->status = 503; break;
    default:            r->status = 500; break;
    }
    return 0;
}

const char *fe_header(struct fe_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *fe_cookie(struct fe_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const struct jutsu_sessions *fe_sessions(struct fe_req *r)
{
    return r->fe->host->sessions(r->fe->ctx);
}

json_object *fe_body_json(struct fe_req *r)
{
    char msg[200];
    if (r->body_len == 0) {
        fe_error(r, 400, "bad_request", "the request has no body; it needs a JSON object",
                 "send Content-Type: application/json and a {...} body");
        return NULL;
    }
    json_tokener *tok = json_tokener_new_ex(16);
    if (tok == NULL) {
        fe_error(r, 500, "internal", "out of memory", NULL);
        return NULL;
    }
    json_object *o = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
    enum json_tokener_error je = json_tokener_get_error(tok);
    size_t at = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (o == NULL || je != json_tokener_success || at != r->body_len ||
        !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        snprintf(msg, sizeof(msg), "the body is not one JSON object (%s, at byte %zu)",
                 je != json_tokener_success ? json_tokener_error_desc(je)
                 : at != r->body_len ? "more after the object" : "another JSON type", at);
        fe_error(r, 400, "bad_request", msg, NULL);
        return NULL;
    }
    /* kept with the request, freed with it */
    json_object_put(r->json);
    r->json = NULL;
    return o;
}

const char *fe_body_str(struct fe_req *r, json_object *body, const char *name, size_t max,
                        int optional)
{
    json_object *v;
    char msg[160];
    if (!json_object_object_get_ex(body, name, &v) || json_object_is_type(v, json_type_null)) {
        if (optional)
            return NULL;
        snprintf(msg, sizeof(msg), "the body lacks \"%s\"", name);
        fe_error(r, 400, "bad_request", msg, NULL);
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string) ||
        (size_t)json_object_get_string_len(v) > max) {
        snprintf(msg, sizeof(msg), "\"%s\" must be a string of at most %zu bytes", name, max);
        fe_error(r, 400, "bad_request", msg, NULL);
        return NULL;
    }
    return json_object_get_string(v);
}

/* --- the request's life ------------------------------------------------ */

static const char *bearer(struct fe_req *r)
{
    const char *h = fe_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

/* What dispatch found in the cache, or where answer() should keep the
 * answer it makes. */
struct fe_out {
    struct fe_cache_entry *hit;
    int                    store;       /* keep a 200 under key at gen */
    uint64_t               gen;
    size_t                 keylen;
    char                   key[2048];
};

struct key_build {
    char  *p;
    size_t n, cap;
    int    over;
};

static void key_add(struct key_build *k, const char *s, size_t n)
{
    if (k->over || k->n + n + 24 > k->cap) {
        k->over = 1;
        return;
    }
    /* length-prefixed: no separator a decoded value could forge */
    k->n += (size_t)snprintf(k->p + k->n, k->cap - k->n, "%zu:", n);
    memcpy(k->p + k->n, s, n);
    k->n += n;
}

static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct key_build *k = cls;
    (void)kind;
    key_add(k, key, strlen(key));
    key_add(k, value ? value : "", value ? strlen(value) : 0);
    return k->over ? MHD_NO : MHD_YES;
}

/* The cache's key of a request: path, every query argument in order, and
 * the caller's permission bits. 0, or -1 when too long to keep. */
static int cache_key(struct fe_req *r, struct fe_out *o)
{
    struct key_build k = { o->key, 0, sizeof(o->key), 0 };
    char perms[16];
    key_add(&k, r->path, strlen(r->path));
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, key_arg, &k);
    snprintf(perms, sizeof(perms), "%x", r->who.perms);
    key_add(&k, perms, strlen(perms));
    o->keylen = k.n;
    return k.over ? -1 : 0;
}

static void dispatch(struct fe_req *r, struct fe_out *o)
{
    char msg[200];
    const struct fe_route *rt;
    int st = fe_route_find(r->method, r->path, r, &rt, r->allow, sizeof(r->allow));
    if (st == 404) {
        fe_error(r, 404, "no_route", "no such route", "GET /api/openapi.json lists them");
        return;
    }
    if (st == 405) {
        snprintf(msg, sizeof(msg), "%s is not allowed here; allowed: %s", r->method, r->allow);
        fe_error(r, 405, "method_not_allowed", msg, NULL);
        return;
    }
    r->route = rt;
    if (fe_ratelimit_check(r) != 0)
        return;
    if (rt->perm != JUTSU_PERM_PUBLIC) {
        const struct jutsu_sessions *ss = fe_sessions(r);
        const char *tok = bearer(r);
        json_object *out = NULL;
        if (ss == NULL) {
            fe_error(r, 503, "unavailable", "no database is configured", NULL);
            return;
        }
        if (tok == NULL) {
            fe_error(r, 401, "unauthenticated", "this route needs a signed-in user",
                     "send Authorization: Bearer <access_token> from POST /api/auth/login");
            return;
        }
        int rc = ss->check(r->fe->ctx, tok, &r->who, &out);
        if (rc != 0) {
            fe_session_answer(r, rc, out);
            return;
        }
        json_object_put(out);
        r->authed = 1;
        if ((r->who.perms & rt->perm) != rt->perm) {
            snprintf(msg, sizeof(msg), "this route needs the \"%s\" permission, which the role "
                     "\"%s\" does not have", ss->perm_name(rt->perm), r->who.role);
            fe_error(r, 403, "forbidden", msg, "ask an admin");
            return;
        }
    }
    if (rt->cache == FE_CACHE && r->fe->cache != NULL && strcmp(r->method, "GET") == 0 &&
        cache_key(r, o) == 0) {
        /* the generation before the handler runs: an answer made while an
         * invalidation went by is stored stale, so never served */
        o->gen = fe_cache_begin(r->fe);
        if ((o->hit = fe_cache_get(r->fe, o->key, o->keylen)) != NULL) {
            r->status = 200;
            return;
        }
        o->store = 1;
    }
    if (rt->fn(r) != 0 || (r->json == NULL && r->raw == NULL && r->reader == NULL)) {
        if (r->reader && r->reader_free)
            r->reader_free(r->reader_cls);
        r->reader = NULL;
        fe_error(r, 500, "internal", "the request failed", "the server log has the details");
    }
}

static void add_common_headers(struct fe *fe, struct fe_req *r, struct MHD_Response *resp,
                               const char *cache_control)
{
    MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cache-Control", cache_control);
    if (fe->cert_pem != NULL)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (r->cookie[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->cookie);
    const char *origin = r->conn ? fe_header(r, "Origin") : NULL;
    for (char **o = fe->cors; origin && o && *o; o++)
        if (strcmp(*o, origin) == 0) {
            MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
            MHD_add_response_header(resp, "Access-Control-Allow-Credentials", "true");
            MHD_add_response_header(resp, "Vary", "Origin");
            break;
        }
}

static void log_and_count(struct fe_req *r, size_t len)
{
    struct fe *fe = r->fe;
    int64_t us = mono_us() - r->t0_us;
    /* an invitation's token is a credential: such paths are logged as their pattern */
    const char *logged = r->route && strstr(r->route->pattern, "{token}") ? r->route->pattern
                                                                          : r->path;
    if (fe->access_log && fe->host->log_enabled(fe->ctx, JUTSU_LOG_INFO))
        fe->host->log(fe->ctx, JUTSU_LOG_INFO, "%s %s %d %zu bytes %lld us user=%s client=%s",
                      r->method, logged, r->status, len, (long long)us,
                      r->authed ? r->who.username : "-", r->client);
    fe_metrics_request(fe, r->route, r->method, r->status, us);
}

/* A streamed body (r->reader): SSE, CSV exports. Its length is unknown, so
 * HTTP/1.1 sends it chunked. */
static enum MHD_Result answer_stream(struct fe_req *r)
{
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 16 * 1024, r->reader, r->reader_cls, r->reader_free);
    r->reader = NULL;   /* the response owns reader_cls now */
    if (resp == NULL) {
        if (r->reader_free)
            r->reader_free(r->reader_cls);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->ctype ? r->ctype : "application/octet-stream");
    add_common_headers(r->fe, r, resp, "no-store");
    /* a reverse proxy must pass each event on as it comes (nginx buffers otherwise) */
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    log_and_count(r, 0);
    return ok;
}

/* Whether the client takes gzip: "gzip" (or "*") in Accept-Encoding with
 * a q that is not 0. */
static int takes_gzip(struct fe_req *r)
{
    const char *h = fe_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    int star = 0;
    for (const char *p = h; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",;");
        while (n > 0 && p[n - 1] == ' ')
            n--;
        const char *q = p + n, *end = p + strcspn(p, ",");
        int zero = 0;
        const char *qs = strstr(q, "q=");
        if (qs && qs < end)
            zero = strtod(qs + 2, NULL) == 0.0;
        if (n == 4 && strncasecmp(p, "gzip", 4) == 0)
            return !zero;
        if (n == 1 && *p == '*')
            star = !zero;
        p = end;
    }
    return star;
}

/* If-None-Match against our ETag: weak comparison, as RFC 9110 wants for
 * GET, and the gzip variant's tag ("...-gz") stands for the same content. */
static int none_match(struct fe_req *r, const char *etag)
{
    const char *h = fe_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    size_t en = strlen(etag) - 1;   /* without its closing quote */
    for (const char *p = h; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t n = strcspn(p, ",");
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n >= en + 1 && strncmp(p, etag, en) == 0 &&
            ((n == en + 1 && p[en] == '"') || (n == en + 4 && strncmp(p + en, "-gz\"", 4) == 0)))
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

static void unref_entry(void *cls)
{
    fe_cache_unref(cls);
}

static enum MHD_Result answer(struct fe_req *r, struct fe_out *o)
{
    struct fe *fe = r->fe;
    const char *body = "", *ctype = r->ctype ? r->ctype : "application/json";
    size_t len = 0;
    char etag[FE_ETAG_MAX + 4] = "";
    char *own = NULL;   /* a gzip made for this answer */
    if (r->reader != NULL)
        return answer_stream(r);
    if (o->hit != NULL) {
        body = fe_cache_body(o->hit, &len);
        ctype = fe_cache_ctype(o->hit);
        snprintf(etag, sizeof(etag), "%s", fe_cache_etag(o->hit));
    } else if (r->raw != NULL) {
        body = r->raw;
        len = r->raw_len;
    } else if (r->json != NULL) {
        size_t n = 0;
        body = json_object_to_json_string_length(r->json, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE, &n);
        len = n;
    }
    int get_json = r->status == 200 && strcmp(r->method, "GET") == 0 &&
                   strncmp(ctype, "application/json", 16) == 0;
    if (get_json && o->hit == NULL) {
        fe_etag(body, len, etag);
        if (o->store)
            fe_cache_put(fe, o->key, o->keylen, o->gen, ctype, body, len);
    }
    int gz = 0;
    if (get_json && none_match(r, etag)) {
        r->status = 304;
        body = "";
        len = 0;
    } else if (get_json && fe->gzip && len > 1024 && takes_gzip(r)) {
        size_t zn = 0;
        const char *z = o->hit ? fe_cache_gzip(fe, o->hit, &zn)
                               : (own = fe_gzip(body, len, 1, &zn));
        if (z != NULL && zn < len) {
            body = z;
            len = zn;
            gz = 1;
            /* a strong tag names one representation: the gzip one is another */
            snprintf(etag + strlen(etag) - 1, 5, "-gz\"");
        }
    }
    struct MHD_Response *resp;
    if (own != NULL && gz) {
        resp = MHD_create_response_from_buffer(len, own, MHD_RESPMEM_MUST_FREE);
        if (resp == NULL)
            free(own);
        own = NULL;
    } else if (o->hit != NULL && len > 0) {
        /* no copy: the response keeps the entry alive until it is sent */
        resp = MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)body,
                                                                      unref_entry, o->hit);
        if (resp != NULL)
            o->hit = NULL;
    } else {
        resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    }
    free(own);
    if (resp == NULL)
        return MHD_NO;
    if (r->status != 304)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    /* data may sit in the browser's cache, revalidated on each use (no-cache):
     * never in a shared one (private: it took a token to read). The
     * account routes stay out of every cache. */
    int revalidate = (get_json || r->status == 304) && r->route &&
                     r->route->perm == JUTSU_PERM_READ;
    add_common_headers(fe, r, resp, revalidate ? "private, no-cache" : "no-store");
    if (get_json || r->status == 304) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
        if (fe->gzip)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    }
    if (gz)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (r->status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->over_ip || r->too_large || r->must_close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof(ra), "%d", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    log_and_count(r, len);
    return ok;
}

/* --- what fe_static.c shares ------------------------------------------ */

int fe_takes_gzip(struct fe_req *r)
{
    return takes_gzip(r);
}

int fe_none_match(struct fe_req *r, const char *etag)
{
    return none_match(r, etag);
}

int fe_queue(struct fe_req *r, struct MHD_Response *resp, const char *cache_control,
             size_t len)
{
    add_common_headers(r->fe, r, resp, cache_control);
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    log_and_count(r, len);
    return ok;
}

static int append_body(struct fe_req *r, const char *data, size_t n)
{
    if (r->too_large || r->body_len + n > (size_t)r->fe->max_body) {
        r->too_large = 1;
        return 0;
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 1024;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (b == NULL)
            return -1;
        r->body = b;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return 0;
}

static void too_large(struct fe_req *r)
{
    char msg[120];
    snprintf(msg, sizeof(msg), "the body is larger than this server takes (%lld bytes)",
             (long long)r->fe->max_body);
    fe_error(r, 413, "too_large", msg, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    struct fe *fe = cls;
    struct fe_req *r = *con_cls;
    struct fe_out o;
    (void)version;
    o.hit = NULL;
    o.store = 0;
    if (r == NULL) {
        if ((r = malloc(sizeof(*r))) == NULL)
            return MHD_NO;
        memset(r, 0, FE_REQ_ZERO);
        memset(&r->who, 0, sizeof(r->who));
        r->allow[0] = r->cookie[0] = '\0';
        r->fe = fe;
        r->conn = conn;
        r->method = method;
        r->t0_us = mono_us();
        conn_addr(conn, r->client, sizeof(r->client));
        *con_cls = r;
        snprintf(r->path, sizeof(r->path), "%s", url);
        fe_conn_deadline(fe, conn, 1);   /* the headers came: now the body's */
        if (fe_conn_over_ip(conn)) {
            r->over_ip = 1;
            fe_error(r, 429, "too_many_connections",
                     "too many connections from your address at once",
                     "reuse connections (keep-alive) or open fewer");
            return answer(r, &o);
        }
        const char *framing = fe_conn_bad_framing(conn);
        if (framing != NULL) {
            r->must_close = 1;
            fe_error(r, 400, "bad_request", framing, "send one Content-Length, or "
                     "Transfer-Encoding: chunked alone (RFC 9112 6.1)");
            return answer(r, &o);
        }
        const char *cl = fe_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > (unsigned long long)fe->max_body) {
            r->too_large = 1;
            too_large(r);
            return answer(r, &o);
        }
        if (strlen(url) >= sizeof(r->path)) {
            fe_error(r, 414, "uri_too_long", "the path is too long", NULL);
            return answer(r, &o);
        }
        return MHD_YES;
    }
    if (r->status != 0)   /* answered early: drop what still comes */
        return *upload_size = 0, MHD_YES;
    if (*upload_size != 0) {
        if (append_body(r, upload, *upload_size) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    fe_conn_deadline(fe, conn, 0);   /* the request is whole: none while answering */
    int served;
    if (r->too_large)
        too_large(r);
    else if ((served = fe_static_serve(r)) >= 0)   /* the dashboard's files */
        return (enum MHD_Result)served;
    else
        dispatch(r, &o);
    enum MHD_Result ok = answer(r, &o);
    fe_cache_unref(o.hit);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct fe_req *r = *con_cls;
    (void)toe;
    fe_conn_deadline(cls, c, 1);   /* the next request on a kept-alive connection */
    if (r == NULL)
        return;
    if (r->reader && r->reader_free)   /* a stream that never got queued */
        r->reader_free(r->reader_cls);
    json_object_put(r->json);
    free(r->raw);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

/* fmt is libmicrohttpd's own format */
static void __attribute__((format(printf, 2, 0)))
mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct fe *fe = cls;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    fe->host->log(fe->ctx, JUTSU_LOG_WARN, "libmicrohttpd: %s", line);
}

int fe_server_start(struct fe *fe)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (fe->ipv6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)fe->port);
        if (inet_pton(AF_INET6, fe->host_part, &a->sin6_addr) != 1)
            return JUTSU_ECONFIG;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)fe->port);
        if (inet_pton(AF_INET, fe->host_part, &a->sin_addr) != 1)
            return JUTSU_ECONFIG;
    }
    /* suspend/resume: an event stream with nothing to send gives its
     * thread back (fe_events.c) */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (fe->ipv6)
        flags |= MHD_USE_IPv6;
    if (fe->cert_pem)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls[] = {
        { MHD_OPTION_HTTPS_MEM_CERT, 0, fe->cert_pem },
        { MHD_OPTION_HTTPS_MEM_KEY, 0, fe->key_pem },
        { MHD_OPTION_END, 0, NULL },
    };
    if (fe_conns_start(fe) != 0)
        return JUTSU_ENOMEM;
    fe->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, fe,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, fe,   /* first, so that it sees every message */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)fe->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)fe->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)fe->request_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)fe->max_header,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, fe,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, fe,
        MHD_OPTION_UNESCAPE_CALLBACK, fe_unescape, NULL,   /* %00 stays text: fe_static.c */
        MHD_OPTION_ARRAY, fe->cert_pem ? tls : &tls[2],
        MHD_OPTION_END);
    if (fe->daemon == NULL) {
        fe_conns_stop(fe);
        return JUTSU_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(fe->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (di != NULL && di->port != 0)
        fe->port = di->port;
    snprintf(fe->endpoint, sizeof(fe->endpoint), "%s://%s%s%s:%d", fe->cert_pem ? "https" : "http",
             fe->ipv6 ? "[" : "", fe->host_part, fe->ipv6 ? "]" : "", fe->port);
    return 0;
}

void fe_server_stop(struct fe *fe)
{
    if (fe->daemon != NULL) {
        MHD_stop_daemon(fe->daemon);
        fe->daemon = NULL;
    }
    fe_conns_stop(fe);
}
