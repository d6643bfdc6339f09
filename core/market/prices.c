/*
 * core/market/prices.c — daily closes for a job (see prices.h).
 */
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "market/prices.h"

struct series {
    char          symbol[16];
    jutsu_date_t *dates;         /* ascending */
    struct jutsu_bar *bars;      /* the bars of those dates */
    size_t        n, cap;
    int           before_read;   /* the close before `from` was looked up */
    int           has_before;
    jutsu_date_t  before_date;
    jutsu_money_t before_close;
};

#define BOOK_FIRST_CAP 8192   /* dates: 22 years of daily bars */

struct jutsu_prices {
    jutsu_dbs    *s;
    jutsu_date_t  from, to;
    struct series *sym;
    size_t        n, cap;
};

int jutsu_prices_new(jutsu_dbs *s, jutsu_date_t from, jutsu_date_t to, jutsu_prices **out)
{
    if (from > to)
        return JUTSU_EINVAL;
    jutsu_prices *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return JUTSU_ENOMEM;
    p->s = s;
    p->from = from;
    p->to = to;
    *out = p;
    return 0;
}

void jutsu_prices_free(jutsu_prices *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->sym[i].dates);
        free(p->sym[i].bars);
    }
    free(p->sym);
    free(p);
}

static int take_bar(const struct jutsu_bar_row *b, void *arg)
{
    struct series *x = arg;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        jutsu_date_t *d = realloc(x->dates, cap * sizeof(*d));
        if (d == NULL)
            return JUTSU_ENOMEM;
        x->dates = d;
        struct jutsu_bar *c = realloc(x->bars, cap * sizeof(*c));
        if (c == NULL)
            return JUTSU_ENOMEM;
        x->bars = c;
        x->cap = cap;
    }
    x->dates[x->n] = jutsu_time_to_date(b->ts);
    x->bars[x->n] = (struct jutsu_bar){
        .ts = b->ts, .open = b->open, .high = b->high, .low = b->low, .close = b->close,
        .volume = b->volume,
    };
    x->n++;
    return 0;
}

/* The symbol's series, read on first use. */
static int series_of(jutsu_prices *p, const char *symbol, struct series **out)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->sym[i].symbol, symbol) == 0) {
            *out = &p->sym[i];
            return 0;
        }
    if (strlen(symbol) >= sizeof(p->sym[0].symbol))
        return JUTSU_EINVAL;
    if (p->s == NULL)
        return JUTSU_ESTATE;   /* detached: only what was read */
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        struct series *s = realloc(p->sym, cap * sizeof(*s));
        if (s == NULL)
            return JUTSU_ENOMEM;
        p->sym = s;
        p->cap = cap;
    }
    struct series *x = &p->sym[p->n];
    memset(x, 0, sizeof(*x));
    strcpy(x->symbol, symbol);
    /* one bar a date at most: sized once for the book's range (a long
     * one is sized part way and grows), not grown and copied by doubling */
    size_t span = (size_t)(p->to - p->from) + 1;
    x->cap = span < BOOK_FIRST_CAP ? span : BOOK_FIRST_CAP;
    x->dates = malloc(x->cap * sizeof(*x->dates));
    x->bars = malloc(x->cap * sizeof(*x->bars));
    if (x->dates == NULL || x->bars == NULL) {
        free(x->dates);
        free(x->bars);
        return JUTSU_ENOMEM;
    }
    /* daily bars are keyed at 00:00 UTC of their trading date */
    int rc = jutsu_data_bars_prices(p->s, symbol, "1D", jutsu_date_to_time(p->from),
                                    jutsu_date_to_time(p->to), take_bar, x);
    if (rc != 0) {
        free(x->dates);
        free(x->bars);
        return rc;
    }
    p->n++;
    *out = x;
    return 0;
}

