/*
 * plugins/frontend-http/fe_engine.c — the routes that are the host's engine
 * (jutsu/engine.h) over HTTP: strategies and their state, the market data's
 * shape, the scheduler, the config and its overrides, jobs on request and
 * backtests. The engine decides; these handlers only carry the request in
 * and the answer out, so that the CLI and the API cannot drift apart.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "fe.h"

#define REASON_MAX 500
#define VALUE_MAX  200

const struct jutsu_engine *fe_engine(struct fe_req *r)
{
    const struct jutsu_host *h = r->fe->host;
    const struct jutsu_engine *e = h->abi_minor >= 3 && h->engine ? h->engine(r->fe->ctx) : NULL;
    if (e == NULL)
        fe_error(r, 503, "unavailable", "this host runs without its engine (no jobs, no "
                 "scheduler, no strategies to show)", "run the API under `jutsu serve`");
    return e;
}

/* The engine's codes as HTTP: a job already running is a conflict (409), too
 * many backtests at once asks the client to come back (429), a backtest past
 * its time bound is the server's (504); the rest as for sessions. Call the
 * engine in a statement of its own first: in answer(r, e->f(&out), out)
 * C may read `out` before f has set it. */
static int answer(struct fe_req *r, int rc, json_object *out, int ok_status)
{
    if (rc == 0)
        return fe_ok(r, ok_status, out ? out : json_object_new_object());
    int status = rc == JUTSU_EBUSY ? 409 : rc == JUTSU_EFULL ? 429
               : rc == JUTSU_ETIMEDOUT ? 504 : 0;
    fe_session_answer(r, rc, out);
    if (status)
        r->status = status;
    return 0;
}

/* The id a state route names: its {id}, or the primary strategy for the
 * routes that have none (/api/strategies/primary/state and the original's
 * /api/status/regime and /api/indicators). */
static const char *state_id(const struct fe_req *r)
{
    return strstr(r->route->pattern, "{id}") ? r->params[0] : "primary";
}

/* A body that may be absent: {} then. NULL after answering 400. */
static json_object *body_or_empty(struct fe_req *r)
{
    return r->body_len == 0 ? json_object_new_object() : fe_body_json(r);
}

int fe_h_strategies(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *out = NULL;
    if (e == NULL)
        return 0;
    int rc = e->entities(r->fe->ctx, &out);
    return answer(r, rc, out, 200);
}

int fe_h_strategy(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *out = NULL;
    if (e == NULL)
        return 0;
    int rc = e->strategy(r->fe->ctx, r->params[0], &out);
    return answer(r, rc, out, 200);
}

int fe_h_strategy_state(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *out = NULL;
    if (e == NULL)
        return 0;
    int rc = e->strategy_state(r->fe->ctx, state_id(r), &out);
    return answer(r, rc, out, 200);
}

int fe_h_market_summary(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *out = NULL;
    if (e == NULL)
        return 0;
    int rc = e->market_summary(r->fe->ctx, &out);
    return answer(r, rc, out, 200);
}

int fe_h_scheduler(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *out = NULL;
    if (e == NULL)
        return 0;
    int rc = e->scheduler(r->fe->ctx, &out);
    return answer(r, rc, out, 200);
}

static int pause_or_resume(struct fe_req *r, int paused)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *out = NULL;
    if (e == NULL)
        return 0;
    int rc = e->scheduler_pause(r->fe->ctx, r->params[0], paused, r->who.username, &out);
    return answer(r, rc, out, 200);
}

int fe_h_scheduler_pause(struct fe_req *r)
{
    return pause_or_resume(r, 1);
}

int fe_h_scheduler_resume(struct fe_req *r)
{
    return pause_or_resume(r, 0);
}

int fe_h_config_get(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *out = NULL;
    if (e == NULL)
        return 0;
    int rc = e->config(r->fe->ctx, &out);
    return answer(r, rc, out, 200);
}

