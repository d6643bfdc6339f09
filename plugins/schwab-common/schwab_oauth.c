/*
 * plugins/schwab-common/schwab_oauth.c — Schwab's OAuth2 flow.
 *
 * A person authorises the app once in a browser (schwab_authorize_url);
 * Schwab sends the browser to redirect_uri with ?code=...; that code,
 * valid for about 30 seconds, is exchanged at {auth_base}/v1/oauth/token
 * (HTTP Basic app_key:app_secret, grant_type=authorization_code) for an
 * access token (30 minutes) and a refresh token (7 days). Until the
 * refresh token expires, schwab_access_token trades it for new access
 * tokens (grant_type=refresh_token) before they expire; after that only
 * the browser can help, and every request fails with JUTSU_EAUTH and a
 * message that says so.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "schwab_common.h"

/* Warn this long before the refresh token expires. */
#define EXPIRY_WARNING_S 86400

int64_t schwab_now_s(struct schwab *s)
{
    jutsu_time_t t = s->host->now(s->ctx);
    return t / JUTSU_USEC_PER_SEC;
}

static const char *when(int64_t epoch_s, char *buf)
{
    jutsu_time_format(epoch_s * JUTSU_USEC_PER_SEC, buf);
    return buf;
}

/* Reads a 200 answer of the token endpoint into t (keeping t's refresh
 * token when the answer has none, as refreshes may do). *refresh_life is
 * refresh_token_expires_in if the answer has it, else 0. */
static int parse_tokens(struct schwab *s, const char *what, const char *body,
                        struct schwab_token *t, int64_t *refresh_life)
{
    json_object *o = json_tokener_parse(body), *v;
    char *access = NULL, *refresh = NULL;
    int rc = JUTSU_EMALFORMED;
    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, "access_token", &v) ||
        !json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0) {
        s->host->set_error(s->ctx, "%s: the token endpoint answered 200 without an "
                           "access_token", what);
        goto out;
    }
    rc = JUTSU_ENOMEM;
    if ((access = strdup(json_object_get_string(v))) == NULL)
        goto out;
    if (json_object_object_get_ex(o, "refresh_token", &v) &&
        json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0 &&
        (refresh = strdup(json_object_get_string(v))) == NULL)
        goto out;
    if (refresh == NULL && t->refresh_token == NULL) {
        s->host->set_error(s->ctx, "%s: the token endpoint answered without a refresh_token",
                           what);
        rc = JUTSU_EMALFORMED;
        goto out;
    }
    int64_t now = schwab_now_s(s), life = SCHWAB_ACCESS_LIFETIME_S;
    if (json_object_object_get_ex(o, "expires_in", &v) && json_object_get_int64(v) > 0)
        life = json_object_get_int64(v);
    *refresh_life = 0;
    if (json_object_object_get_ex(o, "refresh_token_expires_in", &v) &&
        json_object_get_int64(v) > 0)
        *refresh_life = json_object_get_int64(v);
    free(t->access_token);
    t->access_token = access;
    access = NULL;
    if (refresh) {
        free(t->refresh_token);
        t->refresh_token = refresh;
        refresh = NULL;
    }
    t->access_expires_at = now + life;
    t->obtained_at = now;
    rc = 0;
out:
    free(access);
    free(refresh);
    json_object_put(o);
    return rc;
}

/* POSTs a grant to the token endpoint; 0 with t updated, or an error
 * after set_error. `refusal` says what a 4xx means for the person. */
static int token_call(struct schwab *s, struct schwab_conn *c, const char *what,
                      const char *form, const char *refusal, struct schwab_token *t,
                      int64_t *refresh_life)
{
    char *url = NULL, why[300];
    struct schwab_resp r;
    if (asprintf(&url, "%s/v1/oauth/token", s->auth_base) < 0)
        return JUTSU_ENOMEM;
    int rc = schwab_request(s, c, what, url, NULL, 1, form, &r);
    free(url);
    if (rc == 0 && r.status == 200) {
        rc = parse_tokens(s, what, r.body, t, refresh_life);
    } else if (rc == 0) {
        schwab_error_text(r.body, why, sizeof(why));
        s->host->set_error(s->ctx, "%s: the token endpoint answered HTTP %ld (%s): %s", what,
                           r.status, why, refusal);
        rc = r.status >= 400 && r.status < 500 ? JUTSU_EAUTH : JUTSU_ETRANSIENT;
    }
    schwab_resp_free(&r);
    return rc;
}

