/*
 * tests/harness/suite_kpi.c — the KPI conformance suite.
 *
 * Runs against any KPI plugin through struct jutsu_kpi_ops alone, with
 * whatever the instance was configured with, so it asks only what kpi.h
 * asks of every KPI: columns that a KPI may fill (jutsu_kpi_column_find),
 * none twice, at most JUTSU_KPI_MAX_COLUMNS; a first day folds with a NULL
 * prev; a 30-day synthetic series (rises, falls, a flat day, a gap, trades
 * won, lost and even) folds day after day with the state going through
 * JSON text in between, as it does through the database; the same prev and
 * day give the same state text and the same values; prev is left as it
 * was; and no value is ever infinite (NaN is NULL, anything else finite).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/data.h"
#include "jutsu/error.h"
#include "jutsu/kpi.h"
#include "harness.h"
#include "eod/kpi_host.h"

#define KPI_SERIES_DAYS 30

struct kpi_run {
    struct harness             *h;
    struct jutsu_ctx           *inst;
    const struct jutsu_kpi_ops *ops;
    size_t                      ncols;
    size_t                      nvals;   /* columns, then metrics of its own (ABI 1.4) */
};

/* Counts what went wrong over many folds; reported once per check. */
struct kpi_tally {
    int  folds, failed, infinite, unparsable, changed_prev, nondeterministic;
    char first[300];
};

/* Keeps the first problem's description. */
static void tally_note(struct kpi_tally *t, const char *fmt, ...) JUTSU_PRINTF(2, 3);
static void tally_note(struct kpi_tally *t, const char *fmt, ...)
{
    va_list ap;
    if (t->first[0] != '\0')
        return;
    va_start(ap, fmt);
    vsnprintf(t->first, sizeof(t->first), fmt, ap);
    va_end(ap);
}

static void kpi_check_columns(struct kpi_run *x)
{
    const char *const *cols = x->ops->columns;
    size_t n = 0, unknown = 0, dup = 0;
    char bad[160] = "";
    for (; cols && cols[n] && n <= JUTSU_KPI_MAX_COLUMNS; n++) {
        if (jutsu_kpi_column_find(cols[n]) == NULL && unknown++ == 0)
            snprintf(bad, sizeof(bad), ", first unknown: \"%.100s\"", cols[n]);
        for (size_t j = 0; j < n; j++)
            if (strcmp(cols[j], cols[n]) == 0)
                dup++;
    }
    /* a plugin of metrics of its own only (ABI 1.4) may fill no column */
    int metrics = JUTSU_OPS_HAS(x->ops, jutsu_kpi_ops, metrics) && x->ops->metrics[0];
    harness_check(x->h, (n > 0 || metrics) && n <= JUTSU_KPI_MAX_COLUMNS, "kpi.columns",
                  "%zu column(s)%s, at most %d allowed", n,
                  n > JUTSU_KPI_MAX_COLUMNS ? " or more" : "", JUTSU_KPI_MAX_COLUMNS);
    harness_check(x->h, unknown == 0 && dup == 0, "kpi.column_names",
                  "%zu not a column a KPI may fill (include/jutsu/kpi.h)%s; %zu declared twice",
                  unknown, bad, dup);
    x->ncols = n > JUTSU_KPI_MAX_COLUMNS ? JUTSU_KPI_MAX_COLUMNS : n;
    x->nvals = x->ncols;
    for (size_t m = 0; metrics && x->ops->metrics[m] && m < JUTSU_KPI_MAX_METRICS; m++)
        x->nvals++;
}

/* The name of value i of a fold: a column's, then a metric's. */
static const char *kpi_value_name(const struct kpi_run *x, size_t i)
{
    return i < x->ncols ? x->ops->columns[i] : x->ops->metrics[i - x->ncols];
}

/*
 * Day i (0-based) of the synthetic series, as the EOD job would compute it
 * from end-of-day equity: returns in basis points from a fixed table, a
 * gap of three trading days before day 12, trades every third day.
 */
static void kpi_series_day(int i, jutsu_money_t *equity, jutsu_money_t *hwm,
                           struct jutsu_kpi_day *d)
{
    static const int bp[KPI_SERIES_DAYS] = {
        0, 120, -80, 0, 35, -210, 90, 15, -5, 0, 260, -130, 40, -45, 75,
        -300, 110, 20, 0, -60, 85, 5, -15, 190, -95, 30, 0, -20, 55, 10
    };
    jutsu_money_t prev = *equity;
    if (i == 0)
        *equity = *hwm = INT64_C(10000000000);   /* 10,000.000000 */
    else
        *equity += *equity * bp[i] / 10000;
    if (*equity > *hwm)
        *hwm = *equity;
    memset(d, 0, sizeof(*d));
    d->size = sizeof(*d);
    d->date = jutsu_date_from_ymd(2025, 1, 2) + i + (i >= 12 ? 2 : 0);
    d->entity_type = "baseline";
    d->entity_id = "HARNESS";
    d->mode = "offline_mock";
    d->is_first_day = i == 0;
    d->days_since_previous = i == 0 ? 0 : i == 12 ? 3 : 1;
    d->trading_days_count = i + 1;
    d->equity = *equity;
    d->previous_equity = i == 0 ? JUTSU_MONEY_NULL : prev;
    d->initial_capital = INT64_C(10000000000);
    d->high_water_mark = *hwm;
    d->daily_return = i == 0 ? 0.0 : (double)*equity / (double)prev - 1.0;
    d->cumulative_return = (double)*equity / 1e10 - 1.0;
    d->drawdown = (double)*equity / (double)*hwm - 1.0;
    d->trades_closed = i % 3 == 0 ? 3 : 0;
    d->trades_won = i % 3 == 0 ? 1 : 0;
    d->trades_lost = i % 3 == 0 && i % 2 == 0 ? 1 : 0;
}

