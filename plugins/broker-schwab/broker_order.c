/*
 * plugins/broker-schwab/broker_order.c — the Trader API's order JSON.
 *
 * A new order is sent as
 *
 *   {"orderType":"MARKET","session":"NORMAL","duration":"DAY",
 *    "orderStrategyType":"SINGLE","orderLegCollection":[{"instruction":"BUY",
 *    "quantity":150,"instrument":{"symbol":"QQQ","assetType":"EQUITY"}}]}
 *
 * and GET .../orders/{orderId} answers the order with its "status",
 * "filledQuantity" and, per execution, orderActivityCollection[]
 * .executionLegs[] {"quantity": 100.0, "price": 412.51}. The average fill
 * price is sum(quantity x price) / sum(quantity), computed exactly: each
 * number is read from its JSON text (json-c keeps the text of every
 * number it parses; json_object_get_string returns it) by
 * jutsu_money_parse, never through a double, the products and their sum
 * are exact micro-units, and the one division rounds half to even.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "jutsu/log.h"
#include "broker_int.h"

int broker_valid_segment(const char *text, size_t max)
{
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n > max || strcmp(text, ".") == 0 || strcmp(text, "..") == 0)
        return 0;
    return strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

void broker_order_text(const struct jutsu_order *o, char *buf, size_t size)
{
    snprintf(buf, size, "%s %d %.32s", o->side == JUTSU_ORDER_BUY ? "BUY" : "SELL",
             (int)o->quantity, o->symbol);
}

/* --- the body of a new order --------------------------------------------- */

static int put_str(json_object *o, const char *key, const char *value)
{
    return jutsu_json_add(o, key, json_object_new_string(value));
}