static int refresh(struct schwab *s, struct schwab_conn *c, struct schwab_token *t)
{
    char *enc = schwab_urlencode(t->refresh_token), *form = NULL, until[JUTSU_TIME_BUFSZ];
    int64_t life;
    if (enc == NULL || asprintf(&form, "grant_type=refresh_token&refresh_token=%s", enc) < 0) {
        free(enc);
        return JUTSU_ENOMEM;
    }
    free(enc);
    int rc = token_call(s, c, "Schwab token refresh", form,
                        "the refresh token was refused (revoked, or app_key/app_secret "
                        "changed?); run `jutsu schwab login` to authorise again", t, &life);
    free(form);
    /* the refresh token keeps the lifetime of the browser login unless
     * the server says otherwise */
    if (rc == 0 && life > 0)
        t->refresh_expires_at = t->obtained_at + life;
    if (rc == 0 && (rc = schwab_token_write(s, t)) == 0)
        s->host->log(s->ctx, JUTSU_LOG_INFO, "access token refreshed, valid until %s",
                     when(t->access_expires_at, until));
    return rc;
}

static void warn_expiry(struct schwab *s, const struct schwab_token *t, int64_t now)
{
    char until[JUTSU_TIME_BUFSZ];
    if (t->refresh_expires_at - now > EXPIRY_WARNING_S ||
        s->warned_refresh_expiry == t->refresh_expires_at)
        return;
    s->warned_refresh_expiry = t->refresh_expires_at;
    s->host->log(s->ctx, JUTSU_LOG_WARN, "the Schwab refresh token expires on %s: run `jutsu "
                 "schwab login` before then, or %s stops", when(t->refresh_expires_at, until),
                 s->service);
}

/* Under tok_mu and the file lock: a usable access token in *out. */
static int current_token(struct schwab *s, struct schwab_conn *c, int fd,
                         const char *rejected, char **out)
{
    struct schwab_token t;
    char until[JUTSU_TIME_BUFSZ];
    int rc = schwab_token_read(s, fd, &t);
    if (rc != 0)
        return rc;
    int64_t now = schwab_now_s(s);
    int stale = t.access_token[0] == '\0' || t.access_expires_at - s->refresh_margin_s <= now ||
                (rejected && strcmp(rejected, t.access_token) == 0);
    /* 0: a hand-made file that does not say; let the token endpoint judge */
    if (stale && t.refresh_expires_at != 0 && t.refresh_expires_at <= now) {
        s->host->set_error(s->ctx, "the Schwab refresh token expired on %s; run `jutsu schwab "
                           "login` to authorise again", when(t.refresh_expires_at, until));
        rc = JUTSU_EAUTH;
    } else if (stale) {
        rc = refresh(s, c, &t);
    }
    if (rc == 0) {
        warn_expiry(s, &t, now);
        if ((*out = strdup(t.access_token)) == NULL)
            rc = JUTSU_ENOMEM;
    }
    schwab_token_clear(&t);
    return rc;
}

int schwab_access_token(struct schwab *s, struct schwab_conn *c, const char *rejected,
                        char **out)
{
    int fd = -1, rc;
    pthread_mutex_lock(&s->tok_mu);
    if ((rc = schwab_token_lock(s, &fd)) == 0 && fd < 0) {
        s->host->set_error(s->ctx, "no Schwab token file at %s: run `jutsu schwab login` to "
                           "authorise this app (again every 7 days)", s->token_file);
        rc = JUTSU_EAUTH;
    }
    if (rc == 0)
        rc = current_token(s, c, fd, rejected, out);
    if (fd >= 0)
        close(fd);   /* releases the flock */
    pthread_mutex_unlock(&s->tok_mu);
    return rc;
}

int schwab_authorize_url(struct schwab *s, char **out)
{
    char *key = schwab_urlencode(s->app_key), *uri = schwab_urlencode(s->redirect_uri);
    int rc = 0;
    if (key == NULL || uri == NULL ||
        asprintf(out, "%s/v1/oauth/authorize?client_id=%s&redirect_uri=%s", s->auth_base,
                 key, uri) < 0)
        rc = JUTSU_ENOMEM;
    free(key);
    free(uri);
    return rc;
}

static int hexval(int ch)
{
    return isdigit(ch) ? ch - '0' : isxdigit(ch) ? tolower(ch) - 'a' + 10 : -1;
}

/* Percent-decodes n bytes; '+' stays '+' (RFC 3986, not form encoding:
 * Schwab's codes are base64-like). NULL on a bad escape. */
static char *pct_decode(const char *p, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '%') {
            *o++ = p[i];
            continue;
        }
        int hi = i + 2 < n ? hexval((unsigned char)p[i + 1]) : -1;
        int lo = i + 2 < n ? hexval((unsigned char)p[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        *o++ = (char)(hi * 16 + lo);
        i += 2;
    }
    *o = '\0';
    return out;
}

