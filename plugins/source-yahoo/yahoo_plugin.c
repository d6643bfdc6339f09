/*
 * plugins/source-yahoo/yahoo_plugin.c — source-yahoo: bars from Yahoo
 * Finance's v8 chart API over libcurl. The descriptor, its config schema,
 * init/destroy and the source ops (caps, fetch).
 *
 *   GET {base_url}/v8/finance/chart/{SYMBOL}?period1={from s}&period2={to s}
 *       &interval=1d&events=div%2Csplits&includeAdjustedClose=true
 *
 * yahoo_http.c does the GET with retries and back-off, yahoo_parse.c reads
 * the answer. No key is needed; Yahoo expects an honest User-Agent.
 *
 * Threads: fetch may run on any thread, one at a time per instance (the
 * instance's curl handle is reused between fetches to keep the connection
 * open); separate instances may fetch in parallel. libcurl's global state
 * is set up in init and released in destroy: curl_global_init and
 * curl_global_cleanup count their calls, so every instance of this plugin
 * and of any other curl-using plugin may pair its own; they are called on
 * the main thread only (jutsu/plugin.h), and libcurl 7.84+ makes them
 * thread-safe besides (CURL_VERSION_THREADSAFE). We never install signal
 * handlers (CURLOPT_NOSIGNAL), which a multi-threaded host requires.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/log.h"
#include "jutsu/plugin.h"
#include "jutsu/version.h"
#include "yahoo_int.h"

#define DEFAULT_UA "jutsu/" JUTSU_VERSION " (+https://github.com/jutsu-labs)"

/* Canonical timeframe -> Yahoo's interval parameter. */
static const struct {
    const char *timeframe, *interval;
} intervals[] = {
    { "1D", "1d" }, { "1H", "60m" }, { "5m", "5m" }, { "15m", "15m" },
};
static const char *const timeframes[] = { "1D", "1H", "5m", "15m", NULL };

/* The settings, as host->cfg_fill writes them from the schema below. */
struct yahoo_conf {
    const char *base_url, *user_agent;   /* the host's, valid until destroy */
    int64_t     timeout_ms, retries, backoff_ms;
};

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_KEY_AT("base_url", JUTSU_CFG_STR, "https://query1.finance.yahoo.com",
                     "Where the chart API lives (http:// or https://); tests point it at a "
                     "local server", struct yahoo_conf, base_url),
    JUTSU_CFG_INT_RANGE_AT("timeout_ms", "10000", 100, 600000,
                           "Longest time one request may take, connecting included",
                           struct yahoo_conf, timeout_ms),
    JUTSU_CFG_INT_RANGE_AT("retries", "3", 0, 10,
                           "Retries after a first failed attempt (429, 5xx, network, timeout)",
                           struct yahoo_conf, retries),
    JUTSU_CFG_INT_RANGE_AT("backoff_ms", "500", 0, 30000,
                           "Wait before the first retry, doubled before each next one; a "
                           "429's Retry-After wins; never more than 30 s",
                           struct yahoo_conf, backoff_ms),
    JUTSU_CFG_KEY_AT("user_agent", JUTSU_CFG_STR, DEFAULT_UA,
                     "The User-Agent header sent with every request",
                     struct yahoo_conf, user_agent),
    JUTSU_CFG_END
};

static const char *interval_of(const char *timeframe)
{
    for (size_t i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++)
        if (strcmp(intervals[i].timeframe, timeframe) == 0)
            return intervals[i].interval;
    return NULL;
}

/* The URL for messages: any user:password@ in base_url masked. */
static char *shown_url(const char *url)
{
    char *out = strdup(url);
    const char *host = strstr(url, "://");
    if (out == NULL || host == NULL)
        return out;
    host += 3;
    const char *at = strchr(host, '@'), *slash = strchr(host, '/');
    if (at && (slash == NULL || at < slash)) {
        free(out);
        out = NULL;
        if (asprintf(&out, "%.*s***%s", (int)(host - url), url, at) < 0)
            out = NULL;
    }
    return out;
}

/* Seconds for period1/period2: from rounded down, to rounded up (both are
 * inclusive instants), clamped to what Yahoo can have. */
static int64_t seconds(jutsu_time_t t, int up)
{
    const int64_t lo = INT64_C(-2208988800);            /* 1900-01-01 */
    const int64_t hi = INT64_C(32503680000);            /* 3000-01-01 */
    int64_t s = t / JUTSU_USEC_PER_SEC;
    if (t % JUTSU_USEC_PER_SEC != 0 && (t < 0) != up)
        s += up ? 1 : -1;
    return s < lo ? lo : s > hi ? hi : s;
}

static int make_url(struct yahoo_src *s, const struct jutsu_fetch_req *req,
                    const char *interval, char **url)
{
    char *sym = curl_easy_escape(s->curl, req->symbol, 0);
    if (sym == NULL)
        return JUTSU_ENOMEM;
    int n = asprintf(url, "%s/v8/finance/chart/%s?period1=%" PRId64 "&period2=%" PRId64
                     "&interval=%s&events=div%%2Csplits&includeAdjustedClose=true",
                     s->base_url, sym, seconds(req->from, 0), seconds(req->to, 1), interval);
    curl_free(sym);
    if (n < 0) {
        *url = NULL;
        return JUTSU_ENOMEM;
    }
    return 0;
}