/* A state as compact JSON text (malloc'd; "null" for NULL), or NULL when
 * out of memory. */
static char *kpi_text(json_object *o)
{
    const char *s = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : "null";
    return s ? strdup(s) : NULL;
}

/* Equal values: both NULL or the same double. */
static int kpi_same_values(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(isnan(a[i]) && isnan(b[i])) && a[i] != b[i])
            return 0;
    return 1;
}

/*
 * Folds one day on `prev_text` (parsed here, as the database hands it
 * back) and checks what the fold did. Returns the new state's text
 * (malloc'd), or NULL if the fold failed.
 */
static char *kpi_fold_checked(struct kpi_run *x, const char *prev_text,
                              const struct jutsu_kpi_day *d, struct kpi_tally *t)
{
    json_object *prev = prev_text ? json_tokener_parse(prev_text) : NULL, *next = NULL,
                *again = NULL;
    /* room for the metrics of its own too (ABI 1.4): fold writes them after the columns */
    double v[JUTSU_KPI_MAX_COLUMNS + JUTSU_KPI_MAX_METRICS];
    double w[JUTSU_KPI_MAX_COLUMNS + JUTSU_KPI_MAX_METRICS];
    char *text = NULL, *text2 = NULL, *after = NULL;
    int day = d->trading_days_count;
    for (size_t i = 0; i < JUTSU_KPI_MAX_COLUMNS + JUTSU_KPI_MAX_METRICS; i++)
        v[i] = w[i] = NAN;
    t->folds++;
    x->inst->error[0] = '\0';
    int rc = x->ops->fold(x->inst->state, prev, d, &next, v);
    if (rc != 0) {
        t->failed++;
        tally_note(t, "%s (day %d)", x->inst->error[0] ? x->inst->error : jutsu_strerror(rc),
                   day);
        goto done;
    }
    for (size_t i = 0; i < x->nvals; i++)
        if (isinf(v[i])) {
            t->infinite++;
            tally_note(t, "%s is infinite on day %d", kpi_value_name(x, i), day);
        }
    text = kpi_text(next);
    json_object *parsed = text ? json_tokener_parse(text) : NULL;
    if (text == NULL || (next != NULL && parsed == NULL)) {
        t->unparsable++;
        tally_note(t, "%s: the state does not read back as JSON (day %d)",
                   text ? text : "(no text)", day);
    }
    json_object_put(parsed);

    /* the same inputs again: the same state text, the same values */
    rc = x->ops->fold(x->inst->state, prev, d, &again, w);
    text2 = rc == 0 ? kpi_text(again) : NULL;
    if (rc != 0 || text2 == NULL || text == NULL || strcmp(text, text2) != 0 ||
        !kpi_same_values(v, w, x->nvals)) {
        t->nondeterministic++;
        tally_note(t, "%s: a second fold of the same prev and day differs (day %d)",
                   text2 ? text2 : jutsu_strerror(rc), day);
    }
    after = prev_text ? kpi_text(prev) : NULL;
    if (prev_text && (after == NULL || strcmp(after, prev_text) != 0)) {
        t->changed_prev++;
        tally_note(t, "prev became %s (day %d)", after ? after : "(unprintable)", day);
    }
done:
    json_object_put(prev);
    json_object_put(next);
    json_object_put(again);
    free(text2);
    free(after);
    return text;
}

static void kpi_check_first_day(struct kpi_run *x)
{
    jutsu_money_t equity = 0, hwm = 0;
    struct jutsu_kpi_day d;
    struct kpi_tally t = { 0 };
    kpi_series_day(0, &equity, &hwm, &d);
    char *text = kpi_fold_checked(x, NULL, &d, &t);
    harness_check(x->h, text != NULL && t.infinite == 0, "kpi.first_day",
                  "fold with prev NULL: %s", t.first[0] ? t.first : "ok");
    free(text);
}

static void kpi_check_series(struct kpi_run *x)
{
    jutsu_money_t equity = 0, hwm = 0;
    struct jutsu_kpi_day d;
    struct kpi_tally t = { 0 };
    char *state = NULL;
    int days = 0;
    for (int i = 0; i < KPI_SERIES_DAYS; i++) {
        kpi_series_day(i, &equity, &hwm, &d);
        char *next = kpi_fold_checked(x, state, &d, &t);
        free(state);
        if ((state = next) == NULL)
            break;
        days++;
    }
    free(state);
    harness_check(x->h, days == KPI_SERIES_DAYS && t.unparsable == 0, "kpi.series",
                  "%d of %d days folded, the state through JSON text each day%s%s", days,
                  KPI_SERIES_DAYS, t.first[0] ? "; first problem: " : "", t.first);
    harness_check(x->h, t.nondeterministic == 0, "kpi.deterministic",
                  "%d of %d folds repeated with different state text or values",
                  t.nondeterministic, t.folds);
    harness_check(x->h, t.changed_prev == 0, "kpi.prev_untouched",
                  "%d of %d folds changed prev", t.changed_prev, t.folds);
    harness_check(x->h, t.infinite == 0, "kpi.finite",
                  "%d infinite value(s) in %d folds (a KPI reports NULL, never inf)",
                  t.infinite, t.folds);
}

void harness_kpi_suite(struct harness *h, struct jutsu_ctx *inst)
{
    struct kpi_run x = { .h = h, .inst = inst, .ops = inst->module->desc->ops };
    kpi_check_columns(&x);
    if (x.nvals == 0)
        return;
    kpi_check_first_day(&x);
    kpi_check_series(&x);
}
