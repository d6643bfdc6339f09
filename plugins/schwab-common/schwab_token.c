/*
 * plugins/schwab-common/schwab_token.c — the token file: Schwab's OAuth2
 * access and refresh tokens, kept between runs as a small JSON object
 *
 *   {"access_token": "...", "refresh_token": "...",
 *    "access_expires_at": 1736432100, "refresh_expires_at": 1737035100,
 *    "obtained_at": 1736430300}
 *
 * (times in epoch seconds). The tokens are credentials: the file is written
 * with mode 0600, atomically (a temporary file in the same directory,
 * fsync, rename), and a file that group or others may read is refused
 * rather than used. Readers and the refresher take an exclusive flock on
 * the file, so that two processes sharing it (a service and a
 * `jutsu sync` run) never refresh at once and never read half a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "schwab_common.h"

/* A token file is a few hundred bytes; anything much larger is not one. */
#define MAX_TOKEN_FILE 65536

void schwab_token_clear(struct schwab_token *t)
{
    free(t->access_token);
    free(t->refresh_token);
    memset(t, 0, sizeof(*t));
}

int schwab_token_lock(struct schwab *s, int *fd)
{
    /* A writer renames a new file over the path; whoever locked the old
     * inode must look again, or it would read stale tokens. */
    *fd = -1;
    for (int tries = 0; tries < 16; tries++) {
        struct stat a, b;
        int f = open(s->token_file, O_RDONLY | O_CLOEXEC);
        if (f < 0 && errno == ENOENT)
            return 0;
        if (f < 0) {
            s->host->set_error(s->ctx, "cannot open the Schwab token file %s: %s",
                               s->token_file, strerror(errno));
            return JUTSU_EIO;
        }
        if (flock(f, LOCK_EX) != 0) {
            s->host->set_error(s->ctx, "cannot lock the Schwab token file %s: %s",
                               s->token_file, strerror(errno));
            close(f);
            return JUTSU_EIO;
        }
        if (fstat(f, &a) == 0 && stat(s->token_file, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev) {
            *fd = f;
            return 0;
        }
        close(f);
    }
    s->host->set_error(s->ctx, "the Schwab token file %s keeps being replaced while we "
                       "lock it: is another program rewriting it in a loop?", s->token_file);
    return JUTSU_EIO;
}

static int read_all(int fd, char **out, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        return JUTSU_ENOMEM;
    for (;;) {
        if (n + 1 == cap) {
            if (cap >= MAX_TOKEN_FILE) {
                free(buf);
                return JUTSU_ERANGE;
            }
            char *p = realloc(buf, cap *= 2);
            if (p == NULL) {
                free(buf);
                return JUTSU_ENOMEM;
            }
            buf = p;
        }
        ssize_t k = read(fd, buf + n, cap - n - 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            free(buf);
            return JUTSU_EIO;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static int get_str(json_object *o, const char *key, char **out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return JUTSU_ENOENT;
    return (*out = strdup(json_object_get_string(v))) ? 0 : JUTSU_ENOMEM;
}

static int64_t get_int(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return 0;
    return json_object_get_int64(v);
}

static int check_mode(struct schwab *s, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        s->host->set_error(s->ctx, "cannot stat the Schwab token file %s: %s", s->token_file,
                           strerror(errno));
        return JUTSU_EIO;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        s->host->set_error(s->ctx, "the Schwab token file %s is open to other users (mode "
                           "%04o) and holds credentials: refusing to use it; run `chmod 600 %s` "
                           "(and `jutsu schwab login` if the tokens may have leaked)",
                           s->token_file, (unsigned)(st.st_mode & 07777), s->token_file);
        return JUTSU_EAUTH;
    }
    return 0;
}

int schwab_token_read(struct schwab *s, int fd, struct schwab_token *t)
{
    char *text = NULL;
    size_t len;
    int rc = check_mode(s, fd);
    memset(t, 0, sizeof(*t));
    if (rc != 0)
        return rc;
    if ((rc = read_all(fd, &text, &len)) != 0) {
        if (rc != JUTSU_ENOMEM)
            s->host->set_error(s->ctx, "cannot read the Schwab token file %s: %s",
                               s->token_file, rc == JUTSU_ERANGE ? "larger than 64 KiB, not a "
                               "token file" : strerror(errno));
        return rc == JUTSU_ENOMEM ? rc : JUTSU_EIO;
    }
    enum json_tokener_error jerr;
    json_object *o = json_tokener_parse_verbose(text, &jerr);
    free(text);
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        s->host->set_error(s->ctx, "the Schwab token file %s is not a JSON object (%s): run "
                           "`jutsu schwab login` to write a new one", s->token_file,
                           o ? "another JSON value" : json_tokener_error_desc(jerr));
        json_object_put(o);
        return JUTSU_EAUTH;
    }
    if ((rc = get_str(o, "refresh_token", &t->refresh_token)) == 0 &&
        (rc = get_str(o, "access_token", &t->access_token)) == JUTSU_ENOENT)
        rc = (t->access_token = strdup("")) ? 0 : JUTSU_ENOMEM;
    t->access_expires_at = get_int(o, "access_expires_at");
    t->refresh_expires_at = get_int(o, "refresh_expires_at");
    t->obtained_at = get_int(o, "obtained_at");
    json_object_put(o);
    if (rc == JUTSU_ENOENT)
        s->host->set_error(s->ctx, "the Schwab token file %s has no refresh_token: run `jutsu "
                           "schwab login` to authorise again", s->token_file);
    if (rc != 0) {
        schwab_token_clear(t);
        return rc == JUTSU_ENOENT ? JUTSU_EAUTH : rc;
    }
    return 0;
}

static json_object *token_json(const struct schwab_token *t)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    if (json_object_object_add(o, "access_token", json_object_new_string(t->access_token)) ||
        json_object_object_add(o, "refresh_token", json_object_new_string(t->refresh_token)) ||
        json_object_object_add(o, "access_expires_at",
                               json_object_new_int64(t->access_expires_at)) ||
        json_object_object_add(o, "refresh_expires_at",
                               json_object_new_int64(t->refresh_expires_at)) ||
        json_object_object_add(o, "obtained_at", json_object_new_int64(t->obtained_at))) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The directory of the token file, created (mode 0700) if it is missing. */
static int token_dir(struct schwab *s, char **out)
{
    char *copy = strdup(s->token_file);
    if (copy == NULL || (*out = strdup(dirname(copy))) == NULL) {
        free(copy);
        return JUTSU_ENOMEM;
    }
    free(copy);
    if (mkdir(*out, 0700) != 0 && errno != EEXIST) {
        s->host->set_error(s->ctx, "cannot create %s for the Schwab token file: %s (create it, "
                           "or set token_file)", *out, strerror(errno));
        free(*out);
        return JUTSU_EIO;
    }
    return 0;
}

int schwab_token_write(struct schwab *s, const struct schwab_token *t)
{
    char *dir = NULL, *tmp = NULL, *base = NULL;
    json_object *o = NULL;
    int fd = -1, rc = token_dir(s, &dir);
    if (rc != 0)
        return rc;
    rc = JUTSU_ENOMEM;
    if ((base = strdup(s->token_file)) == NULL ||
        asprintf(&tmp, "%s/.%s.XXXXXX", dir, basename(base)) < 0) {
        tmp = NULL;
        goto out;
    }
    if ((o = token_json(t)) == NULL)
        goto out;
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
    rc = JUTSU_EIO;
    /* mkstemp creates 0600 whatever the umask; fchmod says so explicitly */
    if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
        s->host->set_error(s->ctx, "cannot create a file in %s for the Schwab tokens: %s",
                           dir, strerror(errno));
        goto out;
    }
    if (fchmod(fd, 0600) != 0 || write_all(fd, text, strlen(text)) != 0 ||
        write_all(fd, "\n", 1) != 0 || fsync(fd) != 0) {
        s->host->set_error(s->ctx, "cannot write %s: %s", tmp, strerror(errno));
        goto out_unlink;
    }
    if (close(fd) != 0) {
        fd = -1;
        s->host->set_error(s->ctx, "cannot write %s: %s", tmp, strerror(errno));
        goto out_unlink;
    }
    fd = -1;
    if (rename(tmp, s->token_file) != 0) {
        s->host->set_error(s->ctx, "cannot replace the Schwab token file %s: %s",
                           s->token_file, strerror(errno));
        goto out_unlink;
    }
    /* make the rename itself durable; failing that is not worth an error */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
    goto out;
out_unlink:
    unlink(tmp);
out:
    if (fd >= 0)
        close(fd);
    json_object_put(o);
    free(tmp);
    free(base);
    free(dir);
    return rc;
}