static int yahoo_fetch(void *state, const struct jutsu_fetch_req *req,
                       const struct jutsu_source_sink *sink)
{
    struct yahoo_src *s = state;
    struct yahoo_body body = { 0 };
    char *url = NULL, *shown = NULL;
    long status = 0;
    int rc;
    if (req == NULL || req->size < sizeof(*req) || req->symbol == NULL || !req->symbol[0] ||
        req->timeframe == NULL || sink == NULL || sink->size < sizeof(*sink) ||
        sink->bars == NULL)
        return JUTSU_EINVAL;
    const char *interval = interval_of(req->timeframe);
    if (interval == NULL) {
        s->host->set_error(s->ctx, "Yahoo offers no %s bars (it has 1D, 1H, 5m and 15m)",
                           req->timeframe);
        return JUTSU_ENOTFOUND;
    }
    if (req->from > req->to)
        return 0;
    if ((rc = make_url(s, req, interval, &url)) != 0)
        goto done;
    if ((shown = shown_url(url)) == NULL) {
        rc = JUTSU_ENOMEM;
        goto done;
    }
    if ((rc = yahoo_http_get(s, url, shown, &status, &body)) == 0)
        rc = yahoo_parse(s, req, shown, status, &body, sink);
done:
    jutsu_buf_free(&body.buf);
    free(shown);
    free(url);
    return rc;
}

static int yahoo_caps(void *state, struct jutsu_source_caps *out)
{
    if (out == NULL)
        return JUTSU_EINVAL;
    out->timeframes = timeframes;
    out->history_days = 0;           /* daily bars go back to a fund's first day */
    out->requests_per_minute = 0;    /* Yahoo publishes no limit; 429 tells us   */
    out->flags = 0;
    return 0;
}

static int read_config(struct yahoo_src *s)
{
    const struct jutsu_host *h = s->host;
    struct yahoo_conf c = { 0 };
    if (h->cfg_fill(s->ctx, &c) != 0)
        return JUTSU_ECONFIG;       /* the host has said which key, and why */
    if (strncmp(c.base_url, "http://", 7) != 0 && strncmp(c.base_url, "https://", 8) != 0)
        return h->cfg_error(s->ctx, "base_url", "base_url \"%s\" must start with https:// "
                            "(or http://)", c.base_url);
    if ((s->base_url = strdup(c.base_url)) == NULL ||
        (s->user_agent = strdup(c.user_agent)) == NULL)
        return JUTSU_ENOMEM;
    for (size_t n = strlen(s->base_url); n > 0 && s->base_url[n - 1] == '/'; n--)
        s->base_url[n - 1] = '\0';
    s->timeout_ms = (long)c.timeout_ms;
    s->retries = (int)c.retries;
    s->backoff_ms = (long)c.backoff_ms;
    return 0;
}

/* Options that hold for every request of this instance. */
static int setup_curl(struct yahoo_src *s)
{
    CURL *h = s->curl;
    CURLcode cc = CURLE_OK;
#define SET(opt, val) \
    do { if (cc == CURLE_OK) cc = curl_easy_setopt(h, opt, val); } while (0)
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_TIMEOUT_MS, s->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms);
    SET(CURLOPT_USERAGENT, s->user_agent);
    SET(CURLOPT_ACCEPT_ENCODING, "");                /* whatever libcurl can decode */
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)YAHOO_BODY_MAX);
    SET(CURLOPT_ERRORBUFFER, s->errbuf);
#undef SET
    if (cc != CURLE_OK) {
        s->host->set_error(s->ctx, "libcurl refused an option: %s", curl_easy_strerror(cc));
        return JUTSU_EPLUGIN;
    }
    return 0;
}

static void yahoo_destroy(void *state)
{
    struct yahoo_src *s = state;
    if (s == NULL)
        return;
    if (s->curl)
        curl_easy_cleanup(s->curl);
    if (s->curl_global)
        curl_global_cleanup();
    free(s->base_url);
    free(s->user_agent);
    free(s);
}

static int yahoo_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct yahoo_src *s = calloc(1, sizeof(*s));
    int rc;
    if (s == NULL)
        return JUTSU_ENOMEM;
    s->host = host;
    s->ctx = ctx;
    if ((rc = read_config(s)) != 0)
        goto fail;
    CURLcode cc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (cc != CURLE_OK) {
        host->set_error(ctx, "libcurl did not initialise: %s", curl_easy_strerror(cc));
        rc = JUTSU_EPLUGIN;
        goto fail;
    }
    s->curl_global = 1;
    if ((s->curl = curl_easy_init()) == NULL) {
        rc = JUTSU_ENOMEM;
        goto fail;
    }
    if ((rc = setup_curl(s)) != 0)
        goto fail;
    char *shown = shown_url(s->base_url);   /* never a password in the log */
    host->log(ctx, JUTSU_LOG_INFO, "fetching bars from %s (timeout %ld ms, %d retries)",
              shown ? shown : "(the configured base_url)", s->timeout_ms, s->retries);
    free(shown);
    *state = s;
    return 0;
fail:
    yahoo_destroy(s);
    return rc;
}

static const struct jutsu_source_ops ops = {
    .size  = sizeof(struct jutsu_source_ops),
    .caps  = yahoo_caps,
    .fetch = yahoo_fetch,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_SOURCE,
    .name        = "source-yahoo",
    .version     = "1.0.0",
    .description = "Market data bars from Yahoo Finance's chart API (daily and intraday)",
    .schema      = schema,
    .init        = yahoo_init,
    .destroy     = yahoo_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