/* The value of `key` in a query string (up to '#'), or NULL; *n its length. */
static const char *query_param(const char *q, const char *key, size_t *n)
{
    size_t klen = strlen(key);
    while (q && *q && *q != '#') {
        size_t len = strcspn(q, "&#");
        if (len > klen && strncmp(q, key, klen) == 0 && q[klen] == '=') {
            *n = len - klen - 1;
            return q + klen + 1;
        }
        q += len;
        if (*q == '&')
            q++;
    }
    return NULL;
}

int schwab_parse_code(struct schwab *s, const char *input, char **code)
{
    const char *p = input, *v, *q;
    size_t n = strlen(p), vn;
    while (n > 0 && isspace((unsigned char)*p))
        p++, n--;
    while (n > 0 && isspace((unsigned char)p[n - 1]))
        n--;
    char *text = strndup(p, n);
    if (text == NULL)
        return JUTSU_ENOMEM;
    int rc = 0;
    if ((q = strchr(text, '?')) != NULL)
        q++;
    else if (strncmp(text, "code=", 5) == 0 || strncmp(text, "error=", 6) == 0)
        q = text;              /* a bare query string */
    if (n == 0) {
        s->host->set_error(s->ctx, "nothing was pasted: paste the address the browser was sent "
                           "to (it starts with %s)", s->redirect_uri);
        rc = JUTSU_EINVAL;
    } else if (q && (v = query_param(q, "error", &vn)) != NULL) {
        s->host->set_error(s->ctx, "Schwab did not authorise the app (error=%.*s): run `jutsu "
                           "schwab login` again and approve the access", (int)vn, v);
        rc = JUTSU_EAUTH;
    } else if (q) {
        if ((v = query_param(q, "code", &vn)) == NULL || vn == 0) {
            s->host->set_error(s->ctx, "the pasted address has no code= parameter: paste the "
                               "whole address the browser was sent to after approving");
            rc = JUTSU_EINVAL;
        }
    } else if (strstr(text, "://") != NULL) {
        s->host->set_error(s->ctx, "the pasted address has no query (?code=...): paste the "
                           "address the browser was sent to after approving, not %s", text);
        rc = JUTSU_EINVAL;
    } else {
        v = text;              /* the code alone */
        vn = n;
    }
    if (rc == 0 && (*code = pct_decode(v, vn)) == NULL) {
        s->host->set_error(s->ctx, "the code contains a broken %%-escape: paste the address "
                           "exactly as the browser shows it");
        rc = JUTSU_EINVAL;
    }
    free(text);
    return rc;
}

int schwab_exchange_code(struct schwab *s, const char *code_or_url, struct schwab_token *out)
{
    struct schwab_token t = { 0 };
    struct schwab_conn *c = NULL;
    char *code = NULL, *ecode = NULL, *euri = NULL, *form = NULL;
    int64_t life;
    int fd = -1, rc = schwab_parse_code(s, code_or_url, &code);
    if (rc != 0)
        return rc;
    rc = JUTSU_ENOMEM;
    if ((ecode = schwab_urlencode(code)) == NULL ||
        (euri = schwab_urlencode(s->redirect_uri)) == NULL ||
        asprintf(&form, "grant_type=authorization_code&code=%s&redirect_uri=%s", ecode,
                 euri) < 0) {
        form = NULL;
        goto out;
    }
    if ((rc = schwab_conn_open(s, &c)) != 0)
        goto out;
    rc = token_call(s, c, "Schwab login", form, "the code was refused: codes are single use "
                    "and live about 30 seconds, and redirect_uri must be exactly the app's "
                    "callback URL; run `jutsu schwab login` again", &t, &life);
    if (rc != 0)
        goto out;
    t.refresh_expires_at = t.obtained_at + (life > 0 ? life : SCHWAB_REFRESH_LIFETIME_S);
    /* under the same locks as a refresh, so that a running service does not
     * overwrite the new tokens with a refresh of the old ones */
    pthread_mutex_lock(&s->tok_mu);
    if ((rc = schwab_token_lock(s, &fd)) == 0)
        rc = schwab_token_write(s, &t);
    if (fd >= 0)
        close(fd);
    pthread_mutex_unlock(&s->tok_mu);
    if (rc == 0 && out) {
        *out = t;
        memset(&t, 0, sizeof(t));
    }
out:
    schwab_conn_close(c);
    schwab_token_clear(&t);
    free(form);
    free(euri);
    free(ecode);
    free(code);
    return rc;
}
