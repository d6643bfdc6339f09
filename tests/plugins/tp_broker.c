/*
 * tests/plugins/tp_broker.c — a broker for the trading job's tests: it
 * never leaves the process. Every order fills at `price` (the whole
 * quantity), except the symbols listed in `reject` (rejected with a
 * reason) and in `partial` (`partial_quantity` shares fill, then the order
 * stays working until cancelled). It counts what it was asked in
 * `trace_file`, one line per call, so tests see the job's loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/broker.h"
#include "jutsu/jutsu.h"

#define TPB_ORDERS 64

struct tpb_order {
    char    symbol[16];
    int32_t quantity;
    int     status;       /* enum jutsu_order_status */
    int32_t filled;
};

struct tpb {
    const struct jutsu_host *host;
    jutsu_ctx    *ctx;
    jutsu_money_t price;
    int64_t       partial_quantity;
    const char   *trace;
    struct tpb_order orders[TPB_ORDERS];
    int           n;
};

/* One line: "<what> <a> <q>". */
static void trace(struct tpb *b, const char *what, const char *a, int q)
{
    FILE *f = b->trace && *b->trace ? fopen(b->trace, "a") : NULL;
    if (f == NULL)
        return;
    fprintf(f, "%s %s %d\n", what, a, q);
    fclose(f);
}

static int listed(struct tpb *b, const char *key, const char *symbol)
{
    int n = b->host->cfg_count(b->ctx, key);
    for (int i = 0; i < n; i++) {
        char path[64];
        const char *s;
        snprintf(path, sizeof(path), "%s[%d]", key, i);
        if (b->host->cfg_str(b->ctx, path, &s) == 0 && strcmp(s, symbol) == 0)
            return 1;
    }
    return 0;
}

static int tpb_place(void *state, const struct jutsu_order *o, char order_id[JUTSU_ORDER_ID_SIZE])
{
    struct tpb *b = state;
    if (b->n == TPB_ORDERS)
        return JUTSU_EFULL;
    struct tpb_order *x = &b->orders[b->n];
    snprintf(x->symbol, sizeof(x->symbol), "%s", o->symbol);
    x->quantity = o->quantity;
    if (listed(b, "reject", o->symbol)) {
        x->status = JUTSU_ORDER_REJECTED;
    } else if (listed(b, "partial", o->symbol)) {
        x->status = JUTSU_ORDER_PARTIAL;
        x->filled = (int32_t)(b->partial_quantity < o->quantity ? b->partial_quantity : o->quantity);
    } else {
        x->status = JUTSU_ORDER_FILLED;
        x->filled = o->quantity;
    }
    snprintf(order_id, JUTSU_ORDER_ID_SIZE, "tpb-%d", ++b->n);
    trace(b, o->side == JUTSU_ORDER_BUY ? "place BUY" : "place SELL", o->symbol, (int)o->quantity);
    return 0;
}

static struct tpb_order *find(struct tpb *b, const char *id)
{
    int k = strncmp(id, "tpb-", 4) == 0 ? atoi(id + 4) : 0;
    return k >= 1 && k <= b->n ? &b->orders[k - 1] : NULL;
}

static int tpb_status(void *state, const char *id, struct jutsu_fill *out)
{
    struct tpb *b = state;
    struct tpb_order *x = find(b, id);
    if (x == NULL)
        return JUTSU_ENOTFOUND;   /* broker.h: the broker knows no such order */
    uint32_t size = out->size;
    memset(out, 0, size < sizeof(*out) ? size : sizeof(*out));
    out->size = size;
    out->status = (uint32_t)x->status;
    out->filled_quantity = x->filled;
    out->avg_price = x->filled ? b->price : 0;
    snprintf(out->order_id, sizeof(out->order_id), "%s", id);
    if (x->status == JUTSU_ORDER_REJECTED)
        snprintf(out->reason, sizeof(out->reason), "test broker refuses %s", x->symbol);
    trace(b, "status", id, x->status);
    return 0;
}

static int tpb_cancel(void *state, const char *id)
{
    struct tpb *b = state;
    struct tpb_order *x = find(b, id);
    if (x == NULL)
        return JUTSU_ENOTFOUND;   /* broker.h: the broker knows no such order */
    if (x->status == JUTSU_ORDER_PARTIAL || x->status == JUTSU_ORDER_PENDING)
        x->status = JUTSU_ORDER_CANCELLED;
    trace(b, "cancel", id, x->status);
    return 0;
}

static void tpb_destroy(void *state)
{
    free(state);
}

static int tpb_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct tpb *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return JUTSU_ENOMEM;
    b->host = host;
    b->ctx = ctx;
    if (host->cfg_money(ctx, "price", &b->price) != 0 ||
        host->cfg_int(ctx, "partial_quantity", &b->partial_quantity) != 0) {
        host->set_error(ctx, "cannot read price and partial_quantity");
        free(b);
        return JUTSU_ECONFIG;
    }
    host->cfg_str(ctx, "trace_file", &b->trace);
    *state = b;
    return 0;
}

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_KEY("price", JUTSU_CFG_MONEY, "100", "Every fill's price"),
    { .name = "reject", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .help = "Symbols whose orders are rejected" },
    { .name = "partial", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .help = "Symbols whose orders fill partially and then wait" },
    JUTSU_CFG_INT_RANGE("partial_quantity", "1", 0, 1000000, "Shares a partial order fills"),
    JUTSU_CFG_KEY("trace_file", JUTSU_CFG_STR, NULL, "Where each call is written"),
    JUTSU_CFG_END
};

static const struct jutsu_broker_ops ops = {
    .size = sizeof(ops), .place = tpb_place, .status = tpb_status, .cancel = tpb_cancel,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind = JUTSU_KIND_BROKER, .name = "tp-broker", .version = "1.0.0",
    .description = "Test broker: fills, rejects or partially fills in memory",
    .schema = schema, .init = tpb_init, .destroy = tpb_destroy, .ops = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
