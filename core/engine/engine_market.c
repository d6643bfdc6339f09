/*
 * core/engine/engine_market.c — the shape of the stored market data.
 *
 * One aggregate query gives each (symbol, timeframe)'s first, last and
 * count (core/store/data_summary.c); the daily gaps are the walk behind
 * `jutsu data gaps` (jutsu_data_daily_gaps) against the app's calendar.
 * Intraday bars have no calendar of their own here: their gaps are null.
 */
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "base/calendar.h"
#include "engine/engine_int.h"
#include "store/data_summary.h"
#include "store/store.h"

/* A daily bar is a date; an intraday bar an instant. */
static json_object *bar_time(const struct jutsu_bars_summary *b, jutsu_time_t t)
{
    if (t == 0)
        return NULL;
    return strcmp(b->timeframe, "1D") == 0 ? jutsu_json_date(jutsu_time_to_date(t))
                                           : jutsu_json_time(t);
}

static json_object *summary_json(const struct jutsu_bars_summary *b, int64_t gaps, int has_gaps)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    json_object_object_add(o, "symbol", json_object_new_string(b->symbol));
    json_object_object_add(o, "timeframe", json_object_new_string(b->timeframe));
    json_object_object_add(o, "first", bar_time(b, b->first));
    json_object_object_add(o, "last", bar_time(b, b->last));
    json_object_object_add(o, "count", json_object_new_int64(b->count));
    json_object_object_add(o, "invalid", json_object_new_int64(b->invalid));
    json_object_object_add(o, "gaps", has_gaps ? json_object_new_int64(gaps) : NULL);
    json_object_object_add(o, "last_sync", jutsu_json_time(b->last_sync));
    json_object_object_add(o, "source", b->source[0] ? json_object_new_string(b->source)
                                                     : NULL);
    return o;
}

int jutsu_engine_market_summary(jutsu_ctx *ctx, struct json_object **out)
{
    struct jutsu_app *app = ctx->app;
    jutsu_dbs *s = NULL;
    struct jutsu_bars_summary *v = NULL;
    size_t n = 0;
    int rc = jutsu_app_dbs_open(app, &s);
    if (rc != 0)
        return jutsu_engine_fail(out, rc, rc == JUTSU_ENOENT ? "no_database"
                                 : "database_unavailable", NULL,
                                 "cannot open a database session: %s", jutsu_strerror(rc));
    json_object *arr = json_object_new_array();
    if (arr == NULL)
        rc = JUTSU_ENOMEM;
    else
        rc = jutsu_data_bars_summary(s, &v, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int64_t missing = 0;
        int daily = strcmp(v[i].timeframe, "1D") == 0 && app->cal != NULL;
        /* between the first and the last valid bar: the days after the
         * last are the next sync's, not a hole */
        if (daily)
            rc = jutsu_data_daily_gaps(s, app->cal, v[i].symbol, 0, 0, NULL, NULL, NULL,
                                       &missing);
        json_object *o = rc == 0 ? summary_json(&v[i], missing, daily) : NULL;
        if (rc == 0 && (o == NULL || json_object_array_add(arr, o) != 0)) {
            json_object_put(o);
            rc = JUTSU_ENOMEM;
        }
    }
    free(v);
    if (rc != 0) {
        json_object_put(arr);
        if (rc == JUTSU_ENOMEM)
            jutsu_engine_fail(out, rc, "internal", NULL, "out of memory");
        else
            jutsu_engine_fail(out, rc, "database_error",
                              *jutsu_dbs_error_hint(s) ? jutsu_dbs_error_hint(s) : NULL, "%s",
                              jutsu_dbs_error(s));
        jutsu_dbs_close(s);
        return rc;
    }
    jutsu_dbs_close(s);
    *out = arr;
    return 0;
}
