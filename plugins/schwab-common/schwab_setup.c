/*
 * plugins/schwab-common/schwab_setup.c — a Schwab plugin instance's shared
 * state: libcurl's global init, the mutexes, and the config keys declared
 * by SCHWAB_CFG_CREDENTIALS and SCHWAB_CFG_TRANSPORT, read once at init.
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

static int read_config(struct schwab *s, const char *plugin)
{
    const struct jutsu_host *h = s->host;
    const char *key, *secret, *uri = NULL, *file, *api, *auth;
    /* redirect_uri is only in the schema of a plugin with the login flow */
    int rc = h->cfg_str(s->ctx, "redirect_uri", &uri);
    if ((rc != 0 && rc != JUTSU_ENOENT) ||
        h->cfg_str(s->ctx, "app_key", &key) != 0 ||
        h->cfg_str(s->ctx, "app_secret", &secret) != 0 ||
        h->cfg_str(s->ctx, "token_file", &file) != 0 ||
        h->cfg_str(s->ctx, "api_base", &api) != 0 || h->cfg_str(s->ctx, "auth_base", &auth) ||
        h->cfg_double(s->ctx, "requests_per_second", &s->requests_per_second) != 0 ||
        h->cfg_int(s->ctx, "timeout_ms", &s->timeout_ms) != 0 ||
        h->cfg_int(s->ctx, "retries", &s->retries) != 0 ||
        h->cfg_int(s->ctx, "backoff_ms", &s->backoff_ms) != 0 ||
        h->cfg_int(s->ctx, "refresh_margin_s", &s->refresh_margin_s) != 0) {
        h->set_error(s->ctx, "cannot read the %s settings (are app_key and app_secret set?)",
                     plugin);
        return JUTSU_ECONFIG;
    }
    if (!(s->requests_per_second > 0 && s->requests_per_second <= 1000)) {
        const char *w = h->cfg_where(s->ctx, "requests_per_second");
        h->set_error(s->ctx, "%s%srequests_per_second must be above 0 and at most 1000 (Schwab "
                     "allows about 2)", w ? w : "", w ? ": " : "");
        return JUTSU_ECONFIG;
    }
    s->interval_us = (int64_t)(1e6 / s->requests_per_second);
    if ((s->app_key = strdup(key)) == NULL || (s->app_secret = strdup(secret)) == NULL ||
        (uri && (s->redirect_uri = strdup(uri)) == NULL) ||
        (s->token_file = strdup(file)) == NULL ||
        (s->api_base = dup_base(api)) == NULL || (s->auth_base = dup_base(auth)) == NULL)
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
                 const char *plugin, const char *agent, const char *service)
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
    int rc = read_config(s, plugin);
    if (rc != 0) {
        schwab_teardown(s);
        return rc;
    }
    if (strncmp(s->api_base, "https://", 8) != 0 || strncmp(s->auth_base, "https://", 8) != 0)
        host->log(ctx, JUTSU_LOG_WARN, "api_base or auth_base is not https: tokens travel in "
                  "clear text (fine for a loopback test server only)");
    return 0;
}
