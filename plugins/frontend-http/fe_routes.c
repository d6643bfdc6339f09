/*
 * plugins/frontend-http/fe_routes.c — every route, declared once: method,
 * path pattern, handler, the permission it needs (jutsu/session.h), and
 * what the docs say of it. The router, the permission check, the OpenAPI
 * document and the tests that walk every route all read this table.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/version.h"
#include "fe.h"

#define PUB  JUTSU_PERM_PUBLIC
#define SELF JUTSU_PERM_SELF
#define READ JUTSU_PERM_READ
#define USERS JUTSU_PERM_USERS
#define CTRL JUTSU_PERM_CONTROL

/* query parameters shared by list routes, for the docs */
#define Q_PAGE  "page?, per_page?"
#define Q_RANGE "from?, to?"

const struct fe_route fe_routes[] = {
    { "GET",    "/api/health", fe_h_health, PUB, "Liveness: the process answers", NULL, NULL, 0 },
    { "GET",    "/api/health/ready", fe_h_ready, PUB,
      "Readiness: the database answers and its schema is current", NULL, NULL, 0 },
    { "GET",    "/api/openapi.json", fe_h_openapi, PUB, "This API, as OpenAPI 3.1", NULL, NULL, 0 },

    { "POST",   "/api/auth/login", fe_h_login, PUB,
      "Log in with a password; the tokens, or a challenge for the second factor",
      "username, password", NULL, 0 },
    { "POST",   "/api/auth/login-2fa", fe_h_login_2fa, PUB,
      "The second factor (a TOTP code or a backup code) for a login challenge",
      "challenge_token, code", NULL, 0 },
    { "POST",   "/api/auth/refresh", fe_h_refresh, PUB,
      "New tokens for a refresh token (the cookie, or refresh_token in the body)",
      "refresh_token?", NULL, 0 },
    { "POST",   "/api/auth/logout", fe_h_logout, SELF, "End this login", NULL, NULL, 0 },
    { "GET",    "/api/auth/me", fe_h_me, SELF, "Who is signed in", NULL, NULL, 0 },

    { "GET",    "/api/2fa/status", fe_h_2fa_status, SELF, "Whether TOTP is on; backup codes left",
      NULL, NULL, 0 },
    { "POST",   "/api/2fa/setup", fe_h_2fa_setup, SELF,
      "A new TOTP secret, its otpauth:// URI and QR code (enabled once verified)", NULL, NULL, 0 },
    { "POST",   "/api/2fa/verify", fe_h_2fa_verify, SELF,
      "Enable TOTP with a first code; the backup codes, shown once", "code", NULL, 0 },
    { "POST",   "/api/2fa/disable", fe_h_2fa_disable, SELF,
      "Turn TOTP off (needs a current code or a backup code)", "code", NULL, 0 },
    { "POST",   "/api/2fa/backup-codes", fe_h_2fa_backup, SELF,
      "A new set of backup codes (needs a current code)", "code", NULL, 0 },

    { "POST",   "/api/passkey/register-options", fe_h_pk_register_options, SELF,
      "WebAuthn creation options for a new passkey", NULL, NULL, 0 },
    { "POST",   "/api/passkey/register", fe_h_pk_register, SELF,
      "Store a new passkey from its attestation", "credential, device_name?", NULL, 0 },
    { "POST",   "/api/passkey/authenticate-options", fe_h_pk_auth_options, PUB,
      "WebAuthn assertion options for a login challenge", "challenge_token", NULL, 0 },
    { "POST",   "/api/passkey/authenticate", fe_h_pk_auth, PUB,
      "The passkey's assertion for a login challenge; the tokens",
      "challenge_token, credential", NULL, 0 },
    { "GET",    "/api/passkey/list", fe_h_pk_list, SELF, "My passkeys", NULL, NULL, 0 },
    { "DELETE", "/api/passkey/{id}", fe_h_pk_delete, SELF, "Remove one of my passkeys", NULL, NULL, 0 },

    { "GET",    "/api/users", fe_h_users_list, USERS, "Every user", NULL, NULL, 0 },
    { "POST",   "/api/users/invite", fe_h_user_invite, USERS,
      "A one-time link to create an account", "role, email?", NULL, 0 },
    { "PUT",    "/api/users/me/password", fe_h_my_password, SELF,
      "Change my password (every session of mine ends)", "current_password, new_password", NULL, 0 },
    { "GET",    "/api/users/{id}", fe_h_user_get, USERS, "One user", NULL, NULL, 0 },
    { "PUT",    "/api/users/{id}", fe_h_user_update, USERS, "Change a user's role or active flag",
      "role?, is_active?", NULL, 0 },
    { "DELETE", "/api/users/{id}", fe_h_user_delete, USERS, "Delete a user", NULL, NULL, 0 },

    { "GET",    "/api/invitations/{token}", fe_h_invitation_get, PUB,
      "What an invitation is for", NULL, NULL, 0 },
    { "POST",   "/api/invitations/{token}/accept", fe_h_invitation_accept, PUB,
      "Create the invited account", "username, password", NULL, 0 },

    { "GET",    "/api/v2/performance/comparison", fe_h_perf_comparison, READ,
      "Aligned daily series of several entities (strategies and baselines)", NULL,
      "entities, " Q_RANGE ", mode?", FE_CACHE },
    { "GET",    "/api/v2/performance/eod-status/today", fe_h_perf_eod_day, READ,
      "The EOD job's status for today's exchange date", NULL, NULL, 0 },
    { "GET",    "/api/v2/performance/eod-status/{date}", fe_h_perf_eod_day, READ,
      "The EOD job's status for one date", NULL, NULL, FE_CACHE },
    { "GET",    "/api/v2/performance/{entity}/daily", fe_h_perf_daily, READ,
      "One day's daily_performance row of an entity (the latest by default)", NULL,
      "date?, mode?", FE_CACHE },
    { "GET",    "/api/v2/performance/{entity}/daily/history", fe_h_perf_history, READ,
      "An entity's daily_performance rows over a range (or the last `days`)", NULL,
      Q_RANGE ", days?, mode?", FE_CACHE },
    { "GET",    "/api/v2/performance/{entity}/returns", fe_h_perf_returns, READ,
      "An entity's returns per year and per month", NULL, Q_RANGE ", mode?", FE_CACHE },
    { "GET",    "/api/v2/performance/{entity}/drawdown", fe_h_perf_drawdown, READ,
      "An entity's drawdown series", NULL, Q_RANGE ", mode?", FE_CACHE },
    { "GET",    "/api/eod/status", fe_h_eod_status, READ, "The EOD job's status by day", NULL,
      Q_RANGE, FE_CACHE },

    { "GET",    "/api/trades", fe_h_trades_list, READ, "Trades, newest first", NULL,
      "strategy?, symbol?, mode?, " Q_RANGE ", " Q_PAGE, FE_CACHE },
    { "GET",    "/api/trades/summary", fe_h_trades_summary, READ,
      "Trade counts, win rate, per symbol", NULL, "strategy?, symbol?, mode?, " Q_RANGE,
      FE_CACHE },
    { "GET",    "/api/trades/export", fe_h_trades_export, READ,
      "Trades as CSV (RFC 4180), the list's filters", NULL,
      "strategy?, symbol?, mode?, " Q_RANGE, 0 },
    { "GET",    "/api/trades/{id}", fe_h_trade_get, READ, "One trade", NULL, NULL, FE_CACHE },
    { "GET",    "/api/positions", fe_h_positions, READ, "Open positions", NULL,
      "strategy?, mode?", FE_CACHE },
    { "GET",    "/api/snapshots", fe_h_snapshots, READ, "Performance snapshots", NULL,
      "strategy?, mode?, " Q_RANGE ", " Q_PAGE, FE_CACHE },

    { "GET",    "/api/strategies", fe_h_strategies, READ,
      "Strategy instances and baselines of the config", NULL, NULL, 0 },
    { "GET",    "/api/strategies/{id}", fe_h_strategy, READ,
      "A strategy: plugin, mode, parameters with their active overrides", NULL, NULL, 0 },
    { "GET",    "/api/strategies/{id}/state", fe_h_strategy_state, READ,
      "A strategy's last run: cell, trend, volatility, indicators, target weights", NULL,
      NULL, 0 },
    { "GET",    "/api/strategies/primary/state", fe_h_strategy_state, READ,
      "The primary strategy's last run", NULL, NULL, 0 },
    { "GET",    "/api/status/regime", fe_h_strategy_state, READ,
      "The primary strategy's regime (the original's route)", NULL, NULL, 0 },
    { "GET",    "/api/indicators", fe_h_strategy_state, READ,
      "The primary strategy's indicators (the original's route)", NULL, NULL, 0 },

    { "GET",    "/api/market-data", fe_h_market_summary, READ,
      "Per symbol and timeframe: first, last, count, gaps, last sync, source", NULL, NULL, 0 },
    { "GET",    "/api/market-data/{symbol}", fe_h_market_bars, READ, "A symbol's bars", NULL,
      "timeframe?, " Q_RANGE ", " Q_PAGE, FE_CACHE },

    { "GET",    "/api/scheduler", fe_h_scheduler, READ,
      "Scheduled jobs: times, next and last runs, status", NULL, NULL, 0 },
    { "POST",   "/api/scheduler/{job}/pause", fe_h_scheduler_pause, CTRL,
      "Pause a scheduled job (kept across restarts)", NULL, NULL, 0 },
    { "POST",   "/api/scheduler/{job}/resume", fe_h_scheduler_resume, CTRL,
      "Resume a paused job", NULL, NULL, 0 },
    { "GET",    "/api/config", fe_h_config_get, READ,
      "The effective config, overrides applied, secrets masked", NULL, NULL, 0 },
    { "GET",    "/api/config/history", fe_h_config_history, READ,
      "Parameter changes, newest first", NULL, "strategy?, " Q_PAGE, 0 },
    { "PUT",    "/api/config/{strategy}/{parameter}", fe_h_config_put, CTRL,
      "Override a strategy parameter (the CLI's rules)", "value, reason?", NULL, 0 },
    { "DELETE", "/api/config/{strategy}/{parameter}", fe_h_config_delete, CTRL,
      "Remove a parameter's override", NULL, "reason?", 0 },

    { "POST",   "/api/control/sync", fe_h_control_sync, CTRL,
      "Run the sync job now; 202 and a job id", "symbols?", NULL, 0 },
    { "POST",   "/api/control/eod", fe_h_control_eod, CTRL,
      "Run the EOD job now (for a date); 202 and a job id", "date?", NULL, 0 },
    { "POST",   "/api/control/trade", fe_h_control_trade, CTRL,
      "Run the trading job now (a strategy, a date); 202 and a job id", "strategy?, date?",
      NULL, 0 },
    { "GET",    "/api/jobs/{id}", fe_h_job_get, READ, "A job run started over the API", NULL,
      NULL, 0 },
    { "POST",   "/api/backtest", fe_h_backtest, CTRL,
      "A backtest (nothing kept): summary, daily series and trades beside the baseline",
      "strategy, from, to, capital?, parameters?", NULL, 0 },

    { "GET",    "/api/events", fe_h_events, READ,
      "Live events as Server-Sent Events (Last-Event-ID resumes)", NULL, "topics?", 0 },
};