int fe_h_config_history(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    const char *strategy = NULL;
    int64_t page = 1, per_page = 50;
    json_object *out = NULL;
    if (e == NULL || fe_query_word(r, "strategy", 64, &strategy) != 0 ||
        fe_query_page(r, 50, 500, &page, &per_page) != 0)
        return 0;
    int rc = e->config_history(r->fe->ctx, strategy, (page - 1) * per_page, per_page, &out);
    if (rc != 0)
        return answer(r, rc, out, 200);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "items", out);
    json_object_object_add(o, "page", json_object_new_int64(page));
    json_object_object_add(o, "per_page", json_object_new_int64(per_page));
    return fe_ok(r, 200, o);
}

/* A parameter's new value as text, whatever JSON type the client sent it
 * as: the engine parses it as the parameter's own type. */
static const char *value_text(struct fe_req *r, json_object *b, char *buf, size_t bufsz)
{
    json_object *v;
    if (!json_object_object_get_ex(b, "value", &v) || v == NULL) {
        fe_error(r, 400, "bad_request", "value: missing (the parameter's new value)", NULL);
        return NULL;
    }
    enum json_type t = json_object_get_type(v);
    const char *s = t == json_type_string ? json_object_get_string(v)
                  : t == json_type_int || t == json_type_double || t == json_type_boolean
                  ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : NULL;
    if (s == NULL || strlen(s) >= bufsz || strlen(s) > VALUE_MAX) {
        fe_error(r, 400, "bad_request", s ? "value: longer than 200 characters"
                 : "value: must be a string, a number or a boolean", NULL);
        return NULL;
    }
    snprintf(buf, bufsz, "%s", s);
    return buf;
}

int fe_h_config_put(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *b, *out = NULL;
    char vbuf[VALUE_MAX + 1];
    const char *value, *reason;
    if (e == NULL || (b = fe_body_json(r)) == NULL)
        return 0;
    reason = fe_body_str(r, b, "reason", REASON_MAX, 1);
    if ((reason == NULL && r->json != NULL) ||
        (value = value_text(r, b, vbuf, sizeof(vbuf))) == NULL) {
        json_object_put(b);
        return 0;
    }
    int rc = e->override_set(r->fe->ctx, r->params[0], r->params[1], value, reason,
                             r->who.username, &out);
    json_object_put(b);
    return answer(r, rc, out, 200);
}

int fe_h_config_delete(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    const char *reason;
    json_object *out = NULL;
    if (e == NULL)
        return 0;
    reason = fe_query(r, "reason");
    if (reason && strlen(reason) > REASON_MAX)
        return fe_error(r, 400, "bad_parameter", "reason: longer than 500 characters", NULL);
    int rc = e->override_unset(r->fe->ctx, r->params[0], r->params[1], reason,
                               r->who.username, &out);
    return answer(r, rc, out, 200);
}

/* Starts job `name` with the body as its arguments: 202 and the run's id,
 * which GET /api/jobs/{id} follows. */
static int start_job(struct fe_req *r, const char *name)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *args, *out = NULL;
    if (e == NULL || (args = body_or_empty(r)) == NULL)
        return 0;
    int rc = e->job_start(r->fe->ctx, name, args, r->who.username, &out);
    json_object_put(args);
    if (rc == 0 && out) {
        json_object *id;
        char href[160];
        if (json_object_object_get_ex(out, "id", &id)) {
            snprintf(href, sizeof(href), "/api/jobs/%s", json_object_get_string(id));
            json_object_object_add(out, "href", json_object_new_string(href));
        }
    }
    return answer(r, rc, out, 202);
}

int fe_h_control_sync(struct fe_req *r)
{
    return start_job(r, "sync");
}

int fe_h_control_eod(struct fe_req *r)
{
    return start_job(r, "eod");
}

int fe_h_control_trade(struct fe_req *r)
{
    return start_job(r, "trade");
}

int fe_h_job_get(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *out = NULL;
    if (e == NULL)
        return 0;
    int rc = e->job_get(r->fe->ctx, r->params[0], &out);
    return answer(r, rc, out, 200);
}

int fe_h_backtest(struct fe_req *r)
{
    const struct jutsu_engine *e = fe_engine(r);
    json_object *b, *out = NULL;
    if (e == NULL || (b = fe_body_json(r)) == NULL)
        return 0;
    int rc = e->backtest(r->fe->ctx, b, &out);
    json_object_put(b);
    return answer(r, rc, out, 200);
}
