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
 */
#ifndef JUTSU_FE_H
#define JUTSU_FE_H

#include <json-c/json.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "jutsu/host.h"
#include "jutsu/session.h"

struct MHD_Daemon;
struct MHD_Connection;

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
};

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
    int64_t                t0_us;
    const struct fe_route *route;
    int                    authed;
    /* the answer */
    int                    status;
    json_object           *json;      /* a JSON body, or          */
    char                  *raw;       /* a raw one (malloc'd)      */
    size_t                 raw_len;
    const char            *ctype;
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
};

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

#endif
