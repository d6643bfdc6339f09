/*
 * tests/harness/suite_strategy.c — the strategy conformance suite.
 *
 * Runs against any strategy plugin through struct jutsu_strategy_ops
 * alone, with whatever the instances were configured with, so it asks only
 * what strategy.h asks of every strategy:
 *
 *   needs      1..16 symbols, upper case, unique; warmup_bars >= 0; "1D"
 *   series     STRAT_DAYS days of a smooth synthetic price path for every
 *              symbol: on_day returns 0, weights finite and >= 0, the
 *              strings NUL-terminated, warm 0 on the first warmup_bars
 *              days (and 1 by the last day when the warm-up is shorter)
 *   determinism  the second instance, fed the same days, answers the same
 *              signals and saves the same JSON text
 *   save/restore the state saved on day STRAT_MID, through JSON text (as a
 *              database keeps it), restored into the second instance, which
 *              then answers what the first did for the rest of the series
 *   reset      (if provided) reset and a replay answer what a fresh
 *              instance did
 *   no bars    a day on which no symbol has a bar returns 0 or an error,
 *              without crashing
 *   garbage    restore refuses what is not a state, and leaves the
 *              instance as after init (a replay answers the first run)
 *
 * Whenever a warm signal asks to rebalance, the suite tells the strategy
 * that its targets were traded (committed(), when the plugin has it), as
 * the trading job does, so the series exercises that path too.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/strategy.h"
#include "harness.h"

#define STRAT_DAYS 400
#define STRAT_MID  200

/* One day's answer, in a form that compares. */
struct strat_rec {
    int                          rc;
    struct jutsu_strategy_signal sig;      /* extras: NULL (see text) */
    char                        *extras;   /* its JSON text, or NULL  */
};

struct strat_run {
    struct harness                  *h;
    struct jutsu_ctx                *a, *b;    /* b: NULL for a singleton */
    const struct jutsu_strategy_ops *ops;
    struct jutsu_strategy_needs      needs;
    size_t                           n;        /* symbols */
    int                              committed; /* the op is there */
};

/* Symbol k's close on day i, in micro-units: a slow swing, a gentle
 * drift and a faster ripple, different for every symbol, always > 0. */
static jutsu_money_t strat_close(size_t k, int i)
{
    double x = 100.0 * (1.0 + 0.25 * sin(2.0 * M_PI * i / (90.0 + 7.0 * (double)k)) +
                        0.0015 * i) * (1.0 + 0.01 * sin(0.7 * i + (double)k));
    return (jutsu_money_t)llround(x * 1e6);
}

static void strat_bars(const struct strat_run *x, int i, int present,
                       struct jutsu_bar bars[JUTSU_STRATEGY_MAX_SYMBOLS],
                       uint8_t has[JUTSU_STRATEGY_MAX_SYMBOLS], struct jutsu_strategy_day *d)
{
    memset(bars, 0, JUTSU_STRATEGY_MAX_SYMBOLS * sizeof(*bars));
    for (size_t k = 0; k < x->n; k++) {
        jutsu_money_t c = strat_close(k, i);
        bars[k].ts = jutsu_date_to_time(jutsu_date_from_ymd(2024, 1, 2) + i);
        bars[k].open = c - 50000;
        bars[k].high = c + 400000;
        bars[k].low = c - 400000;
        bars[k].close = c;
        bars[k].volume = 1000000 + 37000 * ((i * (int)(k + 3)) % 11);
        has[k] = (uint8_t)present;
    }
    memset(d, 0, sizeof(*d));
    d->size = sizeof(*d);
    d->date = jutsu_date_from_ymd(2024, 1, 2) + i;
    d->bars = bars;
    d->has = has;
    d->n = x->n;
}

/* Feeds day i (all bars present, or none) to inst and records the answer;
 * commits a warm rebalance as the job would. */
static void strat_feed(const struct strat_run *x, struct jutsu_ctx *inst, int i, int present,
                       struct strat_rec *rec)
{
    struct jutsu_bar bars[JUTSU_STRATEGY_MAX_SYMBOLS];
    uint8_t has[JUTSU_STRATEGY_MAX_SYMBOLS];
    struct jutsu_strategy_day d;
    strat_bars(x, i, present, bars, has, &d);
    memset(rec, 0, sizeof(*rec));
    rec->sig.size = sizeof(rec->sig);
    for (size_t k = 0; k < JUTSU_STRATEGY_MAX_SYMBOLS; k++)
        rec->sig.weights[k] = NAN;
    rec->sig.t_norm = rec->sig.z_score = rec->sig.sma_fast = rec->sig.sma_slow = NAN;
    inst->error[0] = '\0';
    rec->rc = x->ops->on_day(inst->state, &d, &rec->sig);
    if (rec->sig.extras) {
        const char *t = json_object_to_json_string_ext(rec->sig.extras, JSON_C_TO_STRING_PLAIN);
        rec->extras = t ? strdup(t) : NULL;
        json_object_put(rec->sig.extras);
        rec->sig.extras = NULL;
    }
    if (rec->rc == 0 && x->committed && rec->sig.warm && rec->sig.rebalance)
        x->ops->committed(inst->state, rec->sig.weights, x->n);
}