const size_t fe_routes_n = sizeof(fe_routes) / sizeof(fe_routes[0]);

static json_object *str(const char *s)
{
    return json_object_new_string(s);
}

/* The schema of a query parameter, from its name: the house's names mean
 * one thing everywhere (from/to/date are dates, page/per_page/days counts). */
static json_object *query_schema(const char *name)
{
    json_object *sch = json_object_new_object();
    if (strcmp(name, "from") == 0 || strcmp(name, "to") == 0 || strcmp(name, "date") == 0) {
        json_object_object_add(sch, "type", str("string"));
        json_object_object_add(sch, "format", str("date"));
    } else if (strcmp(name, "page") == 0 || strcmp(name, "per_page") == 0 ||
               strcmp(name, "days") == 0) {
        json_object_object_add(sch, "type", str("integer"));
        json_object_object_add(sch, "minimum", json_object_new_int(1));
    } else if (strcmp(name, "mode") == 0) {
        json_object *e = json_object_new_array();
        json_object_array_add(e, str("offline_mock"));
        json_object_array_add(e, str("online_live"));
        json_object_object_add(sch, "type", str("string"));
        json_object_object_add(sch, "enum", e);
    } else {
        json_object_object_add(sch, "type", str("string"));
    }
    return sch;
}

/* "entities, from?, to?" → query parameters (a trailing ? is optional). */
static void add_query_params(json_object *params, const char *query)
{
    char buf[160];
    snprintf(buf, sizeof(buf), "%s", query);
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        size_t n = strlen(t);
        int optional = n > 0 && t[n - 1] == '?';
        if (optional)
            t[n - 1] = '\0';
        json_object *prm = json_object_new_object();
        json_object_object_add(prm, "name", str(t));
        json_object_object_add(prm, "in", str("query"));
        json_object_object_add(prm, "required", json_object_new_boolean(!optional));
        json_object_object_add(prm, "schema", query_schema(t));
        json_object_array_add(params, prm);
    }
}

