/*
 * plugins/schwab-common/schwab_setup.c — a Schwab plugin instance's shared
 * state: libcurl's global init, the mutexes, and the settings declared by
 * SCHWAB_CFG_CREDENTIALS and SCHWAB_CFG_TRANSPORT, which the plugin fills
 * (host->cfg_fill) and hands over at init.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "schwab_common.h"

static char *dup_base(const char *url)
{
    char *p = strdup(url);
    /* "https://host/" and "https://host" name one base: no "//" in paths */
    for (size_t n = p ? strlen(p) : 0; n > 0 && p[n - 1] == '/'; n--)
        p[n - 1] = '\0';
    return p;
}

/* Takes the shared settings from the plugin's filled config struct. */
static int take_config(struct schwab *s, const struct schwab_conf *c)
{
    const struct jutsu_host *h = s->host;
    s->requests_per_second = c->requests_per_second;
    s->timeout_ms = c->timeout_ms;
    s->retries = c->retries;
    s->backoff_ms = c->backoff_ms;
    s->refresh_margin_s = c->refresh_margin_s;
    if (!(s->requests_per_second > 0 && s->requests_per_second <= 1000))
        return h->cfg_error(s->ctx, "requests_per_second", "requests_per_second must be above "
                            "0 and at most 1000 (Schwab allows about 2)");
    s->interval_us = (int64_t)(1e6 / s->requests_per_second);
    if ((s->app_key = strdup(c->app_key)) == NULL ||
        (s->app_secret = strdup(c->app_secret)) == NULL ||
        (c->redirect_uri && (s->redirect_uri = strdup(c->redirect_uri)) == NULL) ||
        (s->token_file = strdup(c->token_file)) == NULL ||
        (s->api_base = dup_base(c->api_base)) == NULL ||
        (s->auth_base = dup_base(c->auth_base)) == NULL)
        return JUTSU_ENOMEM;
    return 0;
}

void schwab_teardown(struct schwab *s)
{
    pthread_mutex_destroy(&s->rate_mu);
    pthread_mutex_destroy(&s->tok_mu);
    free(s->app_key);
    free(s->app_secret);
    free(s->redirect_uri);
    free(s->token_file);
    free(s->api_base);
    free(s->auth_base);
    memset(s, 0, sizeof(*s));
    curl_global_cleanup();
}

int schwab_setup(struct schwab *s, const struct jutsu_host *host, jutsu_ctx *ctx,
                 const struct schwab_conf *conf, const char *agent, const char *service)
{
    /* reference counted by libcurl; undone in schwab_teardown */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        host->set_error(ctx, "libcurl failed to initialise (TLS library missing?)");
        return JUTSU_EIO;
    }
    s->host = host;
    s->ctx = ctx;
    s->agent = agent;
    s->service = service;
    pthread_mutex_init(&s->rate_mu, NULL);
    pthread_mutex_init(&s->tok_mu, NULL);
    int rc = take_config(s, conf);
    if (rc != 0) {
        schwab_teardown(s);
        return rc;
    }
    if (strncmp(s->api_base, "https://", 8) != 0 || strncmp(s->auth_base, "https://", 8) != 0)
        host->log(ctx, JUTSU_LOG_WARN, "api_base or auth_base is not https: tokens travel in "
                  "clear text (fine for a loopback test server only)");
    return 0;
}