static void strat_rec_free(struct strat_rec *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        free(r[i].extras);
    free(r);
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Equal answers; a description of the first difference in why. */
static int strat_same(const struct strat_run *x, const struct strat_rec *p,
                      const struct strat_rec *q, char *why, size_t whysz)
{
    const struct jutsu_strategy_signal *s = &p->sig, *t = &q->sig;
    const char *what = NULL;
    if (p->rc != q->rc)
        what = "the return code";
    for (size_t k = 0; what == NULL && k < x->n; k++)
        if (!same_double(s->weights[k], t->weights[k]))
            what = "a weight";
    if (what == NULL && (s->cell != t->cell || s->warm != t->warm || s->rebalance != t->rebalance))
        what = "cell, warm or rebalance";
    if (what == NULL && (strncmp(s->trend_state, t->trend_state, sizeof(s->trend_state)) ||
                         strncmp(s->vol_state, t->vol_state, sizeof(s->vol_state))))
        what = "trend_state or vol_state";
    if (what == NULL && !(same_double(s->t_norm, t->t_norm) && same_double(s->z_score, t->z_score)
                          && same_double(s->sma_fast, t->sma_fast) &&
                          same_double(s->sma_slow, t->sma_slow)))
        what = "t_norm, z_score, sma_fast or sma_slow";
    if (what == NULL && ((p->extras == NULL) != (q->extras == NULL) ||
                         (p->extras && strcmp(p->extras, q->extras) != 0)))
        what = "the extras";
    if (what)
        snprintf(why, whysz, "%s differs", what);
    return what == NULL;
}

/* Compares day by day from `from`; 0 or the first differing day + 1. */
static int strat_compare(const struct strat_run *x, const struct strat_rec *p,
                         const struct strat_rec *q, int from, char *why, size_t whysz)
{
    for (int i = from; i < STRAT_DAYS; i++)
        if (!strat_same(x, &p[i], &q[i], why, whysz))
            return i + 1;
    return 0;
}

/* The saved state as compact JSON text (malloc'd), or NULL. */
static char *strat_save(const struct strat_run *x, struct jutsu_ctx *inst)
{
    json_object *o = NULL;
    char *text = NULL;
    if (x->ops->save(inst->state, &o) == 0 && o != NULL) {
        const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        text = t ? strdup(t) : NULL;
    }
    json_object_put(o);
    return text;
}

static int strat_restore_text(const struct strat_run *x, struct jutsu_ctx *inst, const char *text)
{
    json_object *o = text ? json_tokener_parse(text) : NULL;
    inst->error[0] = '\0';
    int rc = x->ops->restore(inst->state, o);
    json_object_put(o);
    return rc;
}

static int upper_symbol(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 32)
        return 0;
    for (; *s; s++)
        if ((*s >= 'a' && *s <= 'z') || *s <= ' ' || *s > '~')
            return 0;
    return 1;
}

static int strat_check_needs(struct strat_run *x)
{
    struct jutsu_strategy_needs *nd = &x->needs;
    char bad[160] = "";
    memset(nd, 0, sizeof(*nd));
    nd->size = sizeof(*nd);
    int rc = x->ops->needs(x->a->state, nd);
    size_t n = 0;
    while (rc == 0 && n < JUTSU_STRATEGY_MAX_SYMBOLS && nd->symbols[n])
        n++;
    for (size_t i = 0; rc == 0 && !bad[0] && i < n; i++) {
        if (!upper_symbol(nd->symbols[i]))
            snprintf(bad, sizeof(bad), "symbol %zu \"%.40s\" is not an upper-case symbol", i,
                     nd->symbols[i]);
        for (size_t j = 0; !bad[0] && j < i; j++)
            if (strcmp(nd->symbols[i], nd->symbols[j]) == 0)
                snprintf(bad, sizeof(bad), "%.40s is listed twice", nd->symbols[i]);
    }
    int ok = rc == 0 && n >= 1 && !bad[0] && nd->warmup_bars >= 0 && nd->timeframe &&
             strcmp(nd->timeframe, "1D") == 0;
    harness_check(x->h, ok, "strategy.needs", "rc %d, %zu symbol(s)%s%s, warmup_bars %d, "
                  "timeframe %s", rc, n, bad[0] ? ": " : "", bad, (int)nd->warmup_bars,
                  nd->timeframe ? nd->timeframe : "(none)");
    x->n = n;
    return ok;
}

