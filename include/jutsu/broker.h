/*
 * jutsu/broker.h — a broker plugin places orders and reports fills.
 *
 * Used by the trading job in online_live mode only, and only when the
 * config enables it explicitly. The job places whole-share market orders,
 * polls their status until filled, rejected or timed out (then cancels),
 * and records the broker's order id and fill price.
 *
 * Threading: one call at a time per instance.
 * Errors: JUTSU_EAUTH (re-authorise), JUTSU_ERATELIMIT, JUTSU_ETRANSIENT.
 */
#ifndef JUTSU_BROKER_H
#define JUTSU_BROKER_H

#include <stdint.h>

#include "jutsu/money.h"

enum jutsu_order_status {
    JUTSU_ORDER_PENDING = 0, JUTSU_ORDER_FILLED, JUTSU_ORDER_PARTIAL,
    JUTSU_ORDER_REJECTED, JUTSU_ORDER_CANCELLED
};

struct jutsu_order {
    const char   *symbol;
    int           buy;          /* 1 BUY, 0 SELL  */
    int32_t       quantity;     /* > 0            */
};

struct jutsu_fill {
    uint32_t      status;       /* enum jutsu_order_status */
    int32_t       filled_quantity;
    jutsu_money_t avg_price;
    char          order_id[64];
    char          reason[128];  /* why rejected/cancelled */
};

struct jutsu_broker_ops {
    uint32_t size;
    int (*place)(void *state, const struct jutsu_order *o, char order_id[64]);
    int (*status)(void *state, const char *order_id, struct jutsu_fill *out);
    int (*cancel)(void *state, const char *order_id);
};

#endif
