/*
 * tests/unit/strategy_fx.c — the shared fixture of test_strategy_regime
 * (see strategy_fx.h).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/money.h"
#include "strategy_fx.h"
#include "testutil.h"

void sfx_open(struct sfx *f, const char *plugins)
{
    memset(f, 0, sizeof(*f));
    f->rc = tu_app_open(plugins, &f->app, f->diag, sizeof(f->diag));
}

void sfx_start(struct sfx *f, const char *plugins)
{
    sfx_open(f, plugins);
    const char *why = "";
    for (size_t i = 0; f->app && i < f->app->ninst; i++)
        if (f->app->inst[i]->error[0])
            why = f->app->inst[i]->error;
    ck_assert_msg(f->rc == 0, "start: %s (is JUTSU_PLUGIN_PATH set?) %s%s",
                  jutsu_strerror(f->rc), f->diag, why);
}

void sfx_close(struct sfx *f)
{
    jutsu_app_free(f->app);
    f->app = NULL;
}

struct jutsu_ctx *sfx_inst(struct sfx *f, const char *name)
{
    struct jutsu_ctx *c = jutsu_app_find(f->app, name);
    ck_assert_msg(c != NULL && c->started, "instance %s is not running", name);
    return c;
}

const struct jutsu_strategy_ops *sfx_ops(const struct jutsu_ctx *c)
{
    return c->module->desc->ops;
}

size_t sfx_needs(struct jutsu_ctx *c, struct jutsu_strategy_needs *nd)
{
    memset(nd, 0, sizeof(*nd));
    nd->size = sizeof(*nd);
    ck_assert_int_eq(sfx_ops(c)->needs(c->state, nd), 0);
    size_t n = 0;
    while (n < JUTSU_STRATEGY_MAX_SYMBOLS && nd->symbols[n])
        n++;
    return n;
}

/* --- the sample data ----------------------------------------------------------- */

struct csv_rows {
    jutsu_date_t     *dates;
    struct jutsu_bar *bars;
    size_t            n, cap;
};

/* The next comma-separated field of *p as [start, end). */
static void field(const char **p, const char **start, const char **end, const char *line)
{
    *start = *p;
    *end = strpbrk(*p, ",\r\n");
    CHECK(*end != NULL, "short line %s", line);
    *p = **end == ',' ? *end + 1 : *end;
}

static void read_csv(const char *symbol, struct csv_rows *rows)
{
    char *path = NULL, line[512];
    memset(rows, 0, sizeof(*rows));
    ck_assert_int_gt(asprintf(&path, "%s/conf/sample-data/%s.csv", tu_source_dir(), symbol), 0);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s (is JUTSU_SOURCE_DIR set?)", path);
    ck_assert(fgets(line, sizeof(line), f) != NULL);
    CHECK(strncmp(line, "Date,Open,High,Low,Close,Adj Close,Volume", 41) == 0,
                  "%s: header %s", path, line);
    while (fgets(line, sizeof(line), f) != NULL) {
        const char *p = line, *a, *b;
        jutsu_money_t *m[4];
        if (line[0] == '\n' || line[0] == '\r')
            continue;
        if (rows->n == rows->cap) {
            rows->cap = rows->cap ? 2 * rows->cap : 4096;
            rows->dates = realloc(rows->dates, rows->cap * sizeof(*rows->dates));
            rows->bars = realloc(rows->bars, rows->cap * sizeof(*rows->bars));
            CHECK(rows->dates && rows->bars, "out of memory");
        }
        struct jutsu_bar *bar = &rows->bars[rows->n];
        memset(bar, 0, sizeof(*bar));
        field(&p, &a, &b, line);
        CHECK(jutsu_date_parse(a, b - a, &rows->dates[rows->n]) == 0, "%s: %s", path, line);
        m[0] = &bar->open, m[1] = &bar->high, m[2] = &bar->low, m[3] = &bar->close;
        for (int k = 0; k < 4; k++) {
            field(&p, &a, &b, line);
            CHECK(jutsu_money_parse(a, b - a, JUTSU_MONEY_EXACT, m[k]) == 0,
                          "%s: price %d of %s", path, k, line);
        }
        field(&p, &a, &b, line);   /* Adj Close: not used */
        field(&p, &a, &b, line);
        char *end;
        bar->volume = strtoll(a, &end, 10);
        CHECK(end == b && bar->volume >= 0, "%s: volume of %s", path, line);
        bar->ts = jutsu_date_to_time(rows->dates[rows->n]);
        bar->line = (uint32_t)rows->n + 2;
        CHECK(rows->n == 0 || rows->dates[rows->n] > rows->dates[rows->n - 1],
                      "%s: dates out of order at %s", path, line);
        rows->n++;
    }
    fclose(f);
    free(path);
}

static int cmp_date(const void *a, const void *b)
{
    jutsu_date_t x = *(const jutsu_date_t *)a, y = *(const jutsu_date_t *)b;
    return (x > y) - (x < y);
}

