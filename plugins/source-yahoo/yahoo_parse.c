/*
 * plugins/source-yahoo/yahoo_parse.c — a v8 chart response into bars.
 *
 *   {"chart": {"result": [{"meta": {...}, "timestamp": [t0, t1, ...],
 *              "indicators": {"quote": [{"open": [...], "high": [...],
 *              "low": [...], "close": [...], "volume": [...]}], ...}}],
 *              "error": null}}
 *
 * The arrays are parallel: index i of each belongs to timestamp i. Yahoo
 * writes null for a session it has no quote for; such a row is rejected
 * (sink->reject) and skipped. Timestamps are the bar's start (for daily
 * bars the session open, 14:30Z or 13:30Z): delivered as they are, the
 * sync job maps instants to trading dates. The range asked for is applied
 * here too, because Yahoo appends the bar of the session in progress after
 * period2.
 *
 * Exact prices: Yahoo sends float32 values printed as doubles
 * (436.5499877929688). json-c keeps the text of every number it parses (a
 * parsed double carries its source text as its serialisation, which
 * json_object_get_string returns), so we hand that decimal text to
 * jutsu_money_parse, which rounds it half to even at the sixth decimal
 * using only integer arithmetic: 436.5499877929688 -> 436.549988, the value
 * of Yahoo's own CSV export. No price ever passes through a C double.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "yahoo_int.h"

#define BATCH 4096

enum { F_OPEN, F_HIGH, F_LOW, F_CLOSE, F_VOLUME, NFIELD };
static const char *const field_name[NFIELD] = { "open", "high", "low", "close", "volume" };

struct chart {
    json_object *ts;              /* timestamp[] */
    json_object *col[NFIELD];     /* indicators.quote[0].<field>[] */
    size_t       n;
};

struct deliver {
    struct yahoo_src *s;
    const struct jutsu_fetch_req *req;
    const struct jutsu_source_sink *sink;
    struct jutsu_bar *bars;
    size_t nbars, rejected, outside;
    int    daily;
};

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (o && json_object_is_type(o, json_type_object))
        json_object_object_get_ex(o, key, &v);
    return v;
}

static json_object *first(json_object *a)
{
    if (a && json_object_is_type(a, json_type_array) && json_object_array_length(a) > 0)
        return json_object_array_get_idx(a, 0);
    return NULL;
}

static int is_number(json_object *v)
{
    return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* Parses the whole body as one JSON value (whitespace may follow). */
static json_object *parse_json(const struct yahoo_body *b, char *why, size_t size)
{
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        snprintf(why, size, "out of memory");
        return NULL;
    }
    json_object *root = json_tokener_parse_ex(tok, b->buf.p ? b->buf.p : "", (int)b->buf.len);
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (root == NULL || e != json_tokener_success) {
        snprintf(why, size, "%s at byte %zu",
                 e == json_tokener_continue || e == json_tokener_success
                     ? "the JSON ends early" : json_tokener_error_desc(e), end);
        json_object_put(root);
        root = NULL;
    } else {
        while (end < b->buf.len && strchr(" \t\r\n", b->buf.p[end]))
            end++;
        if (end < b->buf.len) {
            snprintf(why, size, "unexpected text after the JSON at byte %zu", end);
            json_object_put(root);
            root = NULL;
        }
    }
    json_tokener_free(tok);
    return root;
}

/* "code: description" of chart.error, or NULL if there is none. */
static const char *chart_error(json_object *root, char *buf, size_t size, int *not_found)
{
    json_object *err = get(get(root, "chart"), "error");
    *not_found = 0;
    if (err == NULL || !json_object_is_type(err, json_type_object))
        return NULL;
    const char *code = json_object_get_string(get(err, "code"));
    const char *desc = json_object_get_string(get(err, "description"));
    *not_found = code && strcmp(code, "Not Found") == 0;
    snprintf(buf, size, "%s%s%s", code ? code : "error", desc ? ": " : "", desc ? desc : "");
    return buf;
}

