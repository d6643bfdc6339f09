/*
 * plugins/broker-schwab/broker_int.h — what the files of broker-schwab
 * share: the instance state, and the Trader API's JSON (broker_order.c):
 * the body of a new order and the reading of an order's state.
 *
 * The OAuth2 tokens, the HTTP client and the rate limiter come from
 * plugins/schwab-common (struct schwab, linked in statically). Nothing
 * here is exported from the .so.
 */
#ifndef BROKER_INT_H
#define BROKER_INT_H

#include <pthread.h>
#include <stddef.h>

#include "jutsu/broker.h"
#include "schwab_common.h"

struct broker {
    struct schwab s;          /* tokens, HTTP, rate limit: schwab-common   */
    int           enabled;    /* config `enabled`: place() refuses unless set */
    char         *account_number;   /* config, or NULL                    */
    /* config `account_hash`, or looked up once from account_number (under
     * acct_mu: should the host ever call this instance from two threads
     * at once, they must not both look it up) */
    char           *account_hash;
    pthread_mutex_t acct_mu;
};

/* Text that may go into a URL path unescaped: 1..max of [A-Za-z0-9._-],
 * and not "." or "..". An order id has at most JUTSU_ORDER_ID_SIZE - 1;
 * an account hash (64 hex digits today) at most BROKER_HASH_MAX. */
#define BROKER_HASH_MAX 128
int broker_valid_segment(const char *text, size_t max);
#define broker_valid_id(id) broker_valid_segment((id), JUTSU_ORDER_ID_SIZE - 1)

/* The JSON body of a whole-share MARKET order, DAY, NORMAL session
 * (caller frees), or NULL if out of memory. */
char *broker_order_body(const struct jutsu_order *o);

/* "BUY 150 QQQ", for messages. */
void broker_order_text(const struct jutsu_order *o, char *buf, size_t size);

/*
 * Reads GET .../orders/{id}'s answer into out (out->size is kept, every
 * field the plugin knows is written): the status mapped to enum
 * jutsu_order_status, filledQuantity, and the quantity-weighted average of
 * the executions' prices, exact, from the numbers' JSON text.
 * JUTSU_EMALFORMED (an answer that cannot be read) or JUTSU_ETRANSIENT
 * (executions that do not add up to filledQuantity yet), after set_error.
 */
int broker_read_order(struct broker *b, const char *order_id, const char *body,
                      struct jutsu_fill *out);

#endif
