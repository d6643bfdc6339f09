/*
 * plugins/broker-schwab/broker_plugin.c — broker-schwab: whole-share
 * market orders through the Charles Schwab Trader API. The descriptor,
 * its config schema, init/destroy, the account lookup and the broker ops:
 *
 *   place   POST   /trader/v1/accounts/{accountHash}/orders   201, Location .../orders/{id}
 *   status  GET    /trader/v1/accounts/{accountHash}/orders/{id}
 *   cancel  DELETE /trader/v1/accounts/{accountHash}/orders/{id}
 *
 * Safety: the plugin places nothing unless its config says `enabled:
 * true` (status and cancel work regardless), and an order is sent at most
 * once: after an answer that leaves its fate unknown it is not sent again
 * (schwab-common's `once`), and place() says so with JUTSU_ETIMEDOUT.
 *
 * The OAuth2 tokens (the token file `jutsu schwab login` writes, shared
 * with source-schwab), the HTTP client, its rate limit and its retries
 * come from the static library in plugins/schwab-common.
 *
 * Concurrency: the host makes one call at a time per instance, but
 * nothing breaks if it does not: each call has its own curl handle, the
 * limiter and the token store lock for themselves, and the account lookup
 * runs under acct_mu.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/log.h"
#include "jutsu/plugin.h"
#include "broker_int.h"

#define PLUGIN "broker-schwab"
/* What place() says when an order's fate is unknown. */
#define LOOK_FIRST "the order may have been placed: look at the account's orders at Schwab " \
                   "before placing it again"

/* The settings, as host->cfg_fill writes them: the shared ones of
 * schwab-common (no login flow here) and the account. */
struct broker_conf {
    struct schwab_conf schwab;
    int                enabled;
    const char        *account_hash, *account_number;   /* NULL: not given */
};

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_KEY_AT("enabled", JUTSU_CFG_BOOL, "false",
                     "Place real orders, with real money. While false, place refuses and "
                     "sends nothing (status and cancel still work)", struct broker_conf, enabled),
    { .name = "account_hash", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_SECRET | JUTSU_CFG_FIELD,
      .offset = JUTSU_CFG_OFFSET(struct broker_conf, account_hash, JUTSU_CFG_STR),
      .help = "The account's hashValue from GET /trader/v1/accounts/accountNumbers (give "
              "this or account_number)" },
    { .name = "account_number", .type = JUTSU_CFG_STR,
      .flags = JUTSU_CFG_SECRET | JUTSU_CFG_FIELD,
      .offset = JUTSU_CFG_OFFSET(struct broker_conf, account_number, JUTSU_CFG_STR),
      .help = "The account number; its hashValue is looked up once (give this or "
              "account_hash)" },
    SCHWAB_CFG_CREDENTIALS(struct broker_conf, schwab),
    SCHWAB_CFG_TRANSPORT("Base URL of the Trader API (/trader/v1/...)", struct broker_conf,
                         schwab),
    JUTSU_CFG_END
};

/* "***5678": enough for a person to tell accounts apart, and no more in
 * messages and logs. */
static const char *masked(const char *number, char buf[16])
{
    size_t n = strlen(number);
    snprintf(buf, 16, "***%s", n > 4 ? number + n - 4 : "");
    return buf;
}

/* What an HTTP status other than success means for a Trader API call. */
static int judge(struct broker *b, const char *what, const struct schwab_resp *r)
{
    const struct jutsu_host *h = b->s.host;
    char why[300];
    schwab_error_text(r->body, why, sizeof(why));
    switch (r->status) {
    case 401:
        h->set_error(b->s.ctx, "%s: Schwab refused the access token even after a refresh "
                     "(HTTP 401: %s); run `jutsu schwab login` to authorise again", what, why);
        return JUTSU_EAUTH;
    case 403:
        h->set_error(b->s.ctx, "%s: HTTP 403 (%s): is the app subscribed to the Accounts and "
                     "Trading product at developer.schwab.com, and was this account approved "
                     "at `jutsu schwab login`?", what, why);
        return JUTSU_EAUTH;
    case 404:
        h->set_error(b->s.ctx, "%s: Schwab does not know it (HTTP 404: %s)", what, why);
        return JUTSU_ENOTFOUND;
    default:
        break;
    }
    if (r->status >= 400 && r->status < 500) {
        h->set_error(b->s.ctx, "%s: Schwab refused the request (HTTP %ld: %s)", what,
                     r->status, why);
        return JUTSU_EINVAL;
    }
    h->set_error(b->s.ctx, "%s: unexpected HTTP %ld from Schwab (%s)", what, r->status, why);
    return JUTSU_EMALFORMED;
}

