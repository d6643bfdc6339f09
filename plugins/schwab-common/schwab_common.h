/*
 * plugins/schwab-common/schwab_common.h — what every Schwab plugin shares:
 * the OAuth2 token store and refresh flow, the HTTP client with its rate
 * limiter and retry policy, and the config keys that drive them.
 *
 * This is not a plugin. CMake builds these files into `schwab_common`, a
 * static, position-independent library compiled with hidden visibility,
 * which source-schwab.so and broker-schwab.so each link a copy of. So the
 * plugins share code at build time and nothing at run time: each .so still
 * exports only jutsu_plugin_describe, and nothing here holds global state
 * (libcurl's global init is reference counted by libcurl).
 *
 * A plugin embeds a struct schwab in its state, calls schwab_setup() from
 * its init and schwab_teardown() from its destroy. Instances that name the
 * same token_file (a source and a broker, in one process or several) share
 * the tokens: the file lock serialises their refreshes.
 *
 * Threading: every function may be called from several threads at once.
 * The rate limiter and the token store have their own mutexes; a struct
 * schwab_conn belongs to one thread at a time.
 */
#ifndef SCHWAB_COMMON_H
#define SCHWAB_COMMON_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "jutsu/config.h"
#include "jutsu/host.h"

/* A response body larger than this is refused (20 years of daily candles
 * are about 600 KB; two months of 5-minute candles about 1 MB). */
#define SCHWAB_MAX_BODY (32u << 20)
/* A refresh token lives 7 days after the browser login. */
#define SCHWAB_REFRESH_LIFETIME_S (7 * 86400)
/* What Schwab's token endpoint says an access token lives, if it does not. */
#define SCHWAB_ACCESS_LIFETIME_S 1800

struct schwab_token {
    char   *access_token;
    char   *refresh_token;
    int64_t access_expires_at;   /* epoch seconds */
    int64_t refresh_expires_at;  /* epoch seconds */
    int64_t obtained_at;         /* epoch seconds of the last token answer */
};

struct schwab {
    const struct jutsu_host *host;
    jutsu_ctx *ctx;
    const char *agent;           /* User-Agent, static: "jutsu-source-schwab/1.0" */
    const char *service;         /* what stops without tokens: "market data from Schwab" */

    /* redirect_uri is NULL for a plugin without the login flow */
    char   *app_key, *app_secret, *redirect_uri, *token_file, *api_base, *auth_base;
    double  requests_per_second;
    int64_t timeout_ms, retries, backoff_ms, refresh_margin_s;

    /* rate limit: the monotonic instant (µs) at which the next request may
     * start; each caller reserves its slot under the mutex, then sleeps */
    pthread_mutex_t rate_mu;
    int64_t         next_slot_us;
    int64_t         interval_us;

    /* token store: one refresh at a time in this process (the file lock
     * serialises processes, and instances sharing the file) */
    pthread_mutex_t tok_mu;
    int64_t         warned_refresh_expiry;  /* refresh_expires_at last warned about */
};

/* --- config and lifecycle (schwab_setup.c) -------------------------------- */

/* The shared settings, as host->cfg_fill writes them. Strings are the
 * host's, valid until destroy (schwab_setup copies what it keeps). */
struct schwab_conf {
    const char *app_key, *app_secret;
    const char *redirect_uri;        /* NULL: the plugin has no login flow */
    const char *token_file, *api_base, *auth_base;
    double      requests_per_second;
    int64_t     timeout_ms, retries, backoff_ms, refresh_margin_s;
};

/*
 * The schema rows every Schwab plugin declares, so that the keys, their
 * defaults (above all token_file's: instances find each other's tokens
 * through it) and their help are written once. A plugin's config struct S
 * embeds a struct schwab_conf as member m, and its table is
 *
 *   SCHWAB_CFG_CREDENTIALS(S, m), ...its own keys...,
 *   SCHWAB_CFG_TRANSPORT("help of api_base", S, m), JUTSU_CFG_END
 *
 * so that one host->cfg_fill fills the shared and the plugin's own keys.
 * redirect_uri belongs to the login flow and is declared by the plugin
 * that offers it (SCHWAB_CFG_REDIRECT_URI(S, m)); without it the member
 * keeps the NULL the plugin zeroed it to.
 */
/* NOLINTBEGIN(bugprone-macro-parentheses): m names a member, which cannot be
 * parenthesised */
#define SCHWAB_CFG_CREDENTIALS(S, m)                                                   \
    { .name = "app_key", .type = JUTSU_CFG_STR,                                        \
      .flags = JUTSU_CFG_REQUIRED | JUTSU_CFG_SECRET | JUTSU_CFG_FIELD,                \
      .offset = JUTSU_CFG_OFFSET(S, m.app_key, JUTSU_CFG_STR),                         \
      .help = "The app's key (client id) from developer.schwab.com" },                 \
    { .name = "app_secret", .type = JUTSU_CFG_STR,                                     \
      .flags = JUTSU_CFG_REQUIRED | JUTSU_CFG_SECRET | JUTSU_CFG_FIELD,                \
      .offset = JUTSU_CFG_OFFSET(S, m.app_secret, JUTSU_CFG_STR),                      \
      .help = "The app's secret from developer.schwab.com" }

