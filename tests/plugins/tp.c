/*
 * tests/plugins/tp.c — a small source plugin for the host's tests, built
 * many times with different defines into deliberately broken variants
 * (see CMakeLists.txt): wrong magic, newer minor, other major, no entry
 * symbol, a missing mandatory op, a failing init, an unresolvable
 * dependency, an unknown kind, a bad schema.
 *
 * The healthy build ("tp-good") is a real plugin: it reads its config,
 * keeps per-instance state, subscribes and publishes on the bus, serves
 * deterministic bars, and appends each lifecycle call to `trace_file` so
 * tests can check the order in which the host calls instances.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/jutsu.h"
#include "jutsu/source.h"

#ifndef TP_NAME
#define TP_NAME "tp-good"
#endif
#ifndef TP_MAGIC
#define TP_MAGIC JUTSU_PLUGIN_MAGIC
#endif
#ifndef TP_MAJOR
#define TP_MAJOR JUTSU_ABI_MAJOR
#endif
#ifndef TP_MINOR
#define TP_MINOR JUTSU_ABI_MINOR
#endif
#ifndef TP_OPS_SIZE     /* tp-shortops: a table shorter than ABI 1.0's */
#define TP_OPS_SIZE sizeof(struct jutsu_source_ops)
#endif
#ifndef TP_KIND
#define TP_KIND JUTSU_KIND_SOURCE
#endif

#ifdef TP_DEP
/* defined in libtpdep.so, which the tests keep off the loader's path */
extern int tpdep_answer(void);
#endif

struct tp {
    const struct jutsu_host *host;
    jutsu_ctx   *ctx;
    const char  *greeting;
    int64_t      count;
    const char  *trace_file;
    const char  *topic;
    int          fail_start;
    const char  *fail_fetch;
    jutsu_sub_id sub;
    int          seen;      /* events received */
};

static void trace(struct tp *t, const char *what)
{
    if (t->trace_file == NULL || *t->trace_file == '\0')
        return;
    FILE *f = fopen(t->trace_file, "a");
    if (f == NULL)
        return;
    fprintf(f, "%s %s\n", what, t->host->instance_name(t->ctx));
    fclose(f);
}

static int tp_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
#ifdef TP_INIT_FAIL
    host->set_error(ctx, "cannot reach the test server at %s (deliberate failure)", "127.0.0.1:9");
    return JUTSU_ETRANSIENT;
#else
    struct tp *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return JUTSU_ENOMEM;
    t->host = host;
    t->ctx = ctx;
    if (host->cfg_str(ctx, "greeting", &t->greeting) != 0 ||
        host->cfg_int(ctx, "count", &t->count) != 0 ||
        host->cfg_bool(ctx, "fail_start", &t->fail_start) != 0 ||
        host->cfg_str(ctx, "topic", &t->topic) != 0) {
        host->set_error(ctx, "config values missing although validated");
        free(t);
        return JUTSU_ECONFIG;
    }
    if (host->cfg_str(ctx, "fail_fetch", &t->fail_fetch) != 0)
        t->fail_fetch = "none";
    if (host->cfg_str(ctx, "trace_file", &t->trace_file) != 0)
        t->trace_file = NULL;
    const char *refuse;
    if (host->cfg_str(ctx, "refuse", &refuse) == 0 && *refuse) {
        free(t);
        if (JUTSU_OPS_HAS(host, jutsu_host, cfg_error))   /* a host of ABI 1.1 or later */
            return host->cfg_error(ctx, refuse, "refused on request");
        host->set_error(ctx, "%s: refused on request", host->cfg_where(ctx, refuse));
        return JUTSU_ECONFIG;
    }
#ifdef TP_DEP
    t->count += tpdep_answer();
#endif
    trace(t, "init");
    *state = t;
    return 0;
#endif
}

static void on_event(const jutsu_event *ev, void *arg)
{
    struct tp *t = arg;
    t->seen++;
}

static int tp_start(void *state)
{
    struct tp *t = state;
    trace(t, "start");
    if (t->fail_start) {
        t->host->set_error(t->ctx, "fail_start is set");
        return JUTSU_EPLUGIN;
    }
    int rc = t->host->subscribe(t->ctx, "test.>", on_event, t, &t->sub);
    if (rc != 0)
        return rc;
    json_object *p = json_object_new_object();
    json_object_object_add(p, "greeting", json_object_new_string(t->greeting));
    json_object_object_add(p, "count", json_object_new_int64(t->count));
    t->host->log(t->ctx, JUTSU_LOG_INFO, "%s, publishing %s", t->greeting, t->topic);
    return t->host->publish(t->ctx, t->topic, p);
}

static void tp_stop(void *state)
{
    struct tp *t = state;
    trace(t, "stop");
    t->host->unsubscribe(t->ctx, t->sub);
}

static void tp_destroy(void *state)
{
    struct tp *t = state;
    trace(t, "destroy");
    free(t);
}

static const char *const tp_timeframes[] = { "1D", NULL };

