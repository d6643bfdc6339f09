/*
 * core/trading/trade_book.c — books, orders and fills (see trade_book.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "trading/trade_book.h"

typedef __int128 i128;

/* num / den rounded half to even, den > 0; JUTSU_ERANGE beyond money. */
static int div_even(i128 num, i128 den, jutsu_money_t *out)
{
    int neg = num < 0;
    i128 n = neg ? -num : num, q = n / den, r = n % den;
    if (r * 2 > den || (r * 2 == den && (q & 1)))
        q++;
    if (q > JUTSU_MONEY_MAX)
        return JUTSU_ERANGE;
    *out = (jutsu_money_t)(neg ? -q : q);
    return 0;
}

static int fits(i128 v)
{
    return v >= JUTSU_MONEY_MIN && v <= JUTSU_MONEY_MAX;
}

struct trade_pos *jutsu_trade_book_find(struct trade_books *b, const char *symbol)
{
    for (size_t i = 0; i < b->npos; i++)
        if (strcmp(b->pos[i].symbol, symbol) == 0)
            return &b->pos[i];
    return NULL;
}

static int32_t held(const struct trade_books *b, const char *symbol)
{
    for (size_t i = 0; i < b->npos; i++)
        if (strcmp(b->pos[i].symbol, symbol) == 0)
            return b->pos[i].qty;
    return 0;
}

static long index_of(const char *const *symbols, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(symbols[i], s) == 0)
            return (long)i;
    return -1;
}

int jutsu_trade_book_equity(const struct trade_books *b, const jutsu_money_t *prices,
                            jutsu_money_t *equity)
{
    i128 e = b->cash;
    for (size_t i = 0; i < b->npos; i++)
        e += (i128)b->pos[i].qty * prices[i];
    if (!fits(e))
        return JUTSU_ERANGE;
    *equity = (jutsu_money_t)e;
    return 0;
}

static void add_order(struct trade_order *out, size_t max, int *n, const char *symbol, int buy,
                      int64_t qty, jutsu_money_t price)
{
    if ((size_t)*n >= max)
        return;
    struct trade_order *o = &out[(*n)++];
    memset(o, 0, sizeof(*o));
    snprintf(o->symbol, sizeof(o->symbol), "%s", symbol);
    o->buy = buy;
    o->qty = (int32_t)qty;
    o->price = price;
}

int jutsu_trade_book_orders(const struct trade_books *b, const char *const *symbols,
                            const double *weights, const jutsu_money_t *prices, size_t n,
                            const jutsu_money_t *held_prices, struct trade_order *out, size_t max,
                            jutsu_money_t *equity)
{
    jutsu_money_t pos_price[TRADE_MAX_POSITIONS];
    for (size_t k = 0; k < b->npos; k++) {
        long i = index_of(symbols, n, b->pos[k].symbol);
        pos_price[k] = i >= 0 ? prices[i] : held_prices ? held_prices[k] : 0;
        if (pos_price[k] <= 0)
            return JUTSU_EINVAL;
    }
    int rc = jutsu_trade_book_equity(b, pos_price, equity);
    if (rc != 0)
        return rc;
    int64_t target[JUTSU_STRATEGY_MAX_SYMBOLS];
    for (size_t i = 0; i < n; i++) {
        double w = weights[i];
        target[i] = 0;
        if (!(w > 0) || *equity <= 0)
            continue;
        if (prices[i] <= 0)
            return JUTSU_EINVAL;
        /* the weight to six places, then shares = floor(w x equity / price) exactly */
        i128 wu = (i128)llround(w * 1e6);
        i128 shares = wu * *equity / ((i128)prices[i] * JUTSU_MONEY_SCALE);
        if (shares > INT32_MAX)
            return JUTSU_ERANGE;
        target[i] = (int64_t)shares;
    }
    int k = 0;
    for (size_t p = 0; p < b->npos; p++)   /* what it no longer wants at all */
        if (index_of(symbols, n, b->pos[p].symbol) < 0)
            add_order(out, max, &k, b->pos[p].symbol, 0, b->pos[p].qty, pos_price[p]);
    for (size_t i = 0; i < n; i++) {
        int64_t d = target[i] - held(b, symbols[i]);
        if (d < 0)
            add_order(out, max, &k, symbols[i], 0, -d, prices[i]);
    }
    for (size_t i = 0; i < n; i++) {
        int64_t d = target[i] - held(b, symbols[i]);
        if (d > 0)
            add_order(out, max, &k, symbols[i], 1, d, prices[i]);
    }
    return k;
}

int jutsu_trade_book_simulate(struct trade_order *o, jutsu_money_t cash, const struct trade_costs *c)
{
    jutsu_money_t fill;
    int rc = jutsu_money_muldiv(o->price, o->buy ? JUTSU_MONEY_SCALE + c->slippage
                                                 : JUTSU_MONEY_SCALE - c->slippage,
                                JUTSU_MONEY_SCALE, &fill);
    if (rc != 0)
        return rc;
    int64_t qty = o->qty;
    if (o->buy) {
        jutsu_money_t per_share = fill + c->commission_per_share;
        int64_t can = per_share > 0 && cash > 0 ? cash / per_share : 0;
        if (can < qty) {
            snprintf(o->note, sizeof(o->note), "cut from %d to %lld shares: the cash left",
                     (int)o->qty, (long long)can);
            qty = can;
        }
    }
    o->filled = (int32_t)qty;
    o->fill_price = fill;
    if ((rc = jutsu_money_mul_int(qty, fill, &o->fill_value)) != 0 ||
        (rc = jutsu_money_mul_int(qty, c->commission_per_share, &o->commission)) != 0)
        return rc;
    return 0;
}

int jutsu_trade_book_apply(struct trade_books *b, struct trade_order *o)
{
    if (o->filled <= 0)
        return 0;
    struct trade_pos *p = jutsu_trade_book_find(b, o->symbol);
    if (o->buy) {
        i128 cash = (i128)b->cash - o->fill_value - o->commission;
        if (!fits(cash))
            return JUTSU_ERANGE;
        if (p == NULL) {
            if (b->npos == TRADE_MAX_POSITIONS)
                return JUTSU_ERANGE;
            p = &b->pos[b->npos++];
            memset(p, 0, sizeof(*p));
            snprintf(p->symbol, sizeof(p->symbol), "%s", o->symbol);
        }
        int64_t q = (int64_t)p->qty + o->filled;
        if (q > INT32_MAX)
            return JUTSU_ERANGE;
        int rc = div_even((i128)p->qty * p->avg_cost + (i128)o->filled * o->fill_price, q,
                          &p->avg_cost);
        if (rc != 0)
            return rc;
        p->qty = (int32_t)q;
        b->cash = (jutsu_money_t)cash;
        return 0;
    }
    if (p == NULL || p->qty < o->filled)
        return JUTSU_EINVAL;
    i128 pnl = (i128)o->filled * (o->fill_price - p->avg_cost) - o->commission;
    i128 cash = (i128)b->cash + o->fill_value - o->commission;
    if (!fits(pnl) || !fits(cash))
        return JUTSU_ERANGE;
    o->realized_pnl = (jutsu_money_t)pnl;
    b->cash = (jutsu_money_t)cash;
    p->qty -= o->filled;
    if (p->qty == 0) {   /* closed: drop it, keeping the order of the rest */
        size_t k = (size_t)(p - b->pos);
        memmove(&b->pos[k], &b->pos[k + 1], (b->npos - k - 1) * sizeof(*p));
        b->npos--;
    }
    return 0;
}