/* --- the account -------------------------------------------------------- */

/* Finds account_number in GET /trader/v1/accounts/accountNumbers:
 * [{"accountNumber": "12345678", "hashValue": "..."}, ...]. */
static int pick_account(struct broker *b, const char *body)
{
    const struct jutsu_host *h = b->s.host;
    json_object *o = json_tokener_parse(body), *num, *hash;
    char seen[160] = "", m[16];
    size_t n = 0;
    int rc = JUTSU_EMALFORMED;
    if (o == NULL || !json_object_is_type(o, json_type_array)) {
        h->set_error(b->s.ctx, "account lookup: Schwab's answer is not a JSON array of "
                     "accounts: set account_hash instead of account_number");
        goto out;
    }
    n = json_object_array_length(o);
    for (size_t i = 0; i < n; i++) {
        json_object *a = json_object_array_get_idx(o, i);
        if (!json_object_is_type(a, json_type_object) ||
            !json_object_object_get_ex(a, "accountNumber", &num))
            continue;
        const char *text = json_object_get_string(num);
        if (text == NULL)   /* "accountNumber": null */
            continue;
        if (strcmp(text, b->account_number) != 0) {
            size_t len = strlen(seen);
            snprintf(seen + len, sizeof(seen) - len, "%s%s", len ? ", " : "", masked(text, m));
            continue;
        }
        if (!json_object_object_get_ex(a, "hashValue", &hash) ||
            !broker_valid_segment(json_object_get_string(hash), BROKER_HASH_MAX)) {
            h->set_error(b->s.ctx, "account lookup: Schwab gave no usable hashValue for account "
                         "%s: set account_hash", masked(b->account_number, m));
            goto out;
        }
        rc = (b->account_hash = strdup(json_object_get_string(hash))) ? 0 : JUTSU_ENOMEM;
        goto out;
    }
    h->set_error(b->s.ctx, "account_number %s is not among the %zu account(s) this Schwab login "
                 "can trade (%s): check account_number, or run `jutsu schwab login` and approve "
                 "that account", masked(b->account_number, m), n, seen[0] ? seen : "none");
    rc = JUTSU_ECONFIG;
out:
    json_object_put(o);
    return rc;
}

static int lookup_account(struct broker *b, struct schwab_conn *c)
{
    struct schwab_resp r = { 0 };
    char *url = NULL, m[16];
    int rc;
    if (asprintf(&url, "%s/trader/v1/accounts/accountNumbers", b->s.api_base) < 0)
        return JUTSU_ENOMEM;
    struct schwab_req q = { .what = "account lookup", .url = url };
    if ((rc = schwab_send_authed(&b->s, c, &q, &r)) == 0)
        rc = r.status == 200 ? pick_account(b, r.body) : judge(b, q.what, &r);
    if (rc == 0)
        b->s.host->log(b->s.ctx, JUTSU_LOG_INFO, "Schwab account %s found; its hash is used "
                       "from now on", masked(b->account_number, m));
    schwab_resp_free(&r);
    free(url);
    return rc;
}

/* The account hash for a URL, looked up the first time if need be. */
static int need_account(struct broker *b, struct schwab_conn *c)
{
    int rc = 0;
    pthread_mutex_lock(&b->acct_mu);
    if (b->account_hash == NULL)
        rc = lookup_account(b, c);
    pthread_mutex_unlock(&b->acct_mu);
    return rc;
}