int jutsu_prices_copy(jutsu_prices *p, const char *const *symbols, size_t n,
                      jutsu_prices **out)
{
    jutsu_prices *c = NULL;
    int rc = jutsu_prices_new(NULL, p->from, p->to, &c);
    if (rc == 0 && (c->sym = calloc(n ? n : 1, sizeof(*c->sym))) == NULL)
        rc = JUTSU_ENOMEM;
    if (rc == 0)
        c->cap = n;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct series *x, *y = &c->sym[i];
        if ((rc = series_of(p, symbols[i], &x)) != 0)
            break;
        *y = *x;
        y->cap = x->n ? x->n : 1;
        y->dates = malloc(y->cap * sizeof(*y->dates));
        y->bars = malloc(y->cap * sizeof(*y->bars));
        c->n++;   /* freed with the copy from here on */
        if (y->dates == NULL || y->bars == NULL) {
            rc = JUTSU_ENOMEM;
            break;
        }
        memcpy(y->dates, x->dates, x->n * sizeof(*y->dates));
        memcpy(y->bars, x->bars, x->n * sizeof(*y->bars));
    }
    if (rc != 0) {
        jutsu_prices_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Index of the last date <= d, or -1. */
static long last_at_or_before(const struct series *x, jutsu_date_t d)
{
    long lo = 0, hi = (long)x->n - 1, found = -1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (x->dates[mid] <= d) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

/* The series of `symbol` and the index of its last bar at or before d
 * (-1 for none); JUTSU_ERANGE for a day outside the book. */
static int locate(jutsu_prices *p, const char *symbol, jutsu_date_t d, struct series **x,
                  long *i)
{
    if (d < p->from || d > p->to)
        return JUTSU_ERANGE;
    int rc = series_of(p, symbol, x);
    if (rc == 0)
        *i = last_at_or_before(*x, d);
    return rc;
}

int jutsu_prices_bar(jutsu_prices *p, const char *symbol, jutsu_date_t d, struct jutsu_bar *bar)
{
    struct series *x;
    long i;
    int rc = locate(p, symbol, d, &x, &i);
    if (rc != 0)
        return rc;
    if (i < 0 || x->dates[i] != d)
        return JUTSU_ENOENT;
    *bar = x->bars[i];
    return 0;
}

int jutsu_prices_put(jutsu_prices *p, const char *symbol, jutsu_date_t d,
                     const struct jutsu_bar *bar)
{
    struct series *x;
    long i;
    int rc = locate(p, symbol, d, &x, &i);
    if (rc != 0)
        return rc;
    if (i >= 0 && x->dates[i] == d) {
        x->bars[i] = *bar;
        return 0;
    }
    struct jutsu_bar_row row = { .ts = jutsu_date_to_time(d), .open = bar->open,
                                 .high = bar->high, .low = bar->low, .close = bar->close,
                                 .volume = bar->volume };
    if ((rc = take_bar(&row, x)) != 0)   /* appended; then moved into place */
        return rc;
    size_t at = (size_t)(i + 1);
    jutsu_date_t nd = x->dates[x->n - 1];
    struct jutsu_bar nb = x->bars[x->n - 1];
    memmove(&x->dates[at + 1], &x->dates[at], (x->n - 1 - at) * sizeof(*x->dates));
    memmove(&x->bars[at + 1], &x->bars[at], (x->n - 1 - at) * sizeof(*x->bars));
    x->dates[at] = nd;
    x->bars[at] = nb;
    return 0;
}

int jutsu_prices_on(jutsu_prices *p, const char *symbol, jutsu_date_t d, jutsu_money_t *close)
{
    struct jutsu_bar b;
    int rc = jutsu_prices_bar(p, symbol, d, &b);
    if (rc == 0)
        *close = b.close;
    return rc;
}

int jutsu_prices_asof(jutsu_prices *p, const char *symbol, jutsu_date_t d, jutsu_money_t *close,
                      jutsu_date_t *on)
{
    struct series *x;
    long i;
    int rc = locate(p, symbol, d, &x, &i);
    if (rc != 0)
        return rc;
    if (i >= 0) {
        *close = x->bars[i].close;
        *on = x->dates[i];
        return 0;
    }
    if (!x->before_read && p->s == NULL)
        return JUTSU_ESTATE;
    if (!x->before_read) {
        jutsu_time_t ts;
        rc = jutsu_data_close_before(p->s, symbol, "1D", jutsu_date_to_time(p->from), &ts,
                                     &x->before_close);
        if (rc != 0 && rc != JUTSU_ENOENT)
            return rc;
        x->before_read = 1;
        x->has_before = rc == 0;
        x->before_date = rc == 0 ? jutsu_time_to_date(ts) : 0;
    }
    if (!x->has_before)
        return JUTSU_ENOENT;
    *close = x->before_close;
    *on = x->before_date;
    return 0;
}
