/*
 * core/config/cfg_fill.c — putting a validated config to use: filling a
 * plugin's config struct (host->cfg_fill), and the files its paths name.
 *
 * Filling is done as Fluent Bit's config map does it.
 * The schema says where each value goes (JUTSU_CFG_FIELD and `offset`,
 * jutsu/config.h); validation has already parsed, range-checked and
 * defaulted every value into its node, so filling is a copy, not a second
 * parse: the node's typed value is taken as it is. A node whose validated
 * type is not the key's means the tree was validated against some other
 * schema; that is refused rather than guessed at, because the bytes go
 * into a struct the host cannot see.
 *
 * Values are written with memcpy: the offset comes from the plugin, and a
 * misaligned one must not become undefined behaviour in the host.
 *
 * Paths (JUTSU_CFG_PATH): validation makes them absolute with
 * jutsu_cfg_path_join; `config check` looks at the disk with
 * jutsu_cfg_check_paths, so that a missing file or a directory that
 * cannot be made is said with its file:line:col before anything starts,
 * not by a plugin half-way through a start (or, worse, by a fresh empty
 * database in the wrong place).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "config/cfg.h"

/* ENUM: the position of the node's text among the key's choices, or -1. */
static int choice_index(const struct jutsu_cfg_key *k, const char *text)
{
    for (int i = 0; k->choices && k->choices[i]; i++)
        if (strcmp(k->choices[i], text) == 0)
            return i;
    return -1;
}

static int fill_key(const struct jutsu_cfg_key *k, const jutsu_cfg_node *n, char *field,
                    char *err, size_t errsz)
{
    if (n->kind != JUTSU_CFG_NODE_SCALAR || n->type != k->type) {
        snprintf(err, errsz, "config key \"%s\" is of type %s in the schema, but its value "
                 "was %s%s (the config was not validated against this schema)", k->name,
                 jutsu_cfg_type_name(k->type), n->type ? "validated as " : "never validated",
                 n->type ? jutsu_cfg_type_name(n->type) : "");
        return JUTSU_EINVAL;
    }
    switch (k->type) {
    case JUTSU_CFG_STR: {
        const char *s = n->text;
        memcpy(field, &s, sizeof(s));
        return 0;
    }
    case JUTSU_CFG_INT:
        memcpy(field, &n->i, sizeof(int64_t));
        return 0;
    case JUTSU_CFG_BOOL: {
        int b = n->i != 0;
        memcpy(field, &b, sizeof(b));
        return 0;
    }
    case JUTSU_CFG_DOUBLE:
        memcpy(field, &n->d, sizeof(double));
        return 0;
    case JUTSU_CFG_MONEY:
        memcpy(field, &n->m, sizeof(jutsu_money_t));
        return 0;
    case JUTSU_CFG_ENUM: {
        int i = choice_index(k, n->text);
        if (i < 0) {
            snprintf(err, errsz, "config key \"%s\": its value is none of the schema's choices "
                     "(the config was not validated against this schema)", k->name);
            return JUTSU_EINVAL;
        }
        int v = k->values ? k->values[i] : i;
        memcpy(field, &v, sizeof(v));
        return 0;
    }
    default:    /* refused by jutsu_cfg_fill */
        return JUTSU_EINVAL;
    }
}