#define SCHWAB_CFG_REDIRECT_URI(S, m)                                                  \
    JUTSU_CFG_KEY_AT("redirect_uri", JUTSU_CFG_STR, "https://127.0.0.1:8182",          \
                     "The app's callback URL, exactly as registered with Schwab",      \
                     S, m.redirect_uri)

#define SCHWAB_CFG_TRANSPORT(api_help, S, m)                                           \
    JUTSU_CFG_PATH_AT("token_file", 0, "var/schwab-token.json",                        \
                      "Where the OAuth2 tokens are kept (mode 0600; relative to the "  \
                      "config file's folder); `jutsu schwab login` writes it",         \
                      S, m.token_file),                                                \
    JUTSU_CFG_KEY_AT("api_base", JUTSU_CFG_STR, "https://api.schwabapi.com", api_help, \
                     S, m.api_base),                                                   \
    JUTSU_CFG_KEY_AT("auth_base", JUTSU_CFG_STR, "https://api.schwabapi.com",          \
                     "Base URL of the OAuth2 endpoints (/v1/oauth/authorize and "      \
                     "/v1/oauth/token)", S, m.auth_base),                              \
    JUTSU_CFG_KEY_AT("requests_per_second", JUTSU_CFG_DOUBLE, "2",                     \
                     "At most this many requests start per second (Schwab allows "     \
                     "about 2)", S, m.requests_per_second),                            \
    JUTSU_CFG_INT_RANGE_AT("timeout_ms", "10000", 100, 600000,                         \
                           "Timeout of one HTTP request, in milliseconds",             \
                           S, m.timeout_ms),                                           \
    JUTSU_CFG_INT_RANGE_AT("retries", "3", 0, 10,                                      \
                           "Retries after a 429, a 5xx or a network failure",          \
                           S, m.retries),                                              \
    JUTSU_CFG_INT_RANGE_AT("backoff_ms", "500", 0, 60000,                              \
                           "First back-off before a retry, doubled each time (a "      \
                           "Retry-After header wins)", S, m.backoff_ms),               \
    JUTSU_CFG_INT_RANGE_AT("refresh_margin_s", "60", 0, 1500,                          \
                           "Refresh the access token when it expires within this "     \
                           "many seconds", S, m.refresh_margin_s)
/* NOLINTEND(bugprone-macro-parentheses) */

/*
 * Initialises s (which the caller zeroed) for one instance: libcurl's
 * global state, the mutexes, and the shared settings from `conf` (which
 * the plugin filled with host->cfg_fill; the strings are copied). `agent`
 * is the User-Agent, and `service` says what stops when the tokens run
 * out ("market data from Schwab"); both are static strings. On failure
 * everything is undone and the reason is in set_error: JUTSU_ECONFIG,
 * JUTSU_EIO (libcurl) or JUTSU_ENOMEM. Call from init only (libcurl's
 * global init is not thread-safe on every build).
 */
int  schwab_setup(struct schwab *s, const struct jutsu_host *host, jutsu_ctx *ctx,
                  const struct schwab_conf *conf, const char *agent, const char *service);
/* Frees what schwab_setup made. Call from destroy only. */
void schwab_teardown(struct schwab *s);

/* --- HTTP (schwab_http.c) ----------------------------------------------- */

struct schwab_conn;   /* one libcurl handle, used by one thread */

struct schwab_resp {
    long   status;     /* HTTP status, 0 if no answer                       */
    char  *body;       /* NUL-terminated; owned, free with schwab_resp_free */
    size_t len;
    char  *location;   /* the Location header, or NULL; owned             */
};

/* One request. Unset fields are NULL or 0. */
struct schwab_req {
    const char *what;     /* names the request in messages: "pricehistory QQQ 1D" */
    const char *method;   /* "GET" (NULL: GET, or POST when there is a body), "POST", "DELETE" */
    const char *url;
    const char *bearer;   /* an access token for Authorization: Bearer */
    int         basic;    /* nonzero: app_key:app_secret as HTTP Basic */
    const char *body;     /* a request body (POST)                     */
    const char *content_type;  /* of body; NULL: application/x-www-form-urlencoded */
    /* Non-NULL for a request that must not take effect twice (an order).
     * It is then repeated only when it surely did not reach Schwab (a 429,
     * or a connection that could not be made); after a 5xx, a timeout or
     * a dropped connection the outcome is unknown, and the request fails
     * with JUTSU_ETIMEDOUT and this text, which says what a person should
     * check, in the message. It also gets a connection of its own, so
     * that libcurl never silently re-sends it on a stale reused one. */
    const char *once;
};