/* {mediatype: {schema}}: a reference to a component schema, or a free one. */
static json_object *content_of(const char *mediatype, const char *ref)
{
    json_object *c = json_object_new_object(), *mt = json_object_new_object();
    json_object *sch = json_object_new_object();
    char buf[96];
    if (ref) {
        snprintf(buf, sizeof(buf), "#/components/schemas/%s", ref);
        json_object_object_add(sch, "$ref", str(buf));
    } else {
        json_object_object_add(sch, "type", str(strcmp(mediatype, "application/json") == 0
                                                ? "object" : "string"));
    }
    json_object_object_add(mt, "schema", sch);
    json_object_object_add(c, mediatype, mt);
    return c;
}

static json_object *op_of(const struct fe_route *rt, const struct jutsu_sessions *ss)
{
    json_object *op = json_object_new_object(), *params = json_object_new_array();
    json_object_object_add(op, "summary", str(rt->summary));
    json_object_object_add(op, "x-permission", str(ss ? ss->perm_name(rt->perm)
                                                      : rt->perm ? "?" : "public"));
    /* path parameters */
    for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        json_object *prm = json_object_new_object(), *sch = json_object_new_object();
        json_object_object_add(prm, "name", json_object_new_string_len(p + 1, (int)(e - p - 1)));
        json_object_object_add(prm, "in", str("path"));
        json_object_object_add(prm, "required", json_object_new_boolean(1));
        json_object_object_add(sch, "type", str("string"));
        json_object_object_add(prm, "schema", sch);
        json_object_array_add(params, prm);
    }
    if (rt->query)
        add_query_params(params, rt->query);
    if (json_object_array_length(params) > 0)
        json_object_object_add(op, "parameters", params);
    else
        json_object_put(params);
    if (rt->body) {
        json_object *rb = json_object_new_object(), *ct = json_object_new_object();
        json_object *mt = json_object_new_object(), *sch = json_object_new_object();
        json_object *props = json_object_new_object(), *req = json_object_new_array();
        char buf[128];
        snprintf(buf, sizeof(buf), "%s", rt->body);
        for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
            size_t n = strlen(t);
            int optional = n > 0 && t[n - 1] == '?';
            if (optional)
                t[n - 1] = '\0';
            json_object_object_add(props, t, json_object_new_object());
            if (!optional)
                json_object_array_add(req, str(t));
        }
        json_object_object_add(sch, "type", str("object"));
        json_object_object_add(sch, "properties", props);
        json_object_object_add(sch, "required", req);
        json_object_object_add(mt, "schema", sch);
        json_object_object_add(ct, "application/json", mt);
        json_object_object_add(rb, "content", ct);
        json_object_object_add(op, "requestBody", rb);
    }
    if (rt->perm != JUTSU_PERM_PUBLIC) {
        json_object *sec = json_object_new_array(), *b = json_object_new_object();
        json_object_object_add(b, "bearer", json_object_new_array());
        json_object_array_add(sec, b);
        json_object_object_add(op, "security", sec);
    }
    json_object *resp = json_object_new_object(), *ok = json_object_new_object();
    int started = strncmp(rt->pattern, "/api/control/", 13) == 0;
    json_object_object_add(ok, "description", str(started ? "accepted: the run's id, which "
                                                  "GET /api/jobs/{id} follows" : "success"));
    if (strcmp(rt->pattern, "/api/trades/export") == 0)
        json_object_object_add(ok, "content", content_of("text/csv", NULL));
    else if (strcmp(rt->pattern, "/api/events") == 0)
        json_object_object_add(ok, "content", content_of("text/event-stream", NULL));
    else
        json_object_object_add(ok, "content", content_of("application/json", NULL));
    json_object_object_add(resp, started ? "202" : "200", ok);
    json_object *err = json_object_new_object();
    json_object_object_add(err, "description",
                           str("an error: {\"error\": {\"code\", \"message\", \"hint\"}}"));
    json_object_object_add(err, "content", content_of("application/json", "Error"));
    json_object_object_add(resp, "default", err);
    if (rt->cache) {
        json_object *nm = json_object_new_object();
        json_object_object_add(nm, "description", str("not modified (If-None-Match matched the "
                                                      "ETag)"));
        json_object_object_add(resp, "304", nm);
    }
    json_object_object_add(op, "responses", resp);
    return op;
}

