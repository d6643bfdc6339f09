/*
 * core/config/cfg_env.c — the environment variables that override jutsu.yaml.
 *
 * The seed system was configured by environment (DATABASE_TYPE,
 * POSTGRES_*); deployments that still set them keep working. Precedence,
 * lowest first: the file's keys; the file's database.url; DATABASE_URL;
 * DATABASE_TYPE and POSTGRES_* (a single variable beats the URL, so one
 * field can be changed without rewriting the URL). Each value set here
 * carries its origin ("env POSTGRES_PORT") so a validation error names
 * the variable.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "config/cfg.h"

static const struct {
    const char *var;
    const char *key;
} pg_vars[] = {
    { "POSTGRES_HOST",     "database.postgresql.host" },
    { "POSTGRES_PORT",     "database.postgresql.port" },
    { "POSTGRES_USER",     "database.postgresql.user" },
    { "POSTGRES_PASSWORD", "database.postgresql.password" },
    { "POSTGRES_DATABASE", "database.postgresql.database" },
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into a new string. NULL with *bad set on a
 * malformed escape, NULL alone when out of memory. */
static char *pct_decode(const char *s, size_t n, int *bad)
{
    char *out = malloc(n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            *o++ = s[i];
            continue;
        }
        int h = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
        int l = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
        if (h < 0 || l < 0) {
            *bad = 1;
            free(out);
            return NULL;
        }
        *o++ = (char)(h * 16 + l);
        i += 2;
    }
    *o = '\0';
    return out;
}

static int set_part(jutsu_cfg *cfg, const char *key, const char *s, size_t n,
                    const char *origin, struct jutsu_diag *diag)
{
    int bad = 0;
    char *v = pct_decode(s, n, &bad);
    if (v == NULL) {
        if (bad) {
            jutsu_diag_add(diag, "%s: bad %%-escape in the %s part of the database URL",
                           origin, strrchr(key, '.') + 1);
            return JUTSU_ECONFIG;
        }
        return JUTSU_ENOMEM;
    }
    int rc = jutsu_cfg_set(cfg, jutsu_cfg_root(cfg), key, v, origin);
    free(v);
    return rc;
}

/* sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy.
 * A relative path of the environment's is the shell's, as it always was:
 * the node says so, and validation takes it from the working directory
 * rather than the config file's (as it does one of the file's
 * database.url). */
static int apply_sqlite_url(jutsu_cfg *cfg, const char *rest, const char *origin, int from_env,
                            struct jutsu_diag *diag)
{
    if (strncmp(rest, "//", 2) != 0) {
        jutsu_diag_add(diag, "%s: a SQLite URL is sqlite:///relative/path or "
                       "sqlite:////absolute/path", origin);
        return JUTSU_ECONFIG;
    }
    const char *path = rest + 2;          /* "/relative" or "//absolute" */
    if (*path != '/' || path[1] == '\0') {
        jutsu_diag_add(diag, "%s: the SQLite URL names no file (sqlite:///var/jutsu.db)", origin);
        return JUTSU_ECONFIG;
    }
    path++;                               /* "relative" or "/absolute"   */
    int rc = jutsu_cfg_set(cfg, jutsu_cfg_root(cfg), "database.type", "sqlite", origin);
    if (rc == 0)
        rc = set_part(cfg, "database.sqlite.path", path, strlen(path), origin, diag);
    jutsu_cfg_node *n = rc == 0 ? jutsu_cfg_get(jutsu_cfg_root(cfg), "database.sqlite.path")
                                : NULL;
    if (n != NULL)
        n->from_env = from_env;
    return rc;
}

