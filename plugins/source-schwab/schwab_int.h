/*
 * plugins/source-schwab/schwab_int.h — what the files of source-schwab
 * share: the instance state, the HTTP client (schwab_http.c), the token
 * store (schwab_token.c), the OAuth2 calls (schwab_oauth.c) and the
 * price-history reader (schwab_candles.c). Nothing here is exported from
 * the .so (it is built with hidden visibility).
 *
 * Threading: every function may be called from several fetching threads
 * at once. The rate limiter and the token store have their own mutexes;
 * a struct schwab_conn belongs to one thread (one per fetch or login).
 */
#ifndef SCHWAB_INT_H
#define SCHWAB_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "jutsu/host.h"
#include "jutsu/source.h"

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

    char   *app_key, *app_secret, *redirect_uri, *token_file, *api_base, *auth_base;
    double  requests_per_second;
    int64_t timeout_ms, retries, backoff_ms, refresh_margin_s;

    /* rate limit: the monotonic instant (µs) at which the next request may
     * start; each caller reserves its slot under the mutex, then sleeps */
    pthread_mutex_t rate_mu;
    int64_t         next_slot_us;
    int64_t         interval_us;

    /* token store: one refresh at a time in this process (the file lock
     * serialises processes) */
    pthread_mutex_t tok_mu;
    int64_t         warned_refresh_expiry;  /* refresh_expires_at last warned about */
};

/* --- HTTP (schwab_http.c) ----------------------------------------------- */

struct schwab_conn;   /* one libcurl handle, used by one thread */

struct schwab_resp {
    long   status;     /* HTTP status, 0 if no answer                       */
    char  *body;       /* NUL-terminated; owned, free with schwab_resp_free */
    size_t len;
};

int  schwab_conn_open(struct schwab *s, struct schwab_conn **out);
void schwab_conn_close(struct schwab_conn *c);
void schwab_resp_free(struct schwab_resp *r);

/*
 * One logical request: waits for the rate limiter, sends, and on 429, 5xx
 * or a network failure waits (Retry-After, else exponential back-off from
 * backoff_ms) and tries again, up to `retries` more times. `bearer` (an
 * access token) or `basic` (nonzero: app_key:app_secret as HTTP Basic) set
 * the Authorization header; `form` non-NULL makes it a POST of
 * application/x-www-form-urlencoded. `what` names the request in messages.
 *
 * Returns 0 with any other final status in r (the caller judges 4xx), or
 * JUTSU_ERATELIMIT (still 429), JUTSU_ETRANSIENT (5xx, network, timeout),
 * JUTSU_ENOMEM, after host->set_error.
 */
int  schwab_request(struct schwab *s, struct schwab_conn *c, const char *what,
                    const char *url, const char *bearer, int basic, const char *form,
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

/* --- price history (schwab_candles.c) ------------------------------------ */

/* The query for one fetch, or JUTSU_ENOTFOUND for a timeframe Schwab
 * does not serve. Caller frees *url. */
int  schwab_history_url(struct schwab *s, const struct jutsu_fetch_req *req, char **url);
/* Reads a pricehistory answer and delivers its candles in [from, to]
 * (hourly bars built from half-hour candles). *delivered counts the bars.
 * JUTSU_EMALFORMED when the answer as a whole cannot be read; a positive
 * value when the sink stopped the fetch. */
int  schwab_candles(struct schwab *s, const struct jutsu_fetch_req *req, const char *body,
                    size_t len, const struct jutsu_source_sink *sink, size_t *delivered);

/* Seconds since the epoch, from the host's clock. */
int64_t schwab_now_s(struct schwab *s);

#endif