static json_object *prop(const char *type, const char *format, const char *pattern,
                         const char *desc)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "type", str(type));
    if (format)
        json_object_object_add(p, "format", str(format));
    if (pattern)
        json_object_object_add(p, "pattern", str(pattern));
    if (desc)
        json_object_object_add(p, "description", str(desc));
    return p;
}

/* The shapes every answer shares: the error, and the value conventions
 * (money as exact text, dates and instants as text). */
static json_object *component_schemas(void)
{
    json_object *all = json_object_new_object();
    json_object *err = json_object_new_object(), *props = json_object_new_object();
    json_object *inner = json_object_new_object(), *iprops = json_object_new_object();
    json_object *req = json_object_new_array();
    json_object_object_add(iprops, "code", prop("string", NULL, NULL,
                           "stable: bad_request, bad_parameter, unauthenticated, forbidden, "
                           "not_found, conflict, busy, too_many, unavailable, internal, ..."));
    json_object_object_add(iprops, "message", prop("string", NULL, NULL, "what is wrong"));
    json_object_object_add(iprops, "hint", prop("string", NULL, NULL, "what to do"));
    json_object_array_add(req, str("code"));
    json_object_array_add(req, str("message"));
    json_object_object_add(inner, "type", str("object"));
    json_object_object_add(inner, "properties", iprops);
    json_object_object_add(inner, "required", req);
    json_object_object_add(props, "error", inner);
    json_object_object_add(err, "type", str("object"));
    json_object_object_add(err, "properties", props);
    json_object_object_add(all, "Error", err);
    json_object_object_add(all, "Money", prop("string", NULL, "^-?[0-9]+\\.[0-9]{6}$",
                           "exact decimal, six places (int64 micro-units on the server)"));
    json_object_object_add(all, "Ratio", prop("number", NULL, NULL,
                           "rounded to its column's precision (6 places; win_rate 2)"));
    json_object_object_add(all, "Date", prop("string", "date", NULL, "YYYY-MM-DD"));
    json_object_object_add(all, "Time", prop("string", "date-time", NULL, "RFC 3339, UTC"));
    return all;
}