int  schwab_conn_open(struct schwab *s, struct schwab_conn **out);
void schwab_conn_close(struct schwab_conn *c);
void schwab_resp_free(struct schwab_resp *r);

/*
 * One logical request: waits for the rate limiter, sends, and on 429, 5xx
 * or a network failure waits (Retry-After, else exponential back-off from
 * backoff_ms) and tries again, up to `retries` more times (see `once`).
 *
 * Returns 0 with any other final status in r (the caller judges 4xx), or
 * JUTSU_ERATELIMIT (still 429), JUTSU_ETRANSIENT (5xx, network, timeout),
 * JUTSU_ETIMEDOUT (a `once` request whose outcome is unknown),
 * JUTSU_ECONFIG (a URL libcurl cannot use), JUTSU_EMALFORMED (an answer
 * over SCHWAB_MAX_BODY), JUTSU_ENOMEM, after host->set_error. r is always
 * left fit for schwab_resp_free.
 */
int  schwab_send(struct schwab *s, struct schwab_conn *c, const struct schwab_req *q,
                 struct schwab_resp *r);

/* schwab_send of a GET, or of a form POST when `form` is non-NULL. */
int  schwab_request(struct schwab *s, struct schwab_conn *c, const char *what,
                    const char *url, const char *bearer, int basic, const char *form,
                    struct schwab_resp *r);

/*
 * schwab_send with a current access token (q->bearer is ignored): the
 * token is refreshed first if it is about to expire, and if the API
 * answers 401 it is refreshed once more and the request repeated (a 401
 * means the request was not carried out, so this is safe for `once`
 * requests too). A 401 after that is left in r for the caller to judge.
 * JUTSU_EAUTH when a person must run `jutsu schwab login`.
 */
int  schwab_send_authed(struct schwab *s, struct schwab_conn *c, const struct schwab_req *q,
                        struct schwab_resp *r);

/* Percent-encodes text for a query or form value (RFC 3986 unreserved
 * characters stay). NULL if out of memory. Caller frees. */
char *schwab_urlencode(const char *text);
/* A short, printable excerpt of an error body for messages: the OAuth
 * error and its description, Schwab's errors[0].detail or message, or the
 * first bytes of the text. Writes at most size bytes. */
void  schwab_error_text(const char *body, char *out, size_t size);

/* --- the token file (schwab_token.c) ------------------------------------- */

void schwab_token_clear(struct schwab_token *t);
/* Reads and checks the token file (mode 0600 or stricter). JUTSU_EAUTH
 * with a message saying what to do when it is missing, too open, or
 * incomplete; JUTSU_EIO when it cannot be read. */
int  schwab_token_read(struct schwab *s, int fd, struct schwab_token *t);
/* Opens the token file and takes an exclusive lock on it (flock), making
 * sure the locked file is the one the path names (a writer may have
 * renamed a new one over it meanwhile). *fd is -1 when there is no file. */
int  schwab_token_lock(struct schwab *s, int *fd);
/* Writes the tokens atomically: a temporary file in the same directory
 * with mode 0600, fsync, rename over the path. Creates the directory if
 * it is missing. */
int  schwab_token_write(struct schwab *s, const struct schwab_token *t);

/* --- OAuth2 (schwab_oauth.c) --------------------------------------------- */

/*
 * A valid access token for a request, refreshed first when it expires
 * within refresh_margin_s, or when it is still `rejected` (the token the
 * API just answered 401 to; NULL if none: a token another thread has
 * refreshed meanwhile is not refreshed again). The copy in *out is the
 * caller's to free. JUTSU_EAUTH when a person must run `jutsu schwab
 * login`, with the exact message in set_error.
 */
int  schwab_access_token(struct schwab *s, struct schwab_conn *c, const char *rejected,
                         char **out);
/* {auth_base}/v1/oauth/authorize?client_id=...&redirect_uri=... */
int  schwab_authorize_url(struct schwab *s, char **out);
/* Takes the authorization code, or the whole redirect URL the browser was
 * sent to (its code parameter is percent-decoded), exchanges it at the
 * token endpoint and writes the token file. On success, *t (may be NULL)
 * receives the stored tokens. */
int  schwab_exchange_code(struct schwab *s, const char *code_or_url, struct schwab_token *t);
/* The code from a pasted redirect URL or bare code; JUTSU_EAUTH if the
 * URL carries error=... instead, JUTSU_EINVAL if there is no code.
 * Caller frees *code. Exposed for the tests of odd inputs. */
int  schwab_parse_code(struct schwab *s, const char *input, char **code);

/* Seconds since the epoch, from the host's clock. */
int64_t schwab_now_s(struct schwab *s);

#endif