/* Finds the parallel arrays; n = 0 when the range holds no bars. */
static int find_chart(json_object *root, struct chart *c, char *why, size_t size)
{
    json_object *chart = get(root, "chart");
    memset(c, 0, sizeof(*c));
    if (chart == NULL || !json_object_is_type(chart, json_type_object)) {
        snprintf(why, size, "no \"chart\" object");
        return JUTSU_EMALFORMED;
    }
    json_object *r0 = first(get(chart, "result"));
    c->ts = get(r0, "timestamp");
    if (c->ts == NULL)
        return 0;                                 /* nothing in the range */
    if (!json_object_is_type(c->ts, json_type_array)) {
        snprintf(why, size, "chart.result[0].timestamp is not an array");
        return JUTSU_EMALFORMED;
    }
    c->n = json_object_array_length(c->ts);
    json_object *quote = first(get(get(r0, "indicators"), "quote"));
    for (int f = 0; f < NFIELD; f++) {
        json_object *a = get(quote, field_name[f]);
        if (a == NULL || !json_object_is_type(a, json_type_array)) {
            snprintf(why, size, "chart.result[0].indicators.quote[0].%s is missing",
                     field_name[f]);
            return JUTSU_EMALFORMED;
        }
        if (json_object_array_length(a) != c->n) {
            snprintf(why, size, "chart.result[0].indicators.quote[0].%s has %zu value(s) for "
                     "%zu timestamp(s)", field_name[f], json_object_array_length(a), c->n);
            return JUTSU_EMALFORMED;
        }
        c->col[f] = a;
    }
    return 0;
}

/* One value of a row: 0, or a reason. Nulls are collected by the caller. */
static const char *read_value(int f, json_object *v, struct jutsu_bar *b)
{
    jutsu_money_t m;
    if (!is_number(v))
        return "is not a number";
    if (f == F_VOLUME && json_object_is_type(v, json_type_int)) {
        b->volume = json_object_get_int64(v);
        return NULL;
    }
    /* the number's own text (see the file comment) */
    int rc = jutsu_money_parse(json_object_get_string(v), -1, JUTSU_MONEY_HALF_EVEN, &m);
    if (rc != 0)
        return rc == JUTSU_ERANGE ? "is out of range" : "is not a decimal number";
    switch (f) {
    case F_OPEN:  b->open = m;  break;
    case F_HIGH:  b->high = m;  break;
    case F_LOW:   b->low = m;   break;
    case F_CLOSE: b->close = m; break;
    default:
        if (m % JUTSU_MONEY_SCALE != 0)
            return "is not a whole number";
        b->volume = m / JUTSU_MONEY_SCALE;
    }
    return NULL;
}

/* "QQQ@2024-03-13" for daily bars, "QQQ@2024-03-13T13:30:00Z" otherwise,
 * "QQQ@#12" when the timestamp itself is unreadable. */
static void row_where(const struct deliver *d, size_t i, const jutsu_time_t *t, char *buf,
                      size_t size)
{
    char when[JUTSU_TIME_BUFSZ];
    if (t == NULL)
        snprintf(when, sizeof(when), "#%zu", i);
    else if (d->daily)
        jutsu_date_format(jutsu_time_to_date(*t), when);
    else
        jutsu_time_format(*t, when);
    snprintf(buf, size, "%s@%s", d->req->symbol, when);
}

static void reject(struct deliver *d, size_t i, const jutsu_time_t *t, const char *reason)
{
    char where[96];
    row_where(d, i, t, where, sizeof(where));
    d->rejected++;
    if (d->sink->reject)
        d->sink->reject(where, reason, d->sink->arg);
}

/* Turns row i into a bar; 1 if it is one to deliver. */
static int read_row(struct deliver *d, const struct chart *c, size_t i, struct jutsu_bar *b)
{
    char nulls[64] = "", why[64];
    json_object *tv = json_object_array_get_idx(c->ts, i);
    if (!json_object_is_type(tv, json_type_int) ||
        json_object_get_int64(tv) < -(INT64_C(1) << 40) ||
        json_object_get_int64(tv) > (INT64_C(1) << 40)) {
        reject(d, i, NULL, "the timestamp is not a time in seconds");
        return 0;
    }
    memset(b, 0, sizeof(*b));
    b->ts = json_object_get_int64(tv) * JUTSU_USEC_PER_SEC;
    b->line = (uint32_t)(i + 1);
    if (b->ts < d->req->from || b->ts > d->req->to) {
        d->outside++;
        return 0;
    }
    for (int f = 0; f < NFIELD; f++) {
        json_object *v = json_object_array_get_idx(c->col[f], i);
        const char *bad;
        if (v == NULL) {
            size_t n = strlen(nulls);
            snprintf(nulls + n, sizeof(nulls) - n, "%s%s", n ? ", " : "null ", field_name[f]);
        } else if (nulls[0] == '\0' && (bad = read_value(f, v, b)) != NULL) {
            snprintf(why, sizeof(why), "%s %s", field_name[f], bad);
            reject(d, i, &b->ts, why);
            return 0;
        }
    }
    if (nulls[0]) {
        reject(d, i, &b->ts, nulls);
        return 0;
    }
    return 1;
}