/* A connection, the account hash, and {api_base}/trader/v1/accounts/{hash}/orders[/id]. */
static int prepare(struct broker *b, const char *order_id, struct schwab_conn **c, char **url)
{
    int rc = schwab_conn_open(&b->s, c);
    if (rc == 0)
        rc = need_account(b, *c);
    if (rc == 0 && asprintf(url, "%s/trader/v1/accounts/%s/orders%s%s", b->s.api_base,
                            b->account_hash, order_id ? "/" : "", order_id ? order_id : "") < 0) {
        *url = NULL;
        rc = JUTSU_ENOMEM;
    }
    return rc;
}

/* --- place ---------------------------------------------------------------- */

static int check_order(struct broker *b, const struct jutsu_order *o)
{
    const struct jutsu_host *h = b->s.host;
    size_t n = o->symbol ? strlen(o->symbol) : 0;
    if (o->size < sizeof(*o)) {
        h->set_error(b->s.ctx, "place: the host's struct jutsu_order is %u bytes, this plugin "
                     "needs %zu: the host is older than the plugin", o->size, sizeof(*o));
        return JUTSU_EINVAL;
    }
    if (o->side != JUTSU_ORDER_BUY && o->side != JUTSU_ORDER_SELL) {
        h->set_error(b->s.ctx, "place: side %u is neither JUTSU_ORDER_BUY (1) nor "
                     "JUTSU_ORDER_SELL (2): nothing was sent", o->side);
        return JUTSU_EINVAL;
    }
    if (o->quantity <= 0) {
        h->set_error(b->s.ctx, "place: quantity %d is not a positive number of whole shares: "
                     "nothing was sent", (int)o->quantity);
        return JUTSU_EINVAL;
    }
    if (n == 0 || n > 15 || strspn(o->symbol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-") != n) {
        h->set_error(b->s.ctx, "place: symbol \"%.40s\" is not an equity symbol as Schwab writes "
                     "them (1 to 15 of A-Z, 0-9, '.', '/', '-'): nothing was sent",
                     o->symbol ? o->symbol : "");
        return JUTSU_EINVAL;
    }
    return 0;
}

/* The order id: the last segment of .../orders/{id} in Location. */
static int id_from_location(const char *location, char id[JUTSU_ORDER_ID_SIZE])
{
    const char *slash = location ? strrchr(location, '/') : NULL;
    if (slash == NULL || slash - location < 7 || strncmp(slash - 7, "/orders", 7) != 0 ||
        !broker_valid_id(slash + 1))
        return -1;
    snprintf(id, JUTSU_ORDER_ID_SIZE, "%s", slash + 1);
    return 0;
}

static int broker_place(void *state, const struct jutsu_order *o,
                        char order_id[JUTSU_ORDER_ID_SIZE])
{
    struct broker *b = state;
    const struct jutsu_host *h = b->s.host;
    struct schwab_conn *c = NULL;
    struct schwab_resp r = { 0 };
    char *url = NULL, *body = NULL, text[64], what[80];
    int rc;
    if (order_id)
        order_id[0] = '\0';
    if (o == NULL || order_id == NULL) {
        h->set_error(b->s.ctx, "place: called without an order or without room for its id");
        return JUTSU_EINVAL;
    }
    if (!b->enabled) {
        h->set_error(b->s.ctx, "instance %s (" PLUGIN ") is not enabled, so it places no "
                     "orders and sent nothing: to trade real money through Schwab, set "
                     "`enabled: true` in its config", h->instance_name(b->s.ctx));
        return JUTSU_ENOTSUP;
    }
    if ((rc = check_order(b, o)) != 0)
        return rc;
    broker_order_text(o, text, sizeof(text));
    snprintf(what, sizeof(what), "place %s", text);
    if ((rc = prepare(b, NULL, &c, &url)) != 0)
        goto out;
    if ((body = broker_order_body(o)) == NULL) {
        rc = JUTSU_ENOMEM;
        goto out;
    }
    struct schwab_req q = { .what = what, .method = "POST", .url = url, .body = body,
                            .content_type = "application/json", .once = LOOK_FIRST };
    if ((rc = schwab_send_authed(&b->s, c, &q, &r)) != 0)
        goto out;
    if (r.status >= 200 && r.status < 300) {
        if (id_from_location(r.location, order_id) != 0) {
            /* the Location's last segment only: before it stands the account hash */
            const char *tail = r.location ? strrchr(r.location, '/') : NULL;
            h->set_error(b->s.ctx, "%s: Schwab accepted the order (HTTP %ld) but gave no order id "
                         "(Location ending \"%.40s\"): " LOOK_FIRST, what, r.status,
                         tail ? tail + 1 : r.location ? r.location : "none");
            rc = JUTSU_ETIMEDOUT;
            goto out;
        }
        h->log(b->s.ctx, JUTSU_LOG_INFO, "%s: Schwab order %s", what, order_id);
    } else if (r.status == 404) {
        char why[300];
        schwab_error_text(r.body, why, sizeof(why));
        h->set_error(b->s.ctx, "%s: Schwab knows no such account (HTTP 404: %s): check "
                     "account_hash or account_number", what, why);
        rc = JUTSU_ECONFIG;
    } else if (r.status < 400) {   /* neither accepted nor refused: it may be live */
        h->set_error(b->s.ctx, "%s: HTTP %ld from Schwab, neither an acceptance nor a refusal: "
                     LOOK_FIRST, what, r.status);
        rc = JUTSU_ETIMEDOUT;
    } else {
        rc = judge(b, what, &r);
    }
out:
    /* the one failure a person must hear about even if the caller drops it */
    if (rc == JUTSU_ETIMEDOUT)
        h->log(b->s.ctx, JUTSU_LOG_ERROR, "%s: outcome unknown, the order may be live at Schwab "
               "(it was not sent again): check the account's orders", what);
    schwab_resp_free(&r);
    schwab_conn_close(c);
    free(body);
    free(url);
    return rc;
}

/* --- status and cancel ------------------------------------------------- */

static int check_id(struct broker *b, const char *op, const char *order_id)
{
    if (broker_valid_id(order_id))
        return 0;
    b->s.host->set_error(b->s.ctx, "%s: \"%.80s\" is not a Schwab order id (place returns them: "
                         "1 to 63 of A-Z, a-z, 0-9, '.', '_', '-')", op,
                         order_id ? order_id : "");
    return JUTSU_EINVAL;
}

static int broker_status(void *state, const char *order_id, struct jutsu_fill *out)
{
    struct broker *b = state;
    struct schwab_conn *c = NULL;
    struct schwab_resp r = { 0 };
    char *url = NULL, what[96];
    int rc;
    if (out == NULL || out->size < sizeof(*out)) {
        b->s.host->set_error(b->s.ctx, "status: the host's struct jutsu_fill is %u bytes, this "
                             "plugin needs %zu", out ? out->size : 0, sizeof(*out));
        return JUTSU_EINVAL;
    }
    if ((rc = check_id(b, "status", order_id)) != 0)
        return rc;
    snprintf(what, sizeof(what), "status of Schwab order %s", order_id);
    if ((rc = prepare(b, order_id, &c, &url)) != 0)
        goto out;
    struct schwab_req q = { .what = what, .url = url };
    if ((rc = schwab_send_authed(&b->s, c, &q, &r)) != 0)
        goto out;
    rc = r.status == 200 ? broker_read_order(b, order_id, r.body, out) : judge(b, what, &r);
out:
    schwab_resp_free(&r);
    schwab_conn_close(c);
    free(url);
    return rc;
}

static int broker_cancel(void *state, const char *order_id)
{
    struct broker *b = state;
    struct schwab_conn *c = NULL;
    struct schwab_resp r = { 0 };
    char *url = NULL, what[96], why[300];
    int rc;
    if ((rc = check_id(b, "cancel", order_id)) != 0)
        return rc;
    snprintf(what, sizeof(what), "cancel of Schwab order %s", order_id);
    if ((rc = prepare(b, order_id, &c, &url)) != 0)
        goto out;
    /* a cancel may safely be repeated: retries as for a read */
    struct schwab_req q = { .what = what, .method = "DELETE", .url = url };
    if ((rc = schwab_send_authed(&b->s, c, &q, &r)) != 0)
        goto out;
    if (r.status >= 200 && r.status < 300) {
        b->s.host->log(b->s.ctx, JUTSU_LOG_INFO, "%s: requested", what);
    } else if (r.status == 400 || r.status == 422) {
        schwab_error_text(r.body, why, sizeof(why));
        b->s.host->set_error(b->s.ctx, "%s: Schwab will not cancel it (HTTP %ld: %s); it is "
                             "probably filled, cancelled or expired already: its status says",
                             what, r.status, why);
        rc = JUTSU_EINVAL;
    } else {
        rc = judge(b, what, &r);
    }
out:
    schwab_resp_free(&r);
    schwab_conn_close(c);
    free(url);
    return rc;
}

/* --- init / destroy ---------------------------------------------------------- */

static void broker_destroy(void *state)
{
    struct broker *b = state;
    if (b == NULL)
        return;
    pthread_mutex_destroy(&b->acct_mu);
    free(b->account_hash);
    free(b->account_number);
    schwab_teardown(&b->s);
    free(b);
}

static int read_config(struct broker *b, const struct broker_conf *c)
{
    const struct jutsu_host *h = b->s.host;
    const char *hash = c->account_hash, *number = c->account_number;
    b->enabled = c->enabled;
    if (hash && number)
        return h->cfg_error(b->s.ctx, "account_number", "give account_hash or account_number, not "
                            "both (the hash is what the API takes; the number is looked up)");
    if (!hash && !number) {
        h->set_error(b->s.ctx, "which Schwab account? set account_number (the hash is then "
                     "looked up once) or account_hash in the " PLUGIN " config");
        return JUTSU_ECONFIG;
    }
    if (hash && !broker_valid_segment(hash, BROKER_HASH_MAX))
        return h->cfg_error(b->s.ctx, "account_hash", "account_hash must be the hashValue Schwab "
                            "lists for the account (letters and digits)");
    if (number && (*number == '\0' || strspn(number, "0123456789") != strlen(number)))
        return h->cfg_error(b->s.ctx, "account_number", "account_number must be the account's "
                            "digits, as Schwab shows them");
    if ((hash && (b->account_hash = strdup(hash)) == NULL) ||
        (number && (b->account_number = strdup(number)) == NULL))
        return JUTSU_ENOMEM;
    return 0;
}

static int broker_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct broker_conf conf = { 0 };
    struct broker *b;
    struct stat st;
    char m[16];
    int rc;
    if (host->cfg_fill(ctx, &conf) != 0)
        return JUTSU_ECONFIG;       /* the host has said which key, and why */
    if ((b = calloc(1, sizeof(*b))) == NULL)
        return JUTSU_ENOMEM;
    if ((rc = schwab_setup(&b->s, host, ctx, &conf.schwab, "jutsu-broker-schwab/1.0",
                           "trading through Schwab")) != 0) {
        free(b);
        return rc;
    }
    pthread_mutex_init(&b->acct_mu, NULL);
    if ((rc = read_config(b, &conf)) != 0) {
        broker_destroy(b);
        return rc;
    }
    if (stat(b->s.token_file, &st) != 0)
        host->log(ctx, JUTSU_LOG_WARN, "no Schwab token file at %s yet: run `jutsu schwab "
                  "login` (through a source-schwab instance with the same token_file) before "
                  "trading", b->s.token_file);
    if (b->enabled)
        host->log(ctx, JUTSU_LOG_WARN, "ENABLED: places real orders in Schwab account %s "
                  "through %s", b->account_number ? masked(b->account_number, m) : "(by hash)",
                  b->s.api_base);
    else
        host->log(ctx, JUTSU_LOG_INFO, "disabled: places no orders until its config says "
                  "`enabled: true` (status and cancel work)");
    *state = b;
    return 0;
}

static const struct jutsu_broker_ops ops = {
    .size   = sizeof(struct jutsu_broker_ops),
    .place  = broker_place,
    .status = broker_status,
    .cancel = broker_cancel,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_BROKER,
    .name        = PLUGIN,
    .version     = "1.0.0",
    .description = "Whole-share market orders through the Charles Schwab Trader API (OAuth2; "
                   "off unless enabled)",
    .schema      = schema,
    .init        = broker_init,
    .destroy     = broker_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