/* Runs the series on x->a, checking each day; saves the state of day
 * STRAT_MID (before it) into *mid. */
static struct strat_rec *strat_check_series(struct strat_run *x, char **mid)
{
    struct strat_rec *rec = calloc(STRAT_DAYS, sizeof(*rec));
    int failed = 0, bad_weights = 0, early_warm = 0, unterminated = 0;
    char first[300] = "";
    if (rec == NULL)
        return NULL;
    for (int i = 0; i < STRAT_DAYS; i++) {
        if (i == STRAT_MID)
            *mid = strat_save(x, x->a);
        strat_feed(x, x->a, i, 1, &rec[i]);
        const struct jutsu_strategy_signal *s = &rec[i].sig;
        if (rec[i].rc != 0 && failed++ == 0)
            snprintf(first, sizeof(first), "day %d: %.240s", i, x->a->error[0] ? x->a->error
                     : jutsu_strerror(rec[i].rc));
        for (size_t k = 0; rec[i].rc == 0 && k < x->n; k++)
            if (!isfinite(s->weights[k]) || s->weights[k] < 0) {
                bad_weights++;
                break;
            }
        if (rec[i].rc == 0 && i < x->needs.warmup_bars && s->warm)
            early_warm++;
        if (!memchr(s->trend_state, '\0', sizeof(s->trend_state)) ||
            !memchr(s->vol_state, '\0', sizeof(s->vol_state)))
            unterminated++;
    }
    harness_check(x->h, failed == 0, "strategy.series", "%d of %d days failed%s%s", failed,
                  STRAT_DAYS, first[0] ? "; first: " : "", first);
    harness_check(x->h, bad_weights == 0 && unterminated == 0, "strategy.signal",
                  "%d day(s) with a weight not finite or below 0, %d with an unterminated "
                  "trend_state or vol_state", bad_weights, unterminated);
    if (x->needs.warmup_bars < STRAT_DAYS)
        harness_check(x->h, early_warm == 0 && rec[STRAT_DAYS - 1].sig.warm, "strategy.warmup",
                      "%d day(s) warm before warmup_bars (%d); warm on the last day: %d",
                      early_warm, (int)x->needs.warmup_bars, rec[STRAT_DAYS - 1].sig.warm);
    else
        harness_check(x->h, early_warm == 0, "strategy.warmup", "%d day(s) warm before "
                      "warmup_bars (%d)", early_warm, (int)x->needs.warmup_bars);
    return rec;
}

/* Feeds the whole series (from day `from`) to inst, comparing with rec. */
static int strat_replay(struct strat_run *x, struct jutsu_ctx *inst, const struct strat_rec *rec,
                        int from, char *why, size_t whysz)
{
    struct strat_rec *again = calloc(STRAT_DAYS, sizeof(*again));
    if (again == NULL) {
        snprintf(why, whysz, "out of memory");
        return -1;
    }
    for (int i = from; i < STRAT_DAYS; i++)
        strat_feed(x, inst, i, 1, &again[i]);
    int day = strat_compare(x, rec, again, from, why, whysz);
    strat_rec_free(again, STRAT_DAYS);
    return day;
}

/* "the same signals", or where they first differ. */
static const char *strat_verdict(int day, const char *why, char *buf, size_t size)
{
    if (day == 0)
        return "the same signals";
    if (day < 0)
        snprintf(buf, size, "not compared (%s)", why[0] ? why : "failed");
    else
        snprintf(buf, size, "day %d: %s", day - 1, why);
    return buf;
}