char *broker_order_body(const struct jutsu_order *o)
{
    json_object *order = json_object_new_object(), *legs, *leg, *instrument;
    char *text = NULL;
    if (order == NULL)
        return NULL;
    /* Each object is attached to its parent as soon as it is made, so that
     * putting the root frees everything on any path. Keys in the order of
     * Schwab's documentation (json-c keeps insertion order). */
    if (put_str(order, "orderType", "MARKET") || put_str(order, "session", "NORMAL") ||
        put_str(order, "duration", "DAY") || put_str(order, "orderStrategyType", "SINGLE") ||
        jutsu_json_add(order, "orderLegCollection", legs = json_object_new_array()))
        goto out;
    if ((leg = json_object_new_object()) == NULL)
        goto out;
    if (json_object_array_add(legs, leg) != 0) {
        json_object_put(leg);
        goto out;
    }
    if (put_str(leg, "instruction", o->side == JUTSU_ORDER_BUY ? "BUY" : "SELL") ||
        jutsu_json_add(leg, "quantity", json_object_new_int(o->quantity)) ||
        jutsu_json_add(leg, "instrument", instrument = json_object_new_object()) ||
        put_str(instrument, "symbol", o->symbol) || put_str(instrument, "assetType", "EQUITY"))
        goto out;
    text = strdup(json_object_to_json_string_ext(order, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
out:
    json_object_put(order);
    return text;
}

/* --- reading an order ---------------------------------------------------- */

/* Schwab's order statuses. The live ones not listed in the brief of the
 * Trader API (AWAITING_*, PENDING_*, NEW) are live all the same; an order
 * REPLACED by another one (only a person can do that, in Schwab's own
 * tools) no longer trades under this id. */
static const struct {
    const char *name;
    uint32_t    status;
} statuses[] = {
    { "FILLED",                  JUTSU_ORDER_FILLED },
    { "REJECTED",                JUTSU_ORDER_REJECTED },
    { "CANCELED",                JUTSU_ORDER_CANCELLED },
    { "EXPIRED",                 JUTSU_ORDER_CANCELLED },
    { "REPLACED",                JUTSU_ORDER_CANCELLED },
    { "WORKING",                 JUTSU_ORDER_PENDING },
    { "QUEUED",                  JUTSU_ORDER_PENDING },
    { "ACCEPTED",                JUTSU_ORDER_PENDING },
    { "PENDING_ACTIVATION",      JUTSU_ORDER_PENDING },
    { "NEW",                     JUTSU_ORDER_PENDING },
    { "AWAITING_PARENT_ORDER",   JUTSU_ORDER_PENDING },
    { "AWAITING_CONDITION",      JUTSU_ORDER_PENDING },
    { "AWAITING_STOP_CONDITION", JUTSU_ORDER_PENDING },
    { "AWAITING_MANUAL_REVIEW",  JUTSU_ORDER_PENDING },
    { "AWAITING_UR_OUT",         JUTSU_ORDER_PENDING },
    { "AWAITING_RELEASE_TIME",   JUTSU_ORDER_PENDING },
    { "PENDING_ACKNOWLEDGEMENT", JUTSU_ORDER_PENDING },
    { "PENDING_CANCEL",          JUTSU_ORDER_PENDING },
    { "PENDING_REPLACE",         JUTSU_ORDER_PENDING },
    { "PENDING_RECALL",          JUTSU_ORDER_PENDING },
};

/* The status of a name; -1 if unknown. */
static int status_of(const char *name)
{
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (strcmp(statuses[i].name, name) == 0)
            return (int)statuses[i].status;
    return -1;
}

static const char *str_member(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* A JSON number in micro-units, from its text (mode: how digits past the
 * sixth are taken). 0, or -1 if v is not a number or out of range. */
static int number_parse(json_object *v, int mode, jutsu_money_t *out)
{
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return -1;
    return jutsu_money_parse(json_object_get_string(v), -1, mode, out) == 0 ? 0 : -1;
}

static int number_money(json_object *v, jutsu_money_t *out)
{
    return number_parse(v, JUTSU_MONEY_HALF_EVEN, out);
}

/* A JSON number that counts whole shares (Schwab writes 100.0): exactly
 * whole, never rounded to it. */
static int number_shares(json_object *v, int64_t *out)
{
    jutsu_money_t m;
    if (number_parse(v, JUTSU_MONEY_EXACT, &m) != 0 || m < 0 || m % JUTSU_MONEY_SCALE != 0 ||
        m / JUTSU_MONEY_SCALE > INT32_MAX)
        return -1;
    *out = m / JUTSU_MONEY_SCALE;
    return 0;
}

struct execs {
    int64_t       shares;       /* sum of the legs' quantities */
    jutsu_money_t notional;     /* sum of quantity x price     */
};

/* Adds up orderActivityCollection[].executionLegs[]. 0, or -1 with the
 * reason in why. */
static int add_executions(json_object *order, struct execs *e, char *why, size_t size)
{
    json_object *acts, *legs, *v;
    memset(e, 0, sizeof(*e));
    if (!json_object_object_get_ex(order, "orderActivityCollection", &acts))
        return 0;
    if (!json_object_is_type(acts, json_type_array)) {
        snprintf(why, size, "orderActivityCollection is not an array");
        return -1;
    }
    for (size_t i = 0; i < json_object_array_length(acts); i++) {
        json_object *act = json_object_array_get_idx(acts, i);
        if (!json_object_is_type(act, json_type_object) ||
            !json_object_object_get_ex(act, "executionLegs", &legs))
            continue;       /* not an execution */
        if (!json_object_is_type(legs, json_type_array)) {
            snprintf(why, size, "orderActivityCollection[%zu].executionLegs is not an array", i);
            return -1;
        }
        for (size_t j = 0; j < json_object_array_length(legs); j++) {
            json_object *leg = json_object_array_get_idx(legs, j);
            int64_t q;
            jutsu_money_t price, value;
            if (!json_object_is_type(leg, json_type_object) ||
                !json_object_object_get_ex(leg, "quantity", &v) || number_shares(v, &q) != 0) {
                snprintf(why, size, "execution %zu.%zu has no whole-share quantity", i, j);
                return -1;
            }
            if (!json_object_object_get_ex(leg, "price", &v) || number_money(v, &price) != 0 ||
                price <= 0) {
                snprintf(why, size, "execution %zu.%zu has no usable price", i, j);
                return -1;
            }
            if (jutsu_money_mul_int(q, price, &value) != 0 ||
                value > JUTSU_MONEY_MAX - e->notional || e->shares + q > INT32_MAX) {
                snprintf(why, size, "the executions' total is beyond NUMERIC(18,6)");
                return -1;
            }
            e->notional += value;
            e->shares += q;
        }
    }
    return 0;
}

/* The reason text: Schwab's statusDescription, else a word on the status. */
static void set_reason(struct jutsu_fill *out, const char *name, const char *desc)
{
    char text[sizeof(out->reason)];
    size_t i;
    if (desc && *desc)
        snprintf(text, sizeof(text), "%s", desc);
    else if (strcmp(name, "REJECTED") == 0)
        snprintf(text, sizeof(text), "REJECTED (Schwab gave no reason)");
    else if (strcmp(name, "EXPIRED") == 0)
        snprintf(text, sizeof(text), "EXPIRED (a DAY order ends with the session)");
    else if (strcmp(name, "REPLACED") == 0)
        snprintf(text, sizeof(text), "REPLACED by another order (changed outside Jutsu)");
    else
        snprintf(text, sizeof(text), "%s", name);
    /* printable only: it ends up in one log line and a table cell */
    for (i = 0; text[i]; i++)
        out->reason[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? ' ' : text[i];
    out->reason[i] = '\0';
}

static int malformed(struct broker *b, const char *id, const char *why)
{
    b->s.host->set_error(b->s.ctx, "status of Schwab order %s: the answer cannot be read (%s)",
                         id, why);
    return JUTSU_EMALFORMED;
}

int broker_read_order(struct broker *b, const char *order_id, const char *body,
                      struct jutsu_fill *out)
{
    const struct jutsu_host *h = b->s.host;
    enum json_tokener_error jerr;
    json_object *o = json_tokener_parse_verbose(body, &jerr), *v;
    struct execs e;
    char why[160];
    int64_t filled = -1;
    int rc = 0;
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        rc = malformed(b, order_id, o ? "not a JSON object" : json_tokener_error_desc(jerr));
        goto out;
    }
    /* an answer about another order must not be taken for this one's */
    if (json_object_object_get_ex(o, "orderId", &v) &&
        (v == NULL || strcmp(json_object_get_string(v), order_id) != 0)) {
        snprintf(why, sizeof(why), "it is about order %.40s",
                 v ? json_object_get_string(v) : "null");
        rc = malformed(b, order_id, why);
        goto out;
    }
    const char *name = str_member(o, "status");
    if (name == NULL) {
        rc = malformed(b, order_id, "no status");
        goto out;
    }
    if (json_object_object_get_ex(o, "filledQuantity", &v) && number_shares(v, &filled) != 0) {
        rc = malformed(b, order_id, "filledQuantity is not a whole number of shares");
        goto out;
    }
    if (add_executions(o, &e, why, sizeof(why)) != 0) {
        rc = malformed(b, order_id, why);
        goto out;
    }
    if (filled < 0)
        filled = e.shares;      /* no filledQuantity: the executions say */
    int status = status_of(name);
    if (status < 0) {
        /* still live as far as anyone knows: the job keeps polling, and
         * cancels at its timeout */
        h->log(b->s.ctx, JUTSU_LOG_WARN, "Schwab order %s has status %.40s, which this plugin "
               "does not know: reported as pending", order_id, name);
        status = JUTSU_ORDER_PENDING;
    }
    /* Schwab may show the filled quantity before the executions (or a
     * FILLED order before either): the price is not known yet */
    if (e.shares != filled || (status == JUTSU_ORDER_FILLED && filled == 0)) {
        h->set_error(b->s.ctx, "status of Schwab order %s: %s with %lld share(s) filled but "
                     "executions for %lld reported so far: ask again shortly", order_id, name,
                     (long long)filled, (long long)e.shares);
        rc = JUTSU_ETRANSIENT;
        goto out;
    }
    uint32_t size = out->size;
    memset(out, 0, sizeof(*out));
    out->size = size;
    if (status == JUTSU_ORDER_PENDING && filled > 0)
        status = JUTSU_ORDER_PARTIAL;
    out->status = (uint32_t)status;
    out->filled_quantity = (int32_t)filled;
    if (filled > 0 && jutsu_money_muldiv(e.notional, 1, filled, &out->avg_price) != 0) {
        rc = malformed(b, order_id, "the average price is out of range");
        goto out;
    }
    snprintf(out->order_id, sizeof(out->order_id), "%s", order_id);
    set_reason(out, name, str_member(o, "statusDescription"));
out:
    json_object_put(o);
    return rc;
}
