/*
 * plugins/source-schwab/schwab_plugin.c — source-schwab: bars from the
 * Charles Schwab Market Data API (GET /marketdata/v1/pricehistory), with
 * OAuth2 tokens kept in a token file. The descriptor, its config schema,
 * init/destroy, the source ops (caps, fetch) and the login flow.
 *
 * The login flow needs a person and a browser, once every 7 days: it is
 * the source op `login` (include/jutsu/source.h), which `jutsu schwab
 * login` calls with stdin and stdout.
 *
 * The OAuth2 tokens, the HTTP client and most config keys are shared with
 * broker-schwab through the static library in plugins/schwab-common.
 *
 * Concurrency: fetch may run on several threads at once
 * (JUTSU_SOURCE_CONCURRENT): each call has its own curl handle; the rate
 * limiter and the token store lock for themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/log.h"
#include "jutsu/plugin.h"
#include "schwab_int.h"

/* An empty answer for a range at least this long means Schwab does not
 * know the symbol: every listed symbol trades within 30 days. */
#define UNKNOWN_SPAN_DAYS 30

/* The settings: the shared ones of schwab-common, login flow included. */
struct src_conf {
    struct schwab_conf schwab;
};

static const struct jutsu_cfg_key schema[] = {
    SCHWAB_CFG_CREDENTIALS(struct src_conf, schwab),
    SCHWAB_CFG_REDIRECT_URI(struct src_conf, schwab),
    SCHWAB_CFG_TRANSPORT("Base URL of the Market Data API", struct src_conf, schwab),
    JUTSU_CFG_END
};

static const char *const timeframes[] = { "1D", "1H", "5m", "15m", NULL };

/* --- fetch ----------------------------------------------------------------- */

/* What a pricehistory status other than 200 means. */
static int judge(struct schwab *s, const struct jutsu_fetch_req *req, const struct schwab_resp *r)
{
    char why[300];
    schwab_error_text(r->body, why, sizeof(why));
    /* Schwab's "invalid symbol" answers are 400s that name the symbol */
    if (r->status == 404 || (r->status == 400 && strcasestr(r->body, "symbol") != NULL)) {
        s->host->set_error(s->ctx, "Schwab does not know the symbol %s (HTTP %ld: %s)",
                           req->symbol, r->status, why);
        return JUTSU_ENOTFOUND;
    }
    switch (r->status) {
    case 401:
        s->host->set_error(s->ctx, "pricehistory %s: Schwab refused the access token even "
                           "after a refresh (HTTP 401: %s); run `jutsu schwab login` to "
                           "authorise again", req->symbol, why);
        return JUTSU_EAUTH;
    case 403:
        s->host->set_error(s->ctx, "pricehistory %s: HTTP 403 (%s): is the app subscribed to "
                           "the Market Data product at developer.schwab.com?", req->symbol, why);
        return JUTSU_EAUTH;
    default:
        break;
    }
    s->host->set_error(s->ctx, "pricehistory %s %s: HTTP %ld (%s)", req->symbol,
                       req->timeframe, r->status, why);
    return r->status == 400 ? JUTSU_EINVAL : JUTSU_ETRANSIENT;
}

static int schwab_fetch(void *state, const struct jutsu_fetch_req *req,
                        const struct jutsu_source_sink *sink)
{
    struct schwab *s = state;
    struct schwab_conn *c = NULL;
    struct schwab_resp r = { 0 };
    char *url = NULL, what[64];
    size_t candles = 0;
    if (req == NULL || req->size < sizeof(*req) || req->symbol == NULL ||
        req->timeframe == NULL || sink == NULL || sink->size < sizeof(*sink) ||
        sink->bars == NULL)
        return JUTSU_EINVAL;
    int rc = schwab_history_url(s, req, &url);
    jutsu_time_t now = s->host->now(s->ctx);
    /* nothing can be asked of an empty range, or one wholly in the future
     * or before 1970 */
    if (rc != 0 || req->from > req->to || req->to < 0 || req->from > now)
        goto out;
    snprintf(what, sizeof(what), "pricehistory %.16s %s", req->symbol, req->timeframe);
    /* with a fresh token; after a 401, once more with a refreshed one */
    struct schwab_req q = { .what = what, .url = url };
    if ((rc = schwab_conn_open(s, &c)) != 0 || (rc = schwab_send_authed(s, c, &q, &r)) != 0)
        goto out;
    if (r.status != 200) {
        rc = judge(s, req, &r);
        goto out;
    }
    rc = schwab_candles(s, req, r.body, r.len, sink, &candles);
    jutsu_time_t last = req->to < now ? req->to : now, first = req->from > 0 ? req->from : 0;
    if (rc == 0 && candles == 0 && last - first >= UNKNOWN_SPAN_DAYS * JUTSU_USEC_PER_DAY) {
        char a[JUTSU_DATE_BUFSZ], b[JUTSU_DATE_BUFSZ];
        jutsu_date_format(jutsu_time_to_date(first), a);
        jutsu_date_format(jutsu_time_to_date(last), b);
        s->host->set_error(s->ctx, "Schwab has no %s bars of %s from %s to %s (%d days or "
                           "more): an unknown or delisted symbol, or a range beyond Schwab's "
                           "history", req->timeframe, req->symbol, a, b, UNKNOWN_SPAN_DAYS);
        rc = JUTSU_ENOTFOUND;
    }
out:
    schwab_resp_free(&r);
    schwab_conn_close(c);
    free(url);
    return rc;
}

