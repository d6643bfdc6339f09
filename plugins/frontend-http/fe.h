/*
 * plugins/frontend-http/fe.h — what the files of frontend-http share.
 *
 *   fe_plugin.c   descriptor, settings, start and stop
 *   fe_server.c   libmicrohttpd: connections, bodies, limits, answers, access log
 *   fe_router.c   which route a method and path reach
 *   fe_routes.c   the route table (the one list) and the OpenAPI document made from it
 *   fe_auth.c     /api/auth, /api/2fa, /api/passkey
 *   fe_users.c    /api/users, /api/invitations
 *   fe_health.c   /api/health, /api/health/ready
 *   fe_query.c    query parameters: parsed, bounded, a 400 naming the bad one
 *   fe_db.c       each worker thread's own data session
 *   fe_perf.c     /api/v2/performance, /api/eod/status
 *   fe_trades.c   /api/trades, /api/positions, /api/snapshots, /api/market-data/{symbol}
 *   fe_engine.c   strategies, market-data summary, scheduler, config, control,
 *                 jobs, backtest: the host's engine (jutsu/engine.h)
 *   fe_events.c   /api/events: Server-Sent Events of the bus
 *   fe_cache.c    finished answers kept in memory, ETag, invalidated by events
 *   fe_metrics.c  /metrics (Prometheus) on a listener of its own
 *   fe_ratelimit.c sign-in attempts per client address (429, Retry-After)
 *   fe_conn.c     a deadline per request (slow clients), the request's framing
 *   fe_static.c   the dashboard's files (web/, embedded at build time), outside /api/
 */
#ifndef JUTSU_FE_H
#define JUTSU_FE_H

#include <json-c/json.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jutsu/data.h"
#include "jutsu/engine.h"
#include "jutsu/host.h"
#include "jutsu/session.h"

struct MHD_Daemon;
struct MHD_Connection;
struct MHD_Response;

#define FE_MAX_PARAMS 4
#define FE_PARAM_MAX  128
#define FE_PATH_MAX   1024
#define FE_IP_SLOTS   4096

struct fe_ip_slot {
    char     ip[48];
    uint32_t n;
};

struct fe {
    const struct jutsu_host *host;
    jutsu_ctx               *ctx;
    /* settings (cfg_fill) */
    const char *listen;
    const char *tls_cert, *tls_key;
    int64_t     threads, max_body, max_header, max_conn_per_ip, max_connections;
    int64_t     request_timeout_s;
    int         access_log;
    const char *metrics;       /* "off" or ADDRESS:PORT of the /metrics listener */
    int64_t     sse_heartbeat_s, sse_max_streams_per_user, sse_max_streams, sse_ring;
    int64_t     cache_max_entries, cache_max_bytes, cache_check_ms;
    int         gzip;
    int64_t     login_rate_per_min, login_burst;
    /* derived */
    char        endpoint[160];
    char        host_part[64];
    int         port;
    int         ipv6;
    char       *cert_pem, *key_pem;
    char      **cors;          /* allowed origins, NULL-terminated; NULL: no CORS */
    struct MHD_Daemon *daemon;
    /* connections per client address, open addressing under ip_lock */
    pthread_mutex_t   ip_lock;
    struct fe_ip_slot ips[FE_IP_SLOTS];
    struct fe_events  *events;    /* fe_events.c */
    struct fe_cache   *cache;     /* fe_cache.c  */
    struct fe_metrics *metrics_l; /* fe_metrics.c */
    struct fe_ratelimit *ratelimit; /* fe_ratelimit.c; NULL: off */
    struct fe_conns   *conns;     /* fe_conn.c */
    struct fe_static  *statics;   /* fe_static.c  */
};

/* A streamed body (libmicrohttpd's content reader, without its header):
 * copy at most `max` bytes to buf and return how many; FE_READ_END at the
 * end, FE_READ_ERROR to cut the connection. 0 only after suspending the
 * connection (fe_events.c), else libmicrohttpd calls again at once.
 * `free` runs once, when the answer is done with (also when it could not
 * be sent), on a server thread. */
typedef ssize_t (*fe_reader)(void *cls, uint64_t pos, char *buf, size_t max);
typedef void    (*fe_reader_free)(void *cls);
#define FE_READ_END   ((ssize_t)-1)
#define FE_READ_ERROR ((ssize_t)-2)