int jutsu_cfg_fill(const jutsu_cfg_node *map, const struct jutsu_cfg_key *schema, void *conf,
                   char *err, size_t errsz)
{
    if (conf == NULL) {
        snprintf(err, errsz, "cfg_fill: no struct to fill (conf is NULL)");
        return JUTSU_EINVAL;
    }
    if (map == NULL || map->kind != JUTSU_CFG_NODE_MAP) {
        snprintf(err, errsz, "cfg_fill: the instance has no config map (a host bug)");
        return JUTSU_EINVAL;
    }
    for (const struct jutsu_cfg_key *k = schema; k && k->name; k++) {
        if (!(k->flags & JUTSU_CFG_FIELD))
            continue;
        /* the scalar types are STR..ENUM, numbers the ABI freezes */
        if (k->type < JUTSU_CFG_STR || k->type > JUTSU_CFG_ENUM) {
            snprintf(err, errsz, "config key \"%s\" is of type %s, which cannot be filled into "
                     "a field (only str, int, bool, double, money and enum keys can carry "
                     "JUTSU_CFG_FIELD)", k->name, jutsu_cfg_type_name(k->type));
            return JUTSU_EINVAL;
        }
        const jutsu_cfg_node *n = jutsu_cfg_map_get(map, k->name);
        if (n == NULL || (n->kind == JUTSU_CFG_NODE_SCALAR && n->is_null)) {
            /* validation gives such a key its default, or reports it */
            int demanded = (k->flags & JUTSU_CFG_REQUIRED) || k->def != NULL;
            if (!demanded)
                continue;   /* optional, no default: the field keeps its value */
            snprintf(err, errsz, "config key \"%s\" has no value, although the schema %s "
                     "(the config was not validated against this schema)", k->name,
                     (k->flags & JUTSU_CFG_REQUIRED) ? "requires it" : "gives it a default");
            return JUTSU_EINVAL;
        }
        int rc = fill_key(k, n, (char *)conf + k->offset, err, errsz);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- paths ------------------------------------------------------------ */

int jutsu_cfg_path_join(const char *dir, const char *path, char **out)
{
    char *cwd = NULL;
    *out = NULL;
    if (path[0] == '/') {
        *out = strdup(path);
        return *out ? 0 : JUTSU_ENOMEM;
    }
    if (dir == NULL) {
        if ((cwd = getcwd(NULL, 0)) == NULL)
            return errno == ENOMEM ? JUTSU_ENOMEM : JUTSU_EIO;
        dir = cwd;
    }
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    /* leading "./" and "../" act on dir's text, which has no symbolic
     * links, so that `config show` prints /srv/var/x.db, not
     * /srv/conf/../var/x.db; later ones are left to the kernel */
    for (;;) {
        if (path[0] == '.' && (path[1] == '/' || path[1] == '\0')) {
            path += 1;
        } else if (path[0] == '.' && path[1] == '.' && (path[2] == '/' || path[2] == '\0')) {
            path += 2;
            while (dlen > 1 && dir[dlen - 1] != '/')
                dlen--;
            if (dlen > 1)
                dlen--;
        } else {
            break;
        }
        while (*path == '/')
            path++;
    }
    const char *sep = *path == '\0' || (dlen == 1 && dir[0] == '/') ? "" : "/";
    int n = asprintf(out, "%.*s%s%s", (int)dlen, dir, sep, path);
    free(cwd);
    if (n < 0) {
        *out = NULL;
        return JUTSU_ENOMEM;
    }
    return 0;
}

int jutsu_cfg_file_dir(const char *path, char **out, struct jutsu_diag *diag)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == NULL ? strdup(".")
              : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return JUTSU_ENOMEM;
    *out = realpath(dir, NULL);
    if (*out == NULL) {
        int err = errno;
        if (err == ENOMEM) {
            free(dir);
            return JUTSU_ENOMEM;
        }
        jutsu_diag_add(diag, "%s: cannot find the config file's directory %s: %s", path, dir,
                       strerror(err));
        free(dir);
        return JUTSU_EIO;
    }
    free(dir);
    return 0;
}

/* For a value written relative: where it was taken from. */
static const char *taken_from(const jutsu_cfg *cfg, const jutsu_cfg_node *n, char *buf,
                              size_t size)
{
    if (!n->resolved)
        return "";
    if (n->from_env)
        return " (a relative path from the environment is taken from the working directory)";
    if (jutsu_cfg_dir(cfg) == NULL)
        return " (a relative path is taken from the working directory)";
    snprintf(buf, size, " (a relative path is taken from the config file's directory, %s)",
             jutsu_cfg_dir(cfg));
    return buf;
}

/* A path that need not exist yet: the nearest directory above it that does
 * must be one jutsu may make things in. 0, or an errno-style reason with
 * the directory in `dir`. */
static int creatable(const char *path, char *dir, size_t size, int *not_dir)
{
    struct stat st;
    *not_dir = 0;
    snprintf(dir, size, "%s", path);
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL)
            return ENOENT;      /* not absolute: cannot happen after validation */
        if (slash == dir)
            slash[1] = '\0';    /* the root */
        else
            *slash = '\0';
        if (stat(dir, &st) == 0)
            break;
        /* ENOTDIR: a file on the way, found as the walk goes up */
        if (errno != ENOENT && errno != ENOTDIR)
            return errno;
        if (strcmp(dir, "/") == 0)
            return ENOENT;
    }
    if (!S_ISDIR(st.st_mode)) {
        *not_dir = 1;
        return ENOTDIR;
    }
    return access(dir, W_OK | X_OK) == 0 ? 0 : errno;
}