void sample_load(struct sample *s, const char *const *symbols)
{
    struct csv_rows rows[JUTSU_STRATEGY_MAX_SYMBOLS];
    size_t total = 0;
    memset(s, 0, sizeof(*s));
    for (; symbols[s->nsym]; s->nsym++) {
        ck_assert(s->nsym < JUTSU_STRATEGY_MAX_SYMBOLS);
        s->symbols[s->nsym] = symbols[s->nsym];
        read_csv(symbols[s->nsym], &rows[s->nsym]);
        total += rows[s->nsym].n;
    }
    /* the union of the dates */
    s->dates = malloc(total * sizeof(*s->dates));
    ck_assert_ptr_nonnull(s->dates);
    size_t at = 0;
    for (size_t k = 0; k < s->nsym; k++) {
        memcpy(s->dates + at, rows[k].dates, rows[k].n * sizeof(*s->dates));
        at += rows[k].n;
    }
    qsort(s->dates, total, sizeof(*s->dates), cmp_date);
    for (size_t i = 0; i < total; i++)
        if (s->ndays == 0 || s->dates[i] != s->dates[s->ndays - 1])
            s->dates[s->ndays++] = s->dates[i];
    s->bars = calloc(s->ndays * s->nsym, sizeof(*s->bars));
    s->has = calloc(s->ndays * s->nsym, 1);
    ck_assert(s->bars && s->has);
    for (size_t k = 0; k < s->nsym; k++) {
        for (size_t i = 0, d = 0; i < rows[k].n; i++) {
            while (s->dates[d] != rows[k].dates[i])
                d++;
            s->bars[d * s->nsym + k] = rows[k].bars[i];
            s->has[d * s->nsym + k] = 1;
        }
        free(rows[k].dates);
        free(rows[k].bars);
    }
}

void sample_free(struct sample *s)
{
    free(s->dates);
    free(s->bars);
    free(s->has);
    memset(s, 0, sizeof(*s));
}

void sample_day(const struct sample *s, size_t d, struct jutsu_strategy_day *out)
{
    memset(out, 0, sizeof(*out));
    out->size = sizeof(*out);
    out->date = s->dates[d];
    out->bars = s->bars + d * s->nsym;
    out->has = s->has + d * s->nsym;
    out->n = s->nsym;
}

size_t sample_find(const struct sample *s, jutsu_date_t date)
{
    for (size_t d = 0; d < s->ndays; d++)
        if (s->dates[d] == date)
            return d;
    return (size_t)-1;
}

/* --- one day ------------------------------------------------------------------- */

void sfx_feed(struct jutsu_ctx *c, const struct jutsu_strategy_day *day, struct srec *r)
{
    memset(r, 0, sizeof(*r));
    r->sig.size = sizeof(r->sig);
    for (size_t k = 0; k < JUTSU_STRATEGY_MAX_SYMBOLS; k++)
        r->sig.weights[k] = NAN;
    r->sig.t_norm = r->sig.z_score = r->sig.sma_fast = r->sig.sma_slow = NAN;
    c->error[0] = '\0';
    r->rc = sfx_ops(c)->on_day(c->state, day, &r->sig);
    if (r->sig.extras) {
        r->extras = strdup(json_object_to_json_string_ext(r->sig.extras, JSON_C_TO_STRING_PLAIN));
        CHECK(r->extras != NULL, "out of memory");
        json_object_put(r->sig.extras);
        r->sig.extras = NULL;
    }
}

void srec_free(struct srec *r)
{
    free(r->extras);
    r->extras = NULL;
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0;
}

void srec_assert_same(const struct srec *a, const struct srec *b, size_t nsym,
                      const char *what, size_t day)
{
    const struct jutsu_strategy_signal *s = &a->sig, *t = &b->sig;
    CHECK(a->rc == b->rc, "%s, day %zu: rc %d vs %d", what, day, a->rc, b->rc);
    for (size_t k = 0; k < nsym; k++)
        CHECK(same_double(s->weights[k], t->weights[k]), "%s, day %zu: weight %zu "
                      "%.17g vs %.17g", what, day, k, s->weights[k], t->weights[k]);
    CHECK(s->cell == t->cell && s->warm == t->warm && s->rebalance == t->rebalance &&
                  strcmp(s->trend_state, t->trend_state) == 0 &&
                  strcmp(s->vol_state, t->vol_state) == 0, "%s, day %zu: cell %d/%d warm %d/%d "
                  "rebalance %d/%d %s/%s %s/%s", what, day, s->cell, t->cell, s->warm, t->warm,
                  s->rebalance, t->rebalance, s->trend_state, t->trend_state, s->vol_state,
                  t->vol_state);
    CHECK(same_double(s->t_norm, t->t_norm) && same_double(s->z_score, t->z_score) &&
                  same_double(s->sma_fast, t->sma_fast) && same_double(s->sma_slow, t->sma_slow),
                  "%s, day %zu: an indicator differs", what, day);
    CHECK((a->extras == NULL && b->extras == NULL) ||
                  (a->extras && b->extras && strcmp(a->extras, b->extras) == 0),
                  "%s, day %zu: extras %s vs %s", what, day, a->extras ? a->extras : "NULL",
                  b->extras ? b->extras : "NULL");
}

char *sfx_save(struct jutsu_ctx *c)
{
    json_object *o = NULL;
    int rc = sfx_ops(c)->save(c->state, &o);
    ck_assert_msg(rc == 0 && o != NULL, "save: %s %s", jutsu_strerror(rc), c->error);
    char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    ck_assert_ptr_nonnull(text);
    json_object_put(o);
    return text;
}

int sfx_restore(struct jutsu_ctx *c, const char *text)
{
    json_object *o = NULL;
    if (text != NULL) {
        o = json_tokener_parse(text);
        ck_assert_msg(o != NULL || strcmp(text, "null") == 0, "not JSON: %s", text);
    }
    c->error[0] = '\0';
    int rc = sfx_ops(c)->restore(c->state, o);
    json_object_put(o);
    return rc;
}

int sfx_commit(struct jutsu_ctx *c, const double *weights, size_t n)
{
    const struct jutsu_strategy_ops *ops = sfx_ops(c);
    CHECK(ops->size >= offsetof(struct jutsu_strategy_ops, committed) +
          sizeof(ops->committed) && ops->committed != NULL, "no committed op");
    c->error[0] = '\0';
    return ops->committed(c->state, weights, n);
}

int sfx_near(double got, double want)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    return fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want));
}