/* One request, from its first call to its answer. */
struct fe_req {
    struct fe             *fe;
    struct MHD_Connection *conn;
    const char            *method;
    char                   client[48];
    int                    params_n;
    char                  *body;
    size_t                 body_len, body_cap;
    int                    too_large, over_ip;
    int                    must_close;    /* answer with Connection: close */
    int                    retry_after;   /* seconds, for a Retry-After header; 0: none */
    int64_t                t0_us;
    const struct fe_route *route;
    int                    authed;
    /* the answer */
    int                    status;
    json_object           *json;      /* a JSON body, or          */
    char                  *raw;       /* a raw one (malloc'd)      */
    size_t                 raw_len;
    const char            *ctype;
    /* a streamed answer instead of json/raw (status and ctype still apply):
     * the server owns reader_cls from the handler's return on */
    fe_reader              reader;
    fe_reader_free         reader_free;
    void                  *reader_cls;
    /* the large members last: a new request zeroes only what is above
     * (FE_REQ_ZERO) and the first byte of each string below */
    struct jutsu_identity  who;       /* when signed in */
    char                   allow[64];  /* methods the path has, for a 405 */
    char                   path[FE_PATH_MAX];
    char                   params[FE_MAX_PARAMS][FE_PARAM_MAX];
    char                   cookie[2400];   /* a Set-Cookie value, or "" */
};

#define FE_REQ_ZERO offsetof(struct fe_req, who)

typedef int (*fe_handler)(struct fe_req *r);

struct fe_route {
    const char *method;
    const char *pattern;     /* "/api/users/{id}" */
    fe_handler  fn;
    uint32_t    perm;        /* enum jutsu_perm */
    const char *summary;
    const char *body;        /* the request body's members, for the docs: "username, password" */
    const char *query;       /* its query parameters, for the docs: "from?, to?, page?" */
    int         cache;       /* FE_CACHE: a GET whose answer fe_cache.c may keep */
};

#define FE_CACHE 1

extern const struct fe_route fe_routes[];
extern const size_t fe_routes_n;

/* --- router --- */
/* The route for method and path: 0, or 404 (no path), or 405 (path, not
 * this method: *allow lists the methods that are). Fills r->params. */
int  fe_route_find(const char *method, const char *path, struct fe_req *r,
                   const struct fe_route **out, char *allow, size_t allowsz);

/* --- answers (fe_server.c) --- */
/* Sets the answer: takes `body`. Returns 0 so handlers can `return fe_ok(...)`. */
int  fe_ok(struct fe_req *r, int status, json_object *body);
/* The one error shape: {"error": {"code", "message", "hint"?}}. */
int  fe_error(struct fe_req *r, int status, const char *code, const char *message,
              const char *hint);
/* The answer for what a jutsu/session.h call returned (takes `out`). */
int  fe_session_answer(struct fe_req *r, int rc, json_object *out);
/* The request body as a JSON object; NULL after answering 400 itself. */
json_object *fe_body_json(struct fe_req *r);
/* A member of the body that must be a string of at most `max` bytes;
 * NULL after answering 400 naming it (optional: NULL without an answer). */
const char *fe_body_str(struct fe_req *r, json_object *body, const char *name, size_t max,
                        int optional);
/* A request header or a cookie, or NULL. */
const char *fe_header(struct fe_req *r, const char *name);
const char *fe_cookie(struct fe_req *r, const char *name);
const struct jutsu_sessions *fe_sessions(struct fe_req *r);

int  fe_server_start(struct fe *fe);
void fe_server_stop(struct fe *fe);
/* The engine if the host has one (ABI 1.3 and attached), else NULL; no answer. */
const struct jutsu_engine *fe_engine_of(const struct fe *fe);

/* --- live events (fe_events.c) --- */
int  fe_events_start(struct fe *fe);       /* subscribes; before the server starts */
void fe_events_quiesce(struct fe *fe);     /* ends every stream; before the server stops */
void fe_events_stop(struct fe *fe);        /* unsubscribes, frees; after it stopped */
int64_t fe_events_open(const struct fe *fe);   /* streams open now */

/* --- the answer cache (fe_cache.c) --- */
struct fe_cache_entry;
int  fe_cache_start(struct fe *fe);
void fe_cache_stop(struct fe *fe);
/* Brings the cache up to date with the database's data version (read at
 * most every cache_check_ms) and returns the generation a new entry must
 * be stored with. */
uint64_t fe_cache_begin(struct fe *fe);
/* A kept answer for key (a reference: fe_cache_unref), or NULL. */
struct fe_cache_entry *fe_cache_get(struct fe *fe, const char *key, size_t keylen);
/* Keeps a 200 answer made at generation gen; copies everything. */
void fe_cache_put(struct fe *fe, const char *key, size_t keylen, uint64_t gen,
                  const char *ctype, const char *body, size_t len);