static int schwab_caps(void *state, struct jutsu_source_caps *out)
{
    struct schwab *s = state;
    if (out == NULL)
        return JUTSU_EINVAL;
    double rpm = s->requests_per_second * 60;
    out->timeframes = timeframes;
    out->history_days = 20 * 365;   /* period=20 years of daily candles */
    out->requests_per_minute = rpm < 1 ? 1 : rpm > 1e6 ? 1000000 : (int32_t)(rpm + 0.5);
    out->flags = JUTSU_SOURCE_CONCURRENT;
    return 0;
}

/* --- login ------------------------------------------------------------------ */

/*
 * The browser flow, for `jutsu schwab login` (the source op `login`): prints the address to
 * open to `out`, reads the address the browser was sent to (or the bare
 * code) from one line of `in`, exchanges the code and writes the token
 * file. 0, or an error after set_error (JUTSU_EAUTH: refused by Schwab;
 * JUTSU_EINVAL: nothing usable was pasted).
 */
static int schwab_login(void *state, FILE *in, FILE *out)
{
    struct schwab *s = state;
    struct schwab_token t = { 0 };
    char *url = NULL, *line = NULL, until[JUTSU_TIME_BUFSZ];
    size_t cap = 0;
    if (in == NULL || out == NULL)
        return JUTSU_EINVAL;
    int rc = schwab_authorize_url(s, &url);
    if (rc != 0)
        return rc;
    fprintf(out, "1. Open this address in a browser and log in with your Schwab account:\n\n"
            "   %s\n\n"
            "2. Approve the access. Schwab then sends the browser to %s/?code=...\n"
            "   (that page may fail to load: that is expected).\n"
            "3. Within 30 seconds, copy the whole address from the address bar and paste it "
            "here:\n> ", url, s->redirect_uri);
    fflush(out);
    free(url);
    if (getline(&line, &cap, in) < 0) {
        s->host->set_error(s->ctx, "no address was pasted (end of input): run `jutsu schwab "
                           "login` again");
        free(line);
        return JUTSU_EINVAL;
    }
    rc = schwab_exchange_code(s, line, &t);
    free(line);
    if (rc != 0)
        return rc;
    jutsu_time_format(t.refresh_expires_at * JUTSU_USEC_PER_SEC, until);
    fprintf(out, "\nAuthorised. The tokens are in %s (mode 0600).\n"
            "Access tokens are refreshed automatically until %s;\n"
            "run `jutsu schwab login` again before then.\n", s->token_file, until);
    fflush(out);
    schwab_token_clear(&t);
    return 0;
}

/* --- init / destroy ----------------------------------------------------------- */

static void schwab_destroy(void *state)
{
    struct schwab *s = state;
    if (s == NULL)
        return;
    schwab_teardown(s);
    free(s);
}

static int schwab_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct src_conf conf = { 0 };
    struct schwab *s;
    struct stat st;
    int rc;
    if (host->cfg_fill(ctx, &conf) != 0)
        return JUTSU_ECONFIG;       /* the host has said which key, and why */
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return JUTSU_ENOMEM;
    if ((rc = schwab_setup(s, host, ctx, &conf.schwab, "jutsu-source-schwab/1.0",
                           "market data from Schwab")) != 0) {
        free(s);
        return rc;
    }
    /* no token yet is no reason to fail: `jutsu schwab login` needs this
     * instance running to write one */
    if (stat(s->token_file, &st) != 0)
        host->log(ctx, JUTSU_LOG_WARN, "no Schwab token file at %s yet: run `jutsu schwab "
                  "login` before syncing from Schwab", s->token_file);
    host->log(ctx, JUTSU_LOG_INFO, "Schwab market data from %s, at most %g request(s)/s, "
              "tokens in %s", s->api_base, s->requests_per_second, s->token_file);
    *state = s;
    return 0;
}

static const struct jutsu_source_ops ops = {
    .size  = sizeof(struct jutsu_source_ops),
    .caps  = schwab_caps,
    .fetch = schwab_fetch,
    .login = schwab_login,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_SOURCE,
    .name        = "source-schwab",
    .version     = "1.0.0",
    .description = "Market data bars from the Charles Schwab API (OAuth2; 1D, 1H, 5m, 15m)",
    .schema      = schema,
    .init        = schwab_init,
    .destroy     = schwab_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
