/*
 * core/trading/trade_book.h — a strategy's books and the arithmetic of trading:
 * target weights to whole-share orders, simulated fills, and what a fill
 * does to cash, positions, average cost and realised P&L. Pure functions
 * over exact money (micro-units); no database, no plugin.
 *
 * Sizing. Equity is cash plus every position at the day's price. Symbol
 * i's target is floor(w_i x equity / price_i) shares, with w_i taken to
 * six decimals (a ratio), computed in 128-bit integers: the same targets
 * on every machine. Orders are the differences with what is held; a held
 * symbol the strategy no longer names is sold. Sells come first (they
 * raise cash), then buys in the strategy's symbol order, each cut to what
 * the cash left can pay, commission included: the books never go below
 * zero cash.
 *
 * Simulated fills (offline_mock, backtests): a buy fills at price x (1 +
 * slippage), a sell at price x (1 - slippage), rounded half to even to the
 * micro-unit; commission is commission_per_share x shares.
 *
 * Accounting. A buy raises the position's average cost to the
 * quantity-weighted mean of the old cost and the fill (half to even); a
 * sell realises (fill - average cost) x shares - commission and leaves the
 * average cost as it was. Commission is paid out of cash on both sides.
 */
#ifndef JUTSU_CORE_TRADE_BOOK_H
#define JUTSU_CORE_TRADE_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/money.h"
#include "jutsu/strategy.h"

#define TRADE_MAX_POSITIONS (2 * JUTSU_STRATEGY_MAX_SYMBOLS)

struct trade_pos {
    char          symbol[16];
    int32_t       qty;            /* > 0 */
    jutsu_money_t avg_cost;
};

struct trade_books {
    jutsu_money_t    cash;
    size_t           npos;
    struct trade_pos pos[TRADE_MAX_POSITIONS];
};

struct trade_costs {
    jutsu_money_t commission_per_share;   /* 0.010000 */
    jutsu_money_t slippage;               /* a fraction in micro-units: 0.001000 */
};

/* One order, and when filled what it came to. */
struct trade_order {
    char          symbol[16];
    int           buy;            /* 1 BUY, 0 SELL */
    int32_t       qty;            /* asked; > 0 */
    jutsu_money_t price;          /* the day's price it was sized at (target_price) */
    /* the fill (filled == 0: not filled; partial fills report what filled) */
    int32_t       filled;
    jutsu_money_t fill_price, fill_value, commission;
    jutsu_money_t realized_pnl;   /* sells */
    char          order_id[64];   /* the broker's, or "" */
    char          note[256];      /* why not filled, or cut */
};

/* The position of `symbol`, or NULL. */
struct trade_pos *jutsu_trade_book_find(struct trade_books *b, const char *symbol);

/*
 * The orders that take the books to the targets. symbols[i] / weights[i]
 * / prices[i] for i < n are the strategy's symbols, its weights and the
 * day's prices (prices[i] > 0 wherever weights[i] > 0 or a position is
 * held); held symbols outside `symbols` are sold at held_prices (same
 * order as b->pos; may be NULL when none is held). Writes up to `max`
 * orders, sells first. *equity gets the equity they were sized on.
 * Returns the number of orders, or a negative JUTSU_E* (JUTSU_EINVAL: a
 * price missing; JUTSU_ERANGE: beyond NUMERIC(18,6)).
 */
int jutsu_trade_book_orders(const struct trade_books *b, const char *const *symbols,
                            const double *weights, const jutsu_money_t *prices, size_t n,
                            const jutsu_money_t *held_prices, struct trade_order *out, size_t max,
                            jutsu_money_t *equity);

/* Fills an order at the day's price with the simulated costs, cutting a
 * buy to what `cash` can pay (0 shares: not filled, with a note). */
int jutsu_trade_book_simulate(struct trade_order *o, jutsu_money_t cash,
                              const struct trade_costs *c);

/* Applies a filled order (o->filled > 0) to the books; sets o->realized_pnl
 * for a sell. JUTSU_EINVAL if it sells more than is held, JUTSU_ERANGE. */
int jutsu_trade_book_apply(struct trade_books *b, struct trade_order *o);

/* Cash plus every position at prices[] (same order as b->pos). */
int jutsu_trade_book_equity(const struct trade_books *b, const jutsu_money_t *prices,
                            jutsu_money_t *equity);

#endif