void fe_cache_unref(struct fe_cache_entry *e);
const char *fe_cache_body(const struct fe_cache_entry *e, size_t *len);
const char *fe_cache_ctype(const struct fe_cache_entry *e);
const char *fe_cache_etag(const struct fe_cache_entry *e);
/* The gzip of the body (made on first use and kept), or NULL. */
const char *fe_cache_gzip(struct fe *fe, struct fe_cache_entry *e, size_t *len);
/* A strong ETag of a body: "\"<32 hex>\"" into out (at least FE_ETAG_MAX). */
#define FE_ETAG_MAX 40
void fe_etag(const char *body, size_t len, char *out);
/* gzip of body at level; malloc'd, or NULL. */
char *fe_gzip(const char *body, size_t len, int level, size_t *outlen);
void fe_cache_stats(const struct fe *fe, int64_t *entries, int64_t *bytes, int64_t *hits,
                    int64_t *misses);

/* --- the dashboard's files (fe_static.c) --- */
int  fe_static_start(struct fe *fe);       /* gzips the text files once */
void fe_static_stop(struct fe *fe);        /* after the server stopped */
/* A GET or HEAD of an embedded file or a dashboard page: queues the answer
 * and returns MHD_YES or MHD_NO; -1 when it is not one (the router answers). */
int  fe_static_serve(struct fe_req *r);
/* libmicrohttpd's unescape of paths and query values (%XX), except that
 * %00 stays as it is: a decoded NUL would cut the string short and make
 * "/js/app.js%00.txt" look like "/js/app.js". Returns the new length. */
size_t fe_unescape(void *cls, struct MHD_Connection *c, char *s);
/* What fe_server.c lends it: whether the client takes gzip, If-None-Match
 * against etag (weakly, "-gz" included), and queueing `resp` (taken) with
 * the common headers and the access log line; MHD_YES or MHD_NO. */
int  fe_takes_gzip(struct fe_req *r);
int  fe_none_match(struct fe_req *r, const char *etag);
int  fe_queue(struct fe_req *r, struct MHD_Response *resp, const char *cache_control,
              size_t len);

/* --- connections' deadlines, requests' framing (fe_conn.c) --- */
int  fe_conns_start(struct fe *fe);        /* before the server starts */
void fe_conns_stop(struct fe *fe);         /* after it stopped */
/* At NOTIFY_STARTED: the connection's socket context (its deadline: the
 * headers', from now), or NULL when out of memory; at NOTIFY_CLOSED. */
void *fe_conn_open(struct fe *fe, struct MHD_Connection *c, int over_ip);
void fe_conn_close(struct fe *fe, void *conn);
/* on: request_timeout from now; 0: none (an answer is being sent). */
void fe_conn_deadline(struct fe *fe, struct MHD_Connection *c, int on);
/* Whether the connection was one too many from its address. */
int  fe_conn_over_ip(struct MHD_Connection *c);
/* Why the request's headers do not frame its body unambiguously (both
 * Content-Length and Transfer-Encoding, ...), or NULL when they do. */
const char *fe_conn_bad_framing(struct MHD_Connection *c);

/* --- sign-in attempts per address (fe_ratelimit.c) --- */
int  fe_ratelimit_start(struct fe *fe);    /* no-op when login_rate_per_min is 0 */
void fe_ratelimit_stop(struct fe *fe);     /* after the server stopped */
/* For a request whose route is known: 0 to go on, or -1 after answering
 * 429 too_many_requests (with r->retry_after) when its address has used
 * up its sign-in attempts. Any thread. */
int  fe_ratelimit_check(struct fe_req *r);
void fe_ratelimit_stats(const struct fe *fe, int64_t *limited, int64_t *tracked);

/* --- /metrics (fe_metrics.c) --- */
int  fe_metrics_start(struct fe *fe);      /* no-op when metrics is "off" */
void fe_metrics_stop(struct fe *fe);
/* One finished request, for jutsu_http_requests_total and its latency. */
void fe_metrics_request(struct fe *fe, const struct fe_route *rt, const char *method,
                        int status, int64_t micros);

