/*
 * plugins/source-schwab/schwab_candles.c — GET /marketdata/v1/pricehistory:
 * the query for a timeframe, and its answer turned into bars.
 *
 *   {"symbol": "QQQ", "empty": false, "candles": [
 *     {"open": 402.13, "high": 403.6, "low": 400.52, "close": 402.93,
 *      "volume": 39172323, "datetime": 1704175200000}, ...]}
 *
 * Prices are converted from the JSON number's own text, never through a
 * double: json-c's tokener keeps the text of every number it parses as a
 * double (json_object_new_double_s stores it as the serializer's userdata,
 * since json-c 0.13), so json_object_get_string returns "402.13" exactly
 * as Schwab sent it, and jutsu_money_parse rounds half to even at the
 * sixth decimal. `datetime` is epoch milliseconds; bars keep that instant
 * (the sync job maps daily bars to their trading date).
 *
 * Schwab's minute candles come in 1, 5, 10, 15 and 30 minutes only, so
 * "1H" is built here from half-hour candles: two per bar, on an hourly
 * grid anchored at the 09:30 session open in exchange time (09:30, 10:30,
 * ..., 15:30), as Yahoo's hourly bars are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "schwab_int.h"

#define BATCH 512
#define USEC_PER_HOUR (3600 * JUTSU_USEC_PER_SEC)

struct tf_query {
    const char *timeframe;
    const char *params;
    int         hourly;     /* aggregate half-hour candles */
};

static const struct tf_query tf_queries[] = {
    /* the original system's daily query, known to work */
    { "1D",  "periodType=year&period=20&frequencyType=daily&frequency=1", 0 },
    /* with startDate and endDate, Schwab wants no period for minutes */
    { "1H",  "periodType=day&frequencyType=minute&frequency=30", 1 },
    { "5m",  "periodType=day&frequencyType=minute&frequency=5", 0 },
    { "15m", "periodType=day&frequencyType=minute&frequency=15", 0 },
};

static const struct tf_query *tf_query(const char *tf)
{
    for (size_t i = 0; i < sizeof(tf_queries) / sizeof(tf_queries[0]); i++)
        if (strcmp(tf_queries[i].timeframe, tf) == 0)
            return &tf_queries[i];
    return NULL;
}

int schwab_history_url(struct schwab *s, const struct jutsu_fetch_req *req, char **url)
{
    const struct tf_query *q = tf_query(req->timeframe);
    if (q == NULL) {
        s->host->set_error(s->ctx, "Schwab has no %s bars (this source serves 1D, 1H, 5m and "
                           "15m)", req->timeframe);
        return JUTSU_ENOTFOUND;
    }
    /* inclusive µs bounds to inclusive ms: round inwards */
    int64_t from_ms = req->from <= 0 ? 0 : (req->from + 999) / 1000;
    int64_t to_ms = req->to / 1000;
    int64_t now_ms = schwab_now_s(s) * 1000 + 999;
    if (to_ms > now_ms)
        to_ms = now_ms;
    char *sym = schwab_urlencode(req->symbol);
    if (sym == NULL)
        return JUTSU_ENOMEM;
    int n = asprintf(url, "%s/marketdata/v1/pricehistory?symbol=%s&%s&startDate=%lld"
                     "&endDate=%lld&needExtendedHoursData=false", s->api_base, sym, q->params,
                     (long long)from_ms, (long long)to_ms);
    free(sym);
    return n < 0 ? JUTSU_ENOMEM : 0;
}

/* --- delivery: range filter, hourly aggregation, batches ---------------- */

struct emit {
    struct schwab                  *s;
    const struct jutsu_fetch_req   *req;
    const struct jutsu_source_sink *sink;
    int                             hourly;
    struct jutsu_bar                acc;        /* the hour being built */
    int                             have_acc;
    struct jutsu_bar                buf[BATCH];
    size_t                          n;
};

static int flush(struct emit *e)
{
    int rc = 0;
    if (e->n > 0)
        rc = e->sink->bars(e->req->symbol, e->buf, e->n, e->sink->arg);
    e->n = 0;
    return rc;
}