static int check_path(const jutsu_cfg *cfg, const jutsu_cfg_node *n, const char *key,
                      struct jutsu_diag *diag)
{
    char at[256], buf[PATH_MAX + 96], dir[PATH_MAX];
    const char *path = n->text, *from = taken_from(cfg, n, buf, sizeof(buf));
    struct stat st;
    int not_dir;

    jutsu_cfg_where(n, at, sizeof(at));
    if (stat(path, &st) == 0) {
        if (!(n->flags & JUTSU_CFG_MUST_EXIST) || access(path, R_OK) == 0)
            return 0;
        jutsu_diag_add(diag, "%s: %s: %s cannot be read: %s", at, key, path, strerror(errno));
        return 1;
    }
    int err = errno;
    if (n->flags & JUTSU_CFG_MUST_EXIST) {
        jutsu_diag_add(diag, "%s: %s: %s: %s%s", at, key, path, strerror(err), from);
        return 1;
    }
    if (err != ENOENT && err != ENOTDIR) {
        jutsu_diag_add(diag, "%s: %s: %s: %s", at, key, path, strerror(err));
        return 1;
    }
    if ((err = creatable(path, dir, sizeof(dir), &not_dir)) == 0)
        return 0;
    if (not_dir)
        jutsu_diag_add(diag, "%s: %s: %s cannot be created: %s is not a directory%s", at, key,
                       path, dir, from);
    else
        jutsu_diag_add(diag, "%s: %s: %s cannot be created in %s: %s%s", at, key, path, dir,
                       strerror(err), from);
    return 1;
}

/* Every PATH scalar under n; `key` is n's path from the root. */
static int walk(const jutsu_cfg *cfg, const jutsu_cfg_node *n, const char *key,
                struct jutsu_diag *diag)
{
    char sub[512];
    int bad = 0;
    if (n->kind == JUTSU_CFG_NODE_SCALAR)
        return (n->flags & JUTSU_CFG_PATH) && !n->is_null && n->text[0] == '/'
               ? check_path(cfg, n, key, diag) : 0;
    for (size_t i = 0; i < n->n; i++) {
        if (n->kind == JUTSU_CFG_NODE_MAP)
            snprintf(sub, sizeof(sub), "%.400s%s%.100s", key, *key ? "." : "", n->keys[i]);
        else
            snprintf(sub, sizeof(sub), "%.400s[%zu]", key, i);
        bad += walk(cfg, n->items[i], sub, diag);
    }
    return bad;
}

int jutsu_cfg_check_paths(jutsu_cfg *cfg, struct jutsu_diag *diag)
{
    const jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    if (root == NULL)
        return JUTSU_EINVAL;
    return walk(cfg, root, "", diag) ? JUTSU_ECONFIG : 0;
}
