/*
 * core/trading/trade_broker.c — online_live fills: the day's orders through the
 * strategy's broker instance (include/jutsu/broker.h), one at a time,
 * sells first.
 *
 * Each order is placed, then its status asked every
 * trading.poll_interval_ms until it is filled, rejected or cancelled; an
 * order still working after trading.order_timeout_s is cancelled and its
 * final status read. Whatever filled (a partial fill too) is booked at the
 * broker's average fill price with the broker's order id; what did not is
 * noted on the order. A buy is first cut to what the strategy's cash can
 * pay at the day's price plus the simulated slippage, so a strategy never
 * spends money it does not have in its books.
 *
 * A refused or failed order does not stop the others; an authorisation
 * failure does (every later order would fail the same way), and so does an
 * order sent without a certain answer (JUTSU_ETIMEDOUT: it may be live; a
 * person must look before anything more is placed).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jutsu/broker.h"
#include "jutsu/error.h"
#include "base/clock.h"
#include "base/log.h"
#include "trading/trade_int.h"

static void sleep_ms(int64_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static int final(uint32_t status)
{
    return status == JUTSU_ORDER_FILLED || status == JUTSU_ORDER_REJECTED ||
           status == JUTSU_ORDER_CANCELLED;
}

/* Asks for the order's status until it is final or `until` (monotonic
 * ms) passes; 0 with *f final, JUTSU_ETIMEDOUT when it is still live, or
 * the broker's error. */
static int poll_until(struct jutsu_ctx *b, const struct jutsu_broker_ops *ops, const char *id,
                      int64_t until, int64_t poll_ms, struct jutsu_fill *f)
{
    for (;;) {
        memset(f, 0, sizeof(*f));
        f->size = sizeof(*f);
        b->error[0] = '\0';
        int rc = ops->status(b->state, id, f);
        if (rc == 0 && final(f->status))
            return 0;
        if (rc != 0 && rc != JUTSU_ETRANSIENT && rc != JUTSU_ERATELIMIT)
            return rc;
        if ((jutsu_clock_mono_us() / 1000) >= until)
            return JUTSU_ETIMEDOUT;
        sleep_ms(poll_ms);
    }
}

/* Places one order and follows it to its end; fills *f. After the timeout
 * the order is cancelled and followed until the cancel is final: shares
 * may fill meanwhile, and they are the account's. */
static int follow(struct trader *t, struct trade_order *o, struct jutsu_fill *f)
{
    struct jutsu_ctx *b = t->ent->broker;
    const struct jutsu_broker_ops *ops = jutsu_ctx_broker(b);
    const struct jutsu_settings_trading *set = &jutsu_app_settings(t->app)->trading;
    int64_t timeout_s = set->order_timeout_s;
    int64_t poll_ms = set->poll_interval_ms;

    struct jutsu_order req = { .size = sizeof(req), .symbol = o->symbol, .quantity = o->qty,
                               .side = o->buy ? JUTSU_ORDER_BUY : JUTSU_ORDER_SELL };
    char id[JUTSU_ORDER_ID_SIZE] = "";
    b->error[0] = '\0';
    int rc = ops->place(b->state, &req, id);
    if (rc != 0) {
        snprintf(o->note, sizeof(o->note), rc == JUTSU_ETIMEDOUT
                 ? "sent, but its fate is unknown (it may be live: check the account's orders "
                   "before trading again): %.120s" : "not placed: %.200s",
                 b->error[0] ? b->error : jutsu_strerror(rc));
        return rc;
    }
    snprintf(o->order_id, sizeof(o->order_id), "%s", id);
    rc = poll_until(b, ops, id, (jutsu_clock_mono_us() / 1000) + timeout_s * 1000, poll_ms, f);
    if (rc == JUTSU_ETIMEDOUT) {
        jutsu_log("trade", JUTSU_LOG_WARN, "%s: order %s (%s %d %s) not filled in %lld s: "
                  "cancelling it", t->ent->id, id, o->buy ? "BUY" : "SELL", (int)o->qty,
                  o->symbol, (long long)timeout_s);
        b->error[0] = '\0';
        if ((rc = ops->cancel(b->state, id)) != 0 && rc != JUTSU_EINVAL)
            jutsu_log("trade", JUTSU_LOG_ERROR, "%s: cancelling order %s failed: %s",
                      t->ent->id, id, b->error[0] ? b->error : jutsu_strerror(rc));
        rc = poll_until(b, ops, id, (jutsu_clock_mono_us() / 1000) + timeout_s * 1000, poll_ms, f);
    }
    if (rc != 0)
        snprintf(o->note, sizeof(o->note), "order %.40s: its final status is unknown (check the "
                 "account): %.140s", id, b->error[0] ? b->error : jutsu_strerror(rc));
    return rc;
}

int jutsu_trade_broker_fill(struct trader *t, struct trade_order *orders, size_t n, char *err,
                            size_t errsz)
{
    for (size_t i = 0; i < n; i++) {
        struct trade_order *o = &orders[i];
        if (o->buy) {   /* no more than the books' cash pays for */
            struct trade_order probe = *o;
            int src = jutsu_trade_book_simulate(&probe, t->books.cash, &t->costs);
            if (src != 0) {
                snprintf(o->note, sizeof(o->note), "not placed: its cost cannot be sized (%s)",
                         jutsu_strerror(src));
                continue;
            }
            if (probe.filled < o->qty) {
                memcpy(o->note, probe.note, sizeof(o->note));
                o->qty = probe.filled;
            }
            if (o->qty <= 0)
                continue;
        }
        struct jutsu_fill f;
        int rc = follow(t, o, &f);
        if (rc == JUTSU_EAUTH || rc == JUTSU_ETIMEDOUT) {
            /* a person must act (re-authorise, or find out what is live):
             * what filled before stays booked, the rest is not placed */
            snprintf(err, errsz, "broker %.60s: %.256s", t->ent->broker->name, o->note);
            return 0;
        }
        if (rc != 0)
            continue;
        if (f.status == JUTSU_ORDER_REJECTED)
            snprintf(o->note, sizeof(o->note), "rejected: %.200s", f.reason);
        if (f.filled_quantity <= 0)
            continue;
        if (f.filled_quantity > o->qty || f.avg_price <= 0) {
            jutsu_log("trade", JUTSU_LOG_ERROR, "%s: broker %s reports %d filled at %lld "
                      "micro-units for an order of %d: not booked, check the account",
                      t->ent->id, t->ent->broker->name, (int)f.filled_quantity,
                      (long long)f.avg_price, (int)o->qty);
            continue;
        }
        if (f.filled_quantity < o->qty && o->note[0] == '\0')
            snprintf(o->note, sizeof(o->note), "partially filled: %d of %d", (int)f.filled_quantity,
                     (int)o->qty);
        o->filled = f.filled_quantity;
        o->fill_price = f.avg_price;
        o->commission = 0;   /* the broker's fees are in its statements, not known here */
        if ((rc = jutsu_money_mul_int(o->filled, o->fill_price, &o->fill_value)) != 0 ||
            (rc = jutsu_trade_book_apply(&t->books, o)) != 0) {
            snprintf(err, errsz, "the fill of order %s cannot be booked: %s", o->order_id,
                     jutsu_strerror(rc));
            return rc;
        }
    }
    return 0;
}