static void strat_check_twins(struct strat_run *x, const struct strat_rec *rec, const char *mid)
{
    char why[160] = "", verdict[200], *ta, *tb;
    if (x->b == NULL) {
        harness_skip(x->h, "strategy.deterministic", "a singleton has no second instance");
        harness_skip(x->h, "strategy.save_restore", "a singleton has no second instance");
        return;
    }
    int day = strat_replay(x, x->b, rec, 0, why, sizeof(why));
    ta = strat_save(x, x->a);
    tb = strat_save(x, x->b);
    int same = ta && tb && strcmp(ta, tb) == 0;
    harness_check(x->h, day == 0 && same, "strategy.deterministic", "a second instance fed the "
                  "same %d days: %s; saved states %s", STRAT_DAYS,
                  strat_verdict(day, why, verdict, sizeof(verdict)),
                  same ? "identical" : "differ (or save failed)");
    free(tb);

    int rc = strat_restore_text(x, x->b, mid);
    if (rc != 0)
        snprintf(why, sizeof(why), "restore: %.140s", x->b->error[0] ? x->b->error
                 : jutsu_strerror(rc));
    day = rc == 0 ? strat_replay(x, x->b, rec, STRAT_MID, why, sizeof(why)) : -1;
    tb = rc == 0 ? strat_save(x, x->b) : NULL;
    same = ta && tb && strcmp(ta, tb) == 0;
    harness_check(x->h, mid && day == 0 && same, "strategy.save_restore", "day %d's state, "
                  "through JSON text, restored into the second instance: %s to the end; final "
                  "states %s", STRAT_MID, strat_verdict(day, why, verdict, sizeof(verdict)),
                  same ? "identical" : "differ (or save failed)");
    free(ta);
    free(tb);
}

static void strat_check_reset(struct strat_run *x, const struct strat_rec *rec)
{
    char why[160] = "";
    if (x->ops->reset == NULL) {
        harness_skip(x->h, "strategy.reset", "reset is optional and not provided");
        return;
    }
    int rc = x->ops->reset(x->a->state);
    int day = rc == 0 ? strat_replay(x, x->a, rec, 0, why, sizeof(why)) : -1;
    char verdict[200];
    harness_check(x->h, rc == 0 && day == 0, "strategy.reset", "reset: %s; a replay: %s",
                  jutsu_strerror(rc), strat_verdict(day, why, verdict, sizeof(verdict)));
}

static void strat_check_no_bars(struct strat_run *x)
{
    struct strat_rec rec;
    strat_feed(x, x->a, STRAT_DAYS, 0, &rec);
    free(rec.extras);
    /* answered, or refused with a reason (not crashing is the rest of it) */
    harness_check(x->h, rec.rc == 0 || x->a->error[0] != '\0', "strategy.no_bars",
                  "a day with no bar at all: %s%s%s",
                  rec.rc == 0 ? "0" : jutsu_strerror(rec.rc), rec.rc && x->a->error[0] ? ": " : "",
                  rec.rc ? x->a->error : "");
}

static void strat_check_garbage(struct strat_run *x, const struct strat_rec *rec)
{
    static const char *const garbage[] = {
        NULL, "\"garbage\"", "[1, 2, 3]", "42", "{}", "{\"version\": \"one\"}",
        "{\"version\": 999999}", "{\"version\": 1, \"bars\": -5}",
    };
    int accepted = 0;
    char first[200] = "", why[160] = "";
    for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
        if (strat_restore_text(x, x->a, garbage[i]) == 0 && accepted++ == 0)
            snprintf(first, sizeof(first), "; first accepted: %s", garbage[i] ? garbage[i]
                     : "null");
    harness_check(x->h, accepted == 0, "strategy.garbage", "%d of %zu non-states accepted by "
                  "restore%s", accepted, sizeof(garbage) / sizeof(garbage[0]), first);
    /* the last refusal must leave the instance as after init */
    char verdict[200];
    int day = strat_replay(x, x->a, rec, 0, why, sizeof(why));
    harness_check(x->h, day == 0, "strategy.after_refusal", "after a refused restore, a "
                  "replay from day 0: %s", strat_verdict(day, why, verdict, sizeof(verdict)));
}

void harness_strategy_suite(struct harness *h, struct jutsu_ctx *inst)
{
    struct strat_run x = { .h = h, .a = inst, .ops = inst->module->desc->ops };
    char *mid = NULL;
    for (size_t i = 0; h->app && i < h->app->ninst; i++)
        if (h->app->inst[i] != inst && h->app->inst[i]->module == inst->module)
            x.b = h->app->inst[i];
    x.committed = JUTSU_OPS_HAS(x.ops, jutsu_strategy_ops, committed);
    if (!strat_check_needs(&x))
        return;
    struct strat_rec *rec = strat_check_series(&x, &mid);
    if (rec == NULL) {
        harness_check(h, 0, "strategy.series", "out of memory");
        return;
    }
    strat_check_twins(&x, rec, mid);
    strat_check_reset(&x, rec);
    strat_check_no_bars(&x);
    strat_check_garbage(&x, rec);
    strat_rec_free(rec, STRAT_DAYS);
    free(mid);
}