static int emit_bar(struct emit *e, const struct jutsu_bar *b)
{
    if (b->ts < e->req->from || b->ts > e->req->to)
        return 0;
    e->buf[e->n++] = *b;
    return e->n == BATCH ? flush(e) : 0;
}

/* The start of the session-anchored hour holding t. */
static jutsu_time_t hour_start(struct schwab *s, jutsu_time_t t)
{
    jutsu_date_t d;
    jutsu_time_t open;
    if (s->host->exchange_date(s->ctx, t, &d) != 0 ||
        s->host->exchange_time(s->ctx, d, 9, 30, &open) != 0)
        open = jutsu_date_to_time(jutsu_time_to_date(t)) + USEC_PER_HOUR / 2;
    int64_t k = (t - open) / USEC_PER_HOUR;
    if ((t - open) % USEC_PER_HOUR < 0)
        k--;
    return open + k * USEC_PER_HOUR;
}

/* a + b, held at INT64_MAX or INT64_MIN rather than overflowing. volume()
 * rejects negative candles, but the sum must not rely on that to be
 * defined behaviour. */
static int64_t volume_sum(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static int push(struct emit *e, const struct jutsu_bar *b)
{
    if (!e->hourly)
        return emit_bar(e, b);
    jutsu_time_t key = hour_start(e->s, b->ts);
    struct jutsu_bar *a = &e->acc;
    if (e->have_acc && a->ts == key) {
        if (b->high > a->high)
            a->high = b->high;
        if (b->low < a->low)
            a->low = b->low;
        a->close = b->close;
        a->volume = volume_sum(a->volume, b->volume);
        return 0;
    }
    int rc = e->have_acc ? emit_bar(e, a) : 0;
    *a = *b;
    a->ts = key;
    e->have_acc = 1;
    return rc;
}

static int finish(struct emit *e)
{
    int rc = e->hourly && e->have_acc ? emit_bar(e, &e->acc) : 0;
    e->have_acc = 0;
    return rc ? rc : flush(e);
}

/* --- one candle ---------------------------------------------------------- */

static const char *price(json_object *c, const char *key, jutsu_money_t *out, char *why,
                         size_t size)
{
    json_object *v;
    if (!json_object_object_get_ex(c, key, &v) || v == NULL) {
        snprintf(why, size, "%s is missing", key);
        return why;
    }
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int) &&
        !json_object_is_type(v, json_type_string)) {
        snprintf(why, size, "%s is not a number", key);
        return why;
    }
    /* the number's text as received (see the top of this file) */
    const char *text = json_object_get_string(v);
    int rc = jutsu_money_parse(text, -1, JUTSU_MONEY_HALF_EVEN, out);
    if (rc != 0) {
        snprintf(why, size, "%s %.40s is %s", key, text,
                 rc == JUTSU_ERANGE ? "out of range" : "not a decimal number");
        return why;
    }
    return NULL;
}

static const char *volume(json_object *c, int64_t *out, char *why, size_t size)
{
    json_object *v;
    jutsu_money_t m;
    if (!json_object_object_get_ex(c, "volume", &v) || v == NULL) {
        snprintf(why, size, "volume is missing");
        return why;
    }
    if (json_object_is_type(v, json_type_int)) {
        *out = json_object_get_int64(v);
    } else if (json_object_is_type(v, json_type_double) &&
               jutsu_money_parse(json_object_get_string(v), -1, JUTSU_MONEY_EXACT, &m) == 0 &&
               m % JUTSU_MONEY_SCALE == 0) {
        /* 1.2E7 or 39172323.0: a whole number written as a double */
        *out = m / JUTSU_MONEY_SCALE;
    } else {
        snprintf(why, size, "volume %.40s is not a whole number", json_object_get_string(v));
        return why;
    }
    /* a count of shares traded cannot be below zero: such a candle is
     * damaged, and summing it into an hour would hide the damage */
    if (*out < 0) {
        snprintf(why, size, "volume %.40s is negative (a volume is 0 or more)",
                 json_object_get_string(v));
        return why;
    }
    return NULL;
}