static int tp_caps(void *state, struct jutsu_source_caps *out)
{
    memset(out, 0, sizeof(*out));
    out->timeframes = tp_timeframes;
    out->history_days = 3650;
    return 0;
}

/* `count` daily bars starting at `from`, price 100 + day. */
#ifndef TP_NO_FETCH
static int tp_fetch(void *state, const struct jutsu_fetch_req *req,
                    const struct jutsu_source_sink *sink)
{
    struct tp *t = state;
    const char *symbol = req->symbol, *timeframe = req->timeframe;
    jutsu_time_t from = req->from, to = req->to;
    struct jutsu_bar bars[16];
    size_t n = 0;
    if (strcmp(timeframe, "1D") != 0)
        return JUTSU_ENOTSUP;
    if (strcmp(t->fail_fetch, "transient") == 0) {
        t->host->set_error(t->ctx, "connection reset by the test");
        return JUTSU_ETRANSIENT;
    }
    if (strcmp(t->fail_fetch, "auth") == 0) {
        t->host->set_error(t->ctx, "token expired: run `jutsu test login`");
        return JUTSU_EAUTH;
    }
    if (strncmp(symbol, "ZZZZ", 4) == 0) {   /* the conformance suite's unknown symbol */
        t->host->set_error(t->ctx, "unknown symbol %s", symbol);
        return JUTSU_ENOTFOUND;
    }
    for (int64_t i = 0; i < t->count && n < 16; i++) {
        jutsu_time_t ts = from + i * JUTSU_USEC_PER_DAY;
        if (ts > to)
            break;
        bars[n] = (struct jutsu_bar){ .ts = ts, .open = (100 + i) * JUTSU_MONEY_SCALE,
                                      .high = (101 + i) * JUTSU_MONEY_SCALE,
                                      .low = (99 + i) * JUTSU_MONEY_SCALE,
                                      .close = (100 + i) * JUTSU_MONEY_SCALE, .volume = 1000 };
        n++;
    }
    if (strcmp(t->fail_fetch, "disorder") == 0 && n >= 2 && n < 16) {
        /* newest first, and the oldest again with another close */
        for (size_t i = 0; i < n / 2; i++) {
            struct jutsu_bar tmp = bars[i];
            bars[i] = bars[n - 1 - i];
            bars[n - 1 - i] = tmp;
        }
        bars[n] = bars[n - 1];
        bars[n].close += JUTSU_MONEY_SCALE;
        n++;
    }
    return n ? sink->bars(symbol, bars, n, sink->arg) : 0;
}
#endif

static const struct jutsu_source_ops tp_ops = {
    .size = TP_OPS_SIZE,
    .caps = tp_caps,
#ifndef TP_NO_FETCH
    .fetch = tp_fetch,
#endif
};

static const char *const tp_failures[] = { "none", "transient", "auth", "disorder", NULL };

static const struct jutsu_cfg_key tp_schema[] = {
    JUTSU_CFG_KEY("greeting", JUTSU_CFG_STR, "hello", "What to say on start"),
    JUTSU_CFG_INT_RANGE("count", "3", 1, 100, "Bars served per fetch"),
    JUTSU_CFG_KEY("fail_start", JUTSU_CFG_BOOL, "false", "Make start() fail"),
    JUTSU_CFG_KEY("topic", JUTSU_CFG_STR, "test.started", "Topic published on start"),
    JUTSU_CFG_KEY("trace_file", JUTSU_CFG_STR, NULL, "Append lifecycle calls to this file"),
    JUTSU_CFG_KEY("refuse", JUTSU_CFG_STR, NULL, "Refuse this key's value in init"),
    { .name = "fail_fetch", .type = JUTSU_CFG_ENUM, .def = "none", .choices = tp_failures,
      .help = "Make fetch fail this way" },
    { .name = "api_token", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_SECRET,
      .help = "A secret, to test masking" },
#ifdef TP_BAD_SCHEMA
    JUTSU_CFG_INT_RANGE("port", "99999", 1, 65535, "A default outside its own range"),
#endif
    JUTSU_CFG_END
};

static const struct jutsu_plugin tp_desc = {
    .magic = TP_MAGIC,
    .abi_major = TP_MAJOR,
    .abi_minor = TP_MINOR,
    .size = sizeof(struct jutsu_plugin),
    .kind = TP_KIND,
    .name = TP_NAME,
    .version = "0.0.1",
    .description = "test plugin (" TP_NAME ")",
    .schema = tp_schema,
    .init = tp_init,
    .start = tp_start,
    .stop = tp_stop,
    .destroy = tp_destroy,
    .ops = &tp_ops,
};

#ifndef TP_NO_EXPORT
JUTSU_PLUGIN_DECLARE(tp_desc)
#else
/* exported under the wrong name: the loader must not find it */
JUTSU_PLUGIN_EXPORT const struct jutsu_plugin *jutsu_plugin_describe_v0(void);
JUTSU_PLUGIN_EXPORT const struct jutsu_plugin *jutsu_plugin_describe_v0(void)
{
    return &tp_desc;
}
#endif