/* postgresql://[user[:password]@]host[:port]/database */
static int apply_pg_url(jutsu_cfg *cfg, const char *rest, const char *origin,
                        struct jutsu_diag *diag)
{
    if (strncmp(rest, "//", 2) != 0)
        goto bad;
    rest += 2;
    const char *slash = strchr(rest, '/');
    if (slash == NULL || slash[1] == '\0')
        goto bad;
    if (strchr(slash, '?') != NULL) {
        jutsu_diag_add(diag, "%s: query parameters in the database URL are not supported; "
                       "set them under database.postgresql", origin);
        return JUTSU_ECONFIG;
    }
    const char *auth_end = NULL;
    for (const char *p = rest; p < slash; p++)
        if (*p == '@')
            auth_end = p;               /* the last '@' before the path */
    const char *host = auth_end ? auth_end + 1 : rest;
    int rc = jutsu_cfg_set(cfg, jutsu_cfg_root(cfg), "database.type", "postgresql", origin);
    if (rc == 0 && auth_end) {
        const char *colon = memchr(rest, ':', (size_t)(auth_end - rest));
        const char *user_end = colon ? colon : auth_end;
        if (user_end > rest)
            rc = set_part(cfg, "database.postgresql.user", rest, (size_t)(user_end - rest),
                          origin, diag);
        if (rc == 0 && colon)
            rc = set_part(cfg, "database.postgresql.password", colon + 1,
                          (size_t)(auth_end - colon - 1), origin, diag);
    }
    if (rc != 0)
        return rc;
    const char *port = NULL;
    if (*host == '[') {                 /* [::1]:5432 */
        const char *close = memchr(host, ']', (size_t)(slash - host));
        if (close == NULL)
            goto bad;
        rc = set_part(cfg, "database.postgresql.host", host + 1, (size_t)(close - host - 1),
                      origin, diag);
        if (close[1] == ':')
            port = close + 2;
    } else {
        const char *colon = memchr(host, ':', (size_t)(slash - host));
        const char *host_end = colon ? colon : slash;
        if (host_end > host)
            rc = set_part(cfg, "database.postgresql.host", host, (size_t)(host_end - host),
                          origin, diag);
        if (colon)
            port = colon + 1;
    }
    if (rc == 0 && port) {
        if (port == slash)
            goto bad;
        for (const char *p = port; p < slash; p++)
            if (!isdigit((unsigned char)*p))
                goto bad;
        rc = set_part(cfg, "database.postgresql.port", port, (size_t)(slash - port), origin, diag);
    }
    if (rc == 0)
        rc = set_part(cfg, "database.postgresql.database", slash + 1, strlen(slash + 1),
                      origin, diag);
    return rc;
bad:
    /* never echo the URL: it may hold a password */
    jutsu_diag_add(diag, "%s: a PostgreSQL URL is postgresql://user:password@host:port/database",
                   origin);
    return JUTSU_ECONFIG;
}

static int url_apply(jutsu_cfg *cfg, const char *url, const char *origin, int from_env,
                     struct jutsu_diag *diag)
{
    const char *colon = strchr(url, ':');
    if (colon == NULL) {
        jutsu_diag_add(diag, "%s: not a database URL (expected postgresql://... or sqlite:///...)",
                       origin);
        return JUTSU_ECONFIG;
    }
    size_t n = (size_t)(colon - url);
    /* SQLAlchemy allows a driver suffix: postgresql+psycopg2:// */
    const char *plus = memchr(url, '+', n);
    size_t scheme = plus ? (size_t)(plus - url) : n;
    if (scheme == 6 && strncmp(url, "sqlite", 6) == 0)
        return apply_sqlite_url(cfg, colon + 1, origin, from_env, diag);
    if ((scheme == 10 && strncmp(url, "postgresql", 10) == 0) ||
        (scheme == 8 && strncmp(url, "postgres", 8) == 0))
        return apply_pg_url(cfg, colon + 1, origin, diag);
    jutsu_diag_add(diag, "%s: unsupported database URL scheme \"%.*s\" (use postgresql or sqlite)",
                   origin, (int)n, url);
    return JUTSU_ECONFIG;
}

int jutsu_cfg_database_url_apply(jutsu_cfg *cfg, const char *url, const char *origin,
                                 struct jutsu_diag *diag)
{
    return url_apply(cfg, url, origin, 0, diag);
}

static int apply_type(jutsu_cfg *cfg, const char *type, struct jutsu_diag *diag)
{
    const char *canon = type;
    if (strcmp(type, "postgres") == 0 || strcmp(type, "postgresql") == 0)
        canon = "postgresql";
    else if (strcmp(type, "sqlite") != 0) {
        jutsu_diag_add(diag, "env DATABASE_TYPE: \"%s\" is not one of: sqlite, postgresql", type);
        return JUTSU_ECONFIG;
    }
    return jutsu_cfg_set(cfg, jutsu_cfg_root(cfg), "database.type", canon, "env DATABASE_TYPE");
}

int jutsu_cfg_env_apply(jutsu_cfg *cfg, struct jutsu_diag *diag)
{
    int rc = 0;
    const char *file_url = NULL;
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    jutsu_cfg_node *url_node = jutsu_cfg_get(root, "database.url");

    if (url_node && url_node->kind == JUTSU_CFG_NODE_SCALAR && !url_node->is_null &&
        *url_node->text) {
        char where[128];
        file_url = url_node->text;
        jutsu_cfg_where(url_node, where, sizeof(where));
        if ((rc = jutsu_cfg_database_url_apply(cfg, file_url, where, diag)) != 0)
            return rc;
    }
    const char *env_url = getenv("DATABASE_URL");
    if (env_url && *env_url &&
        (rc = url_apply(cfg, env_url, "env DATABASE_URL", 1, diag)) != 0)
        return rc;
    const char *type = getenv("DATABASE_TYPE");
    if (type && *type && (rc = apply_type(cfg, type, diag)) != 0)
        return rc;
    for (size_t i = 0; i < sizeof(pg_vars) / sizeof(pg_vars[0]); i++) {
        const char *v = getenv(pg_vars[i].var);
        char origin[64];
        if (v == NULL || *v == '\0')
            continue;
        snprintf(origin, sizeof(origin), "env %s", pg_vars[i].var);
        if ((rc = jutsu_cfg_set(cfg, root, pg_vars[i].key, v, origin)) != 0)
            return rc;
    }
    return 0;
}