/* Reads one candle; returns why it is unreadable, or NULL. */
static const char *candle(json_object *c, struct jutsu_bar *b, char *why, size_t size)
{
    json_object *v;
    const char *bad;
    memset(b, 0, sizeof(*b));
    if (!json_object_is_type(c, json_type_object))
        return "not a JSON object";
    if (!json_object_object_get_ex(c, "datetime", &v) || !json_object_is_type(v, json_type_int))
        return "datetime is missing or not an integer (epoch milliseconds)";
    int64_t ms = json_object_get_int64(v);
    if (ms > INT64_MAX / 1000 || ms < INT64_MIN / 1000)
        return "datetime is out of range";
    b->ts = ms * 1000;
    if ((bad = price(c, "open", &b->open, why, size)) ||
        (bad = price(c, "high", &b->high, why, size)) ||
        (bad = price(c, "low", &b->low, why, size)) ||
        (bad = price(c, "close", &b->close, why, size)) ||
        (bad = volume(c, &b->volume, why, size)))
        return bad;
    return NULL;
}

static void reject(struct emit *e, size_t i, const struct jutsu_bar *b, const char *reason)
{
    char where[96], at[JUTSU_TIME_BUFSZ] = "";
    if (e->sink->reject == NULL)
        return;
    if (b->ts != 0)
        jutsu_time_format(b->ts, at);
    snprintf(where, sizeof(where), "%s %s candle %zu%s%s%s", e->req->symbol,
             e->req->timeframe, i + 1, at[0] ? " (" : "", at, at[0] ? ")" : "");
    e->sink->reject(where, reason, e->sink->arg);
}

/* --- the whole answer ----------------------------------------------------- */

static json_object *parse_body(struct schwab *s, const struct jutsu_fetch_req *req,
                               const char *body, size_t len)
{
    struct json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        return NULL;
    json_object *o = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    while (o && end < len && (body[end] == ' ' || body[end] == '\n' || body[end] == '\r' ||
                              body[end] == '\t'))
        end++;
    if (o == NULL || end != len || !json_object_is_type(o, json_type_object)) {
        const char *why = o != NULL ? (end != len ? "text after the object"
                                                  : "another JSON value")
                        : err == json_tokener_continue ? "the text ends inside the JSON"
                        : json_tokener_error_desc(err);
        s->host->set_error(s->ctx, "pricehistory %s %s: the answer is not a JSON object "
                           "(%s, at byte %zu of %zu)", req->symbol, req->timeframe, why, end,
                           len);
        json_object_put(o);
        return NULL;
    }
    return o;
}

int schwab_candles(struct schwab *s, const struct jutsu_fetch_req *req, const char *body,
                   size_t len, const struct jutsu_source_sink *sink, size_t *candles)
{
    json_object *root, *arr;
    if (len > INT32_MAX || (root = parse_body(s, req, body, len)) == NULL)
        return JUTSU_EMALFORMED;
    *candles = 0;
    if (!json_object_object_get_ex(root, "candles", &arr) || arr == NULL) {
        json_object_put(root);   /* {"empty": true} without candles: nothing */
        return 0;
    }
    if (!json_object_is_type(arr, json_type_array)) {
        s->host->set_error(s->ctx, "pricehistory %s %s: \"candles\" is not an array",
                           req->symbol, req->timeframe);
        json_object_put(root);
        return JUTSU_EMALFORMED;
    }
    struct emit *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        json_object_put(root);
        return JUTSU_ENOMEM;
    }
    *e = (struct emit){ .s = s, .req = req, .sink = sink,
                        .hourly = tf_query(req->timeframe)->hourly };
    size_t n = json_object_array_length(arr), bad = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct jutsu_bar b;
        char why[128];
        const char *reason = candle(json_object_array_get_idx(arr, i), &b, why, sizeof(why));
        b.line = (uint32_t)(i + 1);
        if (reason) {
            reject(e, i, &b, reason);
            bad++;
            continue;
        }
        rc = push(e, &b);
    }
    if (rc == 0)
        rc = finish(e);
    *candles = n;
    s->host->log(s->ctx, JUTSU_LOG_DEBUG, "pricehistory %s %s: %zu candle(s), %zu unreadable%s",
                 req->symbol, req->timeframe, n, bad, rc > 0 ? " (stopped by the receiver)" : "");
    free(e);
    json_object_put(root);
    return rc;
}