/* --- handlers --- */
int fe_h_health(struct fe_req *r);
int fe_h_ready(struct fe_req *r);
int fe_h_openapi(struct fe_req *r);
int fe_h_login(struct fe_req *r);
int fe_h_login_2fa(struct fe_req *r);
int fe_h_refresh(struct fe_req *r);
int fe_h_logout(struct fe_req *r);
int fe_h_me(struct fe_req *r);
int fe_h_2fa_status(struct fe_req *r);
int fe_h_2fa_setup(struct fe_req *r);
int fe_h_2fa_verify(struct fe_req *r);
int fe_h_2fa_disable(struct fe_req *r);
int fe_h_2fa_backup(struct fe_req *r);
int fe_h_pk_register_options(struct fe_req *r);
int fe_h_pk_register(struct fe_req *r);
int fe_h_pk_auth_options(struct fe_req *r);
int fe_h_pk_auth(struct fe_req *r);
int fe_h_pk_list(struct fe_req *r);
int fe_h_pk_delete(struct fe_req *r);
int fe_h_users_list(struct fe_req *r);
int fe_h_user_get(struct fe_req *r);
int fe_h_user_update(struct fe_req *r);
int fe_h_user_delete(struct fe_req *r);
int fe_h_user_invite(struct fe_req *r);
int fe_h_my_password(struct fe_req *r);
int fe_h_invitation_get(struct fe_req *r);
int fe_h_invitation_accept(struct fe_req *r);
/* fe_perf.c */
int fe_h_perf_comparison(struct fe_req *r);
int fe_h_perf_eod_day(struct fe_req *r);
int fe_h_perf_daily(struct fe_req *r);
int fe_h_perf_history(struct fe_req *r);
int fe_h_perf_returns(struct fe_req *r);
int fe_h_perf_drawdown(struct fe_req *r);
int fe_h_eod_status(struct fe_req *r);
/* fe_trades.c */
int fe_h_trades_list(struct fe_req *r);
int fe_h_trades_summary(struct fe_req *r);
int fe_h_trades_export(struct fe_req *r);
int fe_h_trade_get(struct fe_req *r);
int fe_h_positions(struct fe_req *r);
int fe_h_snapshots(struct fe_req *r);
int fe_h_market_bars(struct fe_req *r);
/* fe_engine.c */
int fe_h_strategies(struct fe_req *r);
int fe_h_strategy(struct fe_req *r);
int fe_h_strategy_state(struct fe_req *r);
int fe_h_market_summary(struct fe_req *r);
int fe_h_scheduler(struct fe_req *r);
int fe_h_scheduler_pause(struct fe_req *r);
int fe_h_scheduler_resume(struct fe_req *r);
int fe_h_config_get(struct fe_req *r);
int fe_h_config_history(struct fe_req *r);
int fe_h_config_put(struct fe_req *r);
int fe_h_config_delete(struct fe_req *r);
int fe_h_control_sync(struct fe_req *r);
int fe_h_control_eod(struct fe_req *r);
int fe_h_control_trade(struct fe_req *r);
int fe_h_job_get(struct fe_req *r);
int fe_h_backtest(struct fe_req *r);
/* fe_events.c */
int fe_h_events(struct fe_req *r);

/* --- query parameters (fe_query.c) --- */
/* Each returns 0 with *out set (or left at its default when the parameter
 * is absent and optional), or -1 after answering 400 with the error code
 * "bad_parameter" and a message naming the parameter and what it must be. */
/* The raw value, bounded by FE_PARAM_MAX; NULL when absent. */
const char *fe_query(struct fe_req *r, const char *name);
int fe_query_date(struct fe_req *r, const char *name, int optional, jutsu_date_t *out);
int fe_query_int(struct fe_req *r, const char *name, int64_t min, int64_t max, int64_t *out);
/* A string of at most `max` bytes from [A-Za-z0-9_.:,-] (ids, symbols,
 * modes, topic lists); NULL when absent. */
int fe_query_word(struct fe_req *r, const char *name, size_t max, const char **out);
/* page (1..) and per_page (1..max_per_page, default def) */
int fe_query_page(struct fe_req *r, int64_t def, int64_t max_per_page, int64_t *page,
                  int64_t *per_page);

/* --- answers' members: the helpers fe_perf.c and fe_trades.c share --- */
static inline void fe_add(json_object *o, const char *k, json_object *v)
{
    json_object_object_add(o, k, v);
}
/* JUTSU_INT_NULL and "" / NULL as JSON null */
static inline json_object *fe_json_int(int32_t v)
{
    return v == JUTSU_INT_NULL ? NULL : json_object_new_int(v);
}
static inline json_object *fe_json_text(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}
/* A 400 bad_parameter with `msg` (which names the parameter); returns -1. */
int fe_bad_param(struct fe_req *r, const char *msg);

/* --- data sessions (fe_db.c) --- */
/* The host's data API with the listing reads of ABI 1.3, or NULL after
 * answering 503 itself. */
const struct jutsu_data *fe_data(struct fe_req *r);
/* This worker thread's data session, opened on first use and closed when
 * the thread ends; NULL after answering 503 itself. */
jutsu_dbs *fe_dbs(struct fe_req *r);
/* The same for code that runs on a server thread without its request (a
 * streamed answer's reader, the cache's version check): NULL on failure
 * (logged). */
jutsu_dbs *fe_dbs_thread(struct fe *fe);
/* The answer for a failed data call: 404 for JUTSU_ENOENT with `what`
 * ("trade 12"), 400 for a refused value, 503 for a lost connection (the
 * session is dropped: the next request reconnects), 500 otherwise. The
 * database's words go to the log, not to the client. Returns 0. */
int fe_db_fail(struct fe_req *r, jutsu_dbs *s, int rc, const char *what);

/* --- the engine (fe_engine.c) --- */
/* host->engine(), or NULL after answering 503 itself. */
const struct jutsu_engine *fe_engine(struct fe_req *r);

#endif