static int flush(struct deliver *d)
{
    int rc = 0;
    if (d->nbars > 0)
        rc = d->sink->bars(d->req->symbol, d->bars, d->nbars, d->sink->arg);
    d->nbars = 0;
    return rc;
}

static int deliver_rows(struct deliver *d, const struct chart *c)
{
    int rc = 0;
    if (c->n == 0)
        return 0;
    d->bars = malloc((c->n < BATCH ? c->n : BATCH) * sizeof(*d->bars));
    if (d->bars == NULL)
        return JUTSU_ENOMEM;
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        if (read_row(d, c, i, &d->bars[d->nbars]) && ++d->nbars == BATCH)
            rc = flush(d);
    }
    if (rc == 0)
        rc = flush(d);
    free(d->bars);
    d->bars = NULL;
    return rc;
}

/* The answer was not 200: say what Yahoo said and pick the code. */
static int http_failure(struct yahoo_src *s, const struct jutsu_fetch_req *req, const char *shown,
                        long status, json_object *root, const struct yahoo_body *b)
{
    char said[256], snip[YAHOO_SNIPPET_BUF];
    int nf;
    const char *msg = chart_error(root, said, sizeof(said), &nf);
    if (msg == NULL) {
        snprintf(said, sizeof(said), "\"%s\"", yahoo_snippet(b->buf.p, b->buf.len, snip));
        msg = said;
    }
    if (status == 404) {
        s->host->set_error(s->ctx, "Yahoo does not know %s: GET %s: HTTP 404: %s", req->symbol,
                           shown, msg);
        return JUTSU_ENOTFOUND;
    }
    if (status == 401 || status == 403) {
        s->host->set_error(s->ctx, "GET %s: HTTP %ld: %s (Yahoo refuses this client: check "
                           "user_agent, or whether this network is blocked)", shown, status,
                           msg);
        return JUTSU_EAUTH;
    }
    s->host->set_error(s->ctx, "GET %s: unexpected HTTP %ld: %s", shown, status, msg);
    return JUTSU_EPLUGIN;
}

int yahoo_parse(struct yahoo_src *s, const struct jutsu_fetch_req *req, const char *shown,
                long status, const struct yahoo_body *body,
                const struct jutsu_source_sink *sink)
{
    char why[256], said[256], snip[YAHOO_SNIPPET_BUF];
    struct chart c;
    int nf, rc;
    json_object *root = parse_json(body, why, sizeof(why));
    if (status != 200) {
        rc = http_failure(s, req, shown, status, root, body);
        goto done;
    }
    if (root == NULL) {
        s->host->set_error(s->ctx, "GET %s: HTTP 200 but the body is not JSON (%s): \"%s\"",
                           shown, why, yahoo_snippet(body->buf.p, body->buf.len, snip));
        return JUTSU_EMALFORMED;
    }
    if (chart_error(root, said, sizeof(said), &nf) != NULL) {
        s->host->set_error(s->ctx, "%sGET %s: %s", nf ? "Yahoo does not know the symbol: " : "",
                           shown, said);
        rc = nf ? JUTSU_ENOTFOUND : JUTSU_EPLUGIN;
        goto done;
    }
    if ((rc = find_chart(root, &c, why, sizeof(why))) != 0) {
        s->host->set_error(s->ctx, "GET %s: not a v8 chart: %s: \"%s\"", shown, why,
                           yahoo_snippet(body->buf.p, body->buf.len, snip));
        goto done;
    }
    struct deliver d = { .s = s, .req = req, .sink = sink,
                         .daily = strcmp(req->timeframe, "1D") == 0 };
    rc = deliver_rows(&d, &c);
    s->host->log(s->ctx, JUTSU_LOG_DEBUG, "%s %s: %zu row(s), %zu rejected, %zu outside the "
                 "range asked for%s", req->symbol, req->timeframe, c.n, d.rejected, d.outside,
                 rc > 0 ? " (stopped by the receiver)" : "");
done:
    json_object_put(root);
    return rc;
}