int fe_h_openapi(struct fe_req *r)
{
    const struct jutsu_sessions *ss = fe_sessions(r);
    json_object *doc = json_object_new_object(), *info = json_object_new_object();
    json_object *paths = json_object_new_object();
    json_object_object_add(doc, "openapi", str("3.1.0"));
    json_object_object_add(info, "title", str("Jutsu REST API"));
    json_object_object_add(info, "version", str(JUTSU_VERSION));
    json_object_object_add(doc, "info", info);
    for (size_t i = 0; i < fe_routes_n; i++) {
        const struct fe_route *rt = &fe_routes[i];
        json_object *item;
        char lower[16];
        size_t k;
        if (!json_object_object_get_ex(paths, rt->pattern, &item)) {
            item = json_object_new_object();
            json_object_object_add(paths, rt->pattern, item);
        }
        for (k = 0; rt->method[k] && k + 1 < sizeof(lower); k++)
            lower[k] = (char)(rt->method[k] | 0x20);
        lower[k] = '\0';
        json_object_object_add(item, lower, op_of(rt, ss));
    }
    json_object_object_add(doc, "paths", paths);
    json_object *comp = json_object_new_object(), *schemes = json_object_new_object();
    json_object *bearer = json_object_new_object();
    json_object_object_add(bearer, "type", str("http"));
    json_object_object_add(bearer, "scheme", str("bearer"));
    json_object_object_add(bearer, "bearerFormat", str("JWT"));
    json_object_object_add(schemes, "bearer", bearer);
    json_object_object_add(comp, "securitySchemes", schemes);
    json_object_object_add(comp, "schemas", component_schemas());
    json_object_object_add(doc, "components", comp);
    return fe_ok(r, 200, doc);
}
