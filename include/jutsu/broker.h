/*
 * jutsu/broker.h — a broker plugin places orders at a broker and reports
 * what became of them.
 *
 * The trading job uses a broker in online_live mode only, and a broker
 * plugin places nothing unless its own config enables it. The loop is the
 * job's, not the plugin's: it places a whole-share market order, calls
 * status() every poll interval until the status is final (FILLED,
 * REJECTED, CANCELLED), calls cancel() once its timeout passes and keeps
 * polling until the status is final, then records filled_quantity shares
 * at avg_price under the broker's order id, whatever the final status.
 * A plugin holds no per-order state: the order id is all it needs.
 *
 * Threading: the host makes at most one call at a time per instance (a
 * plugin need not lock for two of its own ops); calls may come from any
 * thread. Ops block for the network, bounded by the plugin's timeouts and
 * retries.
 *
 * Ownership: everything the host passes is the host's and is valid during
 * the call only; the plugin copies what it keeps. What the plugin returns
 * (the order id, *out) is written into the host's buffers.
 *
 * Errors: each op returns 0 or a negative JUTSU_E* code, after
 * host->set_error() with a message a person can act on (the order, the
 * broker's own words, what to do). Codes the host should tell apart:
 *
 *   JUTSU_EAUTH       credentials missing, expired or refused: a person
 *                     must re-authorise (the message says how); retrying
 *                     before that does not help.
 *   JUTSU_ERATELIMIT  the broker asked to slow down and the plugin's
 *                     retries are spent: try again later.
 *   JUTSU_ETRANSIENT  a temporary failure (network, the broker's 5xx);
 *                     from place(): the order was NOT placed, placing it
 *                     again later is safe.
 *   JUTSU_ETIMEDOUT   place() only: the order was sent but no certain
 *                     answer came back (a timeout, a dropped connection, a
 *                     5xx, an acceptance without an id). It may be live at
 *                     the broker. Do NOT place it again; a person must look
 *                     at the account's orders.
 *   JUTSU_EINVAL      the request was refused as invalid: by the plugin
 *                     (bad arguments; nothing was sent) or by the broker
 *                     (an unknown symbol, a quantity it will not take, an
 *                     order it cannot cancel). Not worth retrying as is.
 *   JUTSU_ENOTFOUND   status/cancel: the broker knows no such order.
 *   JUTSU_ENOTSUP     place(): this instance is not enabled; nothing was
 *                     sent (the message names the config key).
 *   JUTSU_ECONFIG     the plugin's config cannot work (a wrong account).
 *   JUTSU_EMALFORMED  the broker's answer could not be read.
 *
 * Money is exact: avg_price is int64 micro-units (jutsu/money.h), computed
 * from the broker's decimal text, never through a double.
 *
 * ABI: struct jutsu_order and struct jutsu_fill cross the boundary and
 * carry their size, set by the host to the sizeof it was built with; a
 * plugin reads and writes nothing beyond it. Both grow only at the end.
 */
#ifndef JUTSU_BROKER_H
#define JUTSU_BROKER_H

#include <stdint.h>

#include "jutsu/money.h"
#include "jutsu/plugin.h"

/* Bytes of an order id buffer, its NUL included. */
#define JUTSU_ORDER_ID_SIZE 64

enum jutsu_order_side {
    JUTSU_ORDER_BUY  = 1,      /* 0 is no side: a zeroed order is refused */
    JUTSU_ORDER_SELL = 2
};

/*
 * What became of an order. PENDING and PARTIAL are live: poll again.
 * FILLED, REJECTED and CANCELLED are final: the order will not change.
 */
enum jutsu_order_status {
    JUTSU_ORDER_PENDING   = 0, /* accepted, working, nothing filled yet      */
    JUTSU_ORDER_FILLED    = 1, /* completely filled                          */
    JUTSU_ORDER_PARTIAL   = 2, /* some shares filled, the rest still working */
    JUTSU_ORDER_REJECTED  = 3, /* the broker refused it; `reason` says why   */
    JUTSU_ORDER_CANCELLED = 4  /* cancelled or expired; may have partly filled
                                  first: filled_quantity > 0 then            */
};

/* A whole-share market order for the regular session, good for the day. */
struct jutsu_order {
    uint32_t    size;          /* sizeof(struct jutsu_order), set by the host */
    uint32_t    side;          /* enum jutsu_order_side                       */
    const char *symbol;        /* "QQQ"                                       */
    int32_t     quantity;      /* whole shares, > 0                           */
    uint32_t    reserved0;     /* zero                                        */
};

/* An order's state as the broker reports it. */
struct jutsu_fill {
    uint32_t      size;        /* sizeof(struct jutsu_fill), set by the host  */
    uint32_t      status;      /* enum jutsu_order_status                     */
    /* The quantity-weighted average price of the shares filled so far,
     * exact micro-units rounded half to even; 0 while nothing is filled. */
    jutsu_money_t avg_price;
    /* Shares filled so far, 0..quantity. Below quantity while PARTIAL, and
     * possibly when CANCELLED; whatever the status, these shares traded. */
    int32_t       filled_quantity;
    uint32_t      reserved0;   /* zero                                        */
    char          order_id[JUTSU_ORDER_ID_SIZE];   /* the id asked about     */
    /* The broker's words, for people: why the order was rejected or
     * cancelled; otherwise its own status name ("WORKING"). May be empty. */
    char          reason[128];
};

struct jutsu_broker_ops {
    uint32_t size;             /* sizeof(struct jutsu_broker_ops)             */

    /*
     * Places one order, at most once: the plugin never sends an order
     * again when it cannot know whether the first one arrived (then
     * JUTSU_ETIMEDOUT). On success order_id holds the broker's id of the
     * new order (NUL-terminated, [A-Za-z0-9._-]); the order is live and
     * its fills are for status() to report. On failure order_id is "".
     * JUTSU_ENOTSUP while the instance is not enabled.
     */
    int (*place)(void *state, const struct jutsu_order *order,
                 char order_id[JUTSU_ORDER_ID_SIZE]);

    /*
     * Asks the broker what became of an order that place() returned, and
     * fills *out (out->size set by the host; on failure *out means
     * nothing). Works whether or not the instance is enabled. Safe to
     * repeat. JUTSU_ETRANSIENT also when the broker's answer is not
     * consistent yet (shares filled, their prices not reported): ask again.
     */
    int (*status)(void *state, const char *order_id, struct jutsu_fill *out);

    /*
     * Asks the broker to cancel a live order. 0 means the request was
     * accepted, not that the order is cancelled: shares may still fill
     * until the cancel takes effect, so poll status() until it is final.
     * JUTSU_EINVAL when the broker will not cancel it (usually because it
     * is final already: status() says). Works whether or not the instance
     * is enabled: cancelling only ever reduces exposure.
     */
    int (*cancel)(void *state, const char *order_id);
};

/* The table's size at ABI 1.0 (through `cancel`), frozen: the loader takes
 * every table at least this long. Members appended later are optional to
 * the host, which asks JUTSU_OPS_HAS before it calls one. */
#define JUTSU_BROKER_OPS_SIZE_1_0 JUTSU_SIZE_THROUGH(jutsu_broker_ops, cancel)

#endif
