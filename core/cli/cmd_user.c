/*
 * core/cli/cmd_user.c — `jutsu user ...`: the accounts of the people who
 * use the dashboard and the REST API.
 *
 * A password is never an argument (it would sit in the shell history and
 * in ps): it is read from the terminal without echo, twice, or from the
 * first line of standard input when that is not a terminal (scripts,
 * provisioning). Passwords go through the same engine the HTTP frontend
 * uses (core/auth), so the policy and the hashing are the same.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "auth/auth.h"
#include "auth/policy.h"
#include "auth/roles.h"
#include "cli/cli.h"
#include "store/data_api.h"
#include "store/store.h"

#define PW_BUF (JUTSU_PASSWORD_MAX_BYTES + 2)

struct user_args {
    const char *role, *email;
};

static int user_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct user_args *a = ud;
    switch (c) {
    case 'r': a->role = arg; return 0;
    case 'e': a->email = arg; return 0;
    }
    return jutsu_cli_usage(cli, "unknown option");
}

static const struct option user_opts[] = {
    { "role",  required_argument, NULL, 'r' },
    { "email", required_argument, NULL, 'e' },
    { NULL, 0, NULL, 0 }
};

/* One line from f into buf, without its newline; -1 at EOF or if too long. */
static int read_line(FILE *f, char *buf, size_t n)
{
    if (fgets(buf, (int)n, f) == NULL)
        return -1;
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    else if (!feof(f))
        return -1;   /* longer than the buffer */
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    return 0;
}

static int prompt(const char *what, char *buf, size_t n)
{
    struct termios old, quiet;
    fprintf(stderr, "%s: ", what);
    fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return -1;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return -1;
    int rc = read_line(stdin, buf, n);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return rc;
}

/* The new password, from the terminal (twice) or stdin's first line. */
static int read_password(char *pw, size_t n)
{
    if (!isatty(STDIN_FILENO)) {
        if (read_line(stdin, pw, n) != 0 || *pw == '\0') {
            jutsu_cli_error("no password on standard input: give it as the first line "
                            "(at most %d bytes)", JUTSU_PASSWORD_MAX_BYTES);
            return -1;
        }
        return 0;
    }
    char again[PW_BUF];
    int rc = -1;
    if (prompt("New password", pw, n) != 0 || prompt("Again", again, sizeof(again)) != 0)
        jutsu_cli_error("no password read (at most %d bytes)", JUTSU_PASSWORD_MAX_BYTES);
    else if (strcmp(pw, again) != 0)
        jutsu_cli_error("the two passwords differ; nothing changed");
    else
        rc = 0;
    sodium_memzero(again, sizeof(again));
    return rc;
}

/* Prints an error object of core/auth; returns the exit code for rc. */
static int auth_failed(json_object *err, int rc)
{
    json_object *m = NULL, *h = NULL;
    json_object_object_get_ex(err, "message", &m);
    json_object_object_get_ex(err, "hint", &h);
    jutsu_cli_error("%s", m ? json_object_get_string(m) : jutsu_strerror(rc));
    if (h)
        fprintf(stderr, "  hint: %s\n", json_object_get_string(h));
    json_object_put(err);
    return rc == JUTSU_EINVAL || rc == JUTSU_EEXIST ? JUTSU_EXIT_USAGE : JUTSU_EXIT_FAILURE;
}

static int add(struct jutsu_cli *cli, const struct user_args *a)
{
    char pw[PW_BUF];
    json_object *out = NULL;
    int64_t id = 0;
    if (a->role == NULL)
        return jutsu_cli_usage(cli, "say --role admin or --role viewer");
    if (!jutsu_role_valid(a->role))
        return jutsu_cli_usage(cli, "no role \"%s\": the roles are admin and viewer", a->role);
    if (read_password(pw, sizeof(pw)) != 0)
        return JUTSU_EXIT_USAGE;
    int rc = jutsu_auth_user_create(cli->app->auth, cli->argv[1], pw, a->role, a->email, "cli",
                                    &id, &out);
    sodium_memzero(pw, sizeof(pw));
    if (rc != 0)
        return auth_failed(out, rc);
    json_object_put(out);
    printf("user %s created (%s, id %lld)\n", cli->argv[1], a->role, (long long)id);
    return JUTSU_EXIT_OK;
}

static int passwd(struct jutsu_cli *cli, const struct jutsu_user_row *u)
{
    char pw[PW_BUF];
    json_object *out = NULL;
    if (read_password(pw, sizeof(pw)) != 0)
        return JUTSU_EXIT_USAGE;
    int rc = jutsu_auth_set_password(cli->app->auth, u->id, pw, "cli", &out);
    sodium_memzero(pw, sizeof(pw));
    if (rc != 0)
        return auth_failed(out, rc);
    json_object_put(out);
    printf("password of %s changed; their sessions have ended\n", cli->argv[1]);
    return JUTSU_EXIT_OK;
}

static int invite(struct jutsu_cli *cli, const struct user_args *a)
{
    json_object *out = NULL, *url, *exp;
    if (a->role == NULL || !jutsu_role_valid(a->role))
        return jutsu_cli_usage(cli, "say --role admin or --role viewer");
    int rc = jutsu_auth_invite(cli->app->auth, 0, a->email, a->role, &out);
    if (rc != 0)
        return auth_failed(out, rc);
    json_object_object_get_ex(out, "url", &url);
    json_object_object_get_ex(out, "expires_at", &exp);
    if (cli->format == JUTSU_FMT_JSON)
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    else
        printf("%s\n(a %s account; good once, until %s)\n", json_object_get_string(url),
               a->role, json_object_get_string(exp));
    json_object_put(out);
    return JUTSU_EXIT_OK;
}

struct list_state {
    int         format;
    json_object *arr;
    int         n;
    jutsu_time_t now;
};

static int list_row(const void *row, void *arg)
{
    const struct jutsu_user_row *u = row;
    struct list_state *l = arg;
    char locked[JUTSU_TIME_BUFSZ] = "", last[JUTSU_TIME_BUFSZ] = "never";
    if (u->locked_until > l->now)
        jutsu_time_format(u->locked_until, locked);
    if (u->last_login)
        jutsu_time_format(u->last_login, last);
    if (l->arr) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64(u->id));
        json_object_object_add(o, "username", json_object_new_string(u->username));
        json_object_object_add(o, "email", u->email ? json_object_new_string(u->email) : NULL);
        json_object_object_add(o, "role", json_object_new_string(u->role));
        json_object_object_add(o, "is_active", json_object_new_boolean(u->is_active));
        json_object_object_add(o, "totp_enabled", json_object_new_boolean(u->totp_enabled));
        json_object_object_add(o, "locked_until", *locked ? json_object_new_string(locked) : NULL);
        json_object_object_add(o, "last_login", u->last_login ? json_object_new_string(last)
                                                              : NULL);
        json_object_array_add(l->arr, o);
    } else {
        if (l->n == 0)
            printf("%-5s %-20s %-7s %-8s %-4s %-22s %s\n", "ID", "USERNAME", "ROLE", "ACTIVE",
                   "2FA", "LAST LOGIN", "LOCKED UNTIL");
        printf("%-5lld %-20s %-7s %-8s %-4s %-22s %s\n", (long long)u->id, u->username, u->role,
               u->is_active ? "yes" : "no", u->totp_enabled ? "totp" : "-", last, locked);
    }
    l->n++;
    return 0;
}

static int list(struct jutsu_cli *cli, jutsu_dbs *s)
{
    struct list_state l = { .format = cli->format, .now = jutsu_app_now(cli->app) };
    if (cli->format == JUTSU_FMT_JSON)
        l.arr = json_object_new_array();
    int rc = jutsu_data_users_list(s, list_row, &l);
    if (rc != 0)
        jutsu_cli_db_error(s);
    else if (l.arr)
        puts(json_object_to_json_string_ext(l.arr, JSON_C_TO_STRING_PRETTY |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
    else if (l.n == 0)
        printf("(no user yet: `jutsu user add NAME --role admin`, or `jutsu user invite "
               "--role admin`)\n");
    json_object_put(l.arr);
    return rc ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}

static int delete_passkey(const void *row, void *arg)
{
    const struct jutsu_passkey_row *p = row;
    int64_t *ids = arg;
    for (int i = 0; i < 64; i++)
        if (ids[i] == 0) {
            ids[i] = p->id;
            return 0;
        }
    return 0;
}

/* role, disable, enable, unlock, 2fa-reset, delete: one row changed. */
static int change(struct jutsu_cli *cli, jutsu_dbs *s, const char *verb, struct jutsu_user_row *u)
{
    int rc = 0;
    char role[24];
    if (strcmp(verb, "delete") == 0) {
        rc = jutsu_data_user_delete(s, u->id);
    } else if (strcmp(verb, "2fa-reset") == 0) {
        int64_t ids[64] = { 0 };
        int own = 0;
        int64_t id = u->id;
        /* listing reuses the session's row memory: read the user again after */
        if ((rc = jutsu_data_passkeys_list(s, id, delete_passkey, ids)) == 0 &&
            (rc = jutsu_data_user_get(s, id, NULL, u)) == 0 &&
            (rc = jutsu_dbs_tx_enter(s, &own)) == 0) {
            u->totp_enabled = 0;
            u->totp_secret = NULL;
            u->backup_codes = NULL;
            rc = jutsu_data_user_update(s, u);
            for (int i = 0; rc == 0 && i < 64 && ids[i]; i++)
                rc = jutsu_data_passkey_delete(s, ids[i]);
            rc = jutsu_dbs_tx_leave(s, own, rc);
        }
    } else {
        if (strcmp(verb, "role") == 0) {
            if (!jutsu_role_valid(cli->argv[2]))
                return jutsu_cli_usage(cli, "no role \"%s\": the roles are admin and viewer",
                                       cli->argv[2]);
            snprintf(role, sizeof(role), "%s", cli->argv[2]);
            u->role = role;
        } else if (strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0) {
            u->is_active = strcmp(verb, "enable") == 0;
        } else {   /* unlock */
            u->failed_login_count = 0;
            u->locked_until = 0;
        }
        rc = jutsu_data_user_update(s, u);
    }
    if (rc != 0) {
        jutsu_cli_db_error(s);
        return JUTSU_EXIT_FAILURE;
    }
    static const struct { const char *verb, *done; } said[] = {
        { "delete", "deleted; their sessions have ended" },
        { "2fa-reset", "has no second factor now (TOTP, backup codes and passkeys removed)" },
        { "role", "has the new role from their next request on" },
        { "disable", "is disabled; their sessions have ended" },
        { "enable", "is enabled" },
        { "unlock", "is unlocked" },
    };
    for (size_t i = 0; i < sizeof(said) / sizeof(said[0]); i++)
        if (strcmp(said[i].verb, verb) == 0)
            printf("%s %s\n", cli->argv[1], said[i].done);
    return JUTSU_EXIT_OK;
}

int jutsu_cmd_user(struct jutsu_cli *cli)
{
    struct user_args a = { 0 };
    struct jutsu_user_row u;
    jutsu_dbs *s = NULL;
    const char *verb = cli->cmd->name + strlen("user ");
    int rc = jutsu_cli_parse(cli, user_opts, user_opt, &a);
    if (rc)
        return rc;
    int want = strcmp(verb, "list") == 0 || strcmp(verb, "invite") == 0 ? 1
             : strcmp(verb, "role") == 0 ? 3 : 2;
    if (cli->argc != want)
        return jutsu_cli_usage(cli, want == 1 ? "no argument expected" : want == 3
                               ? "say NAME ROLE" : "say NAME");
    if ((rc = jutsu_cli_start_storage(cli, 1u << JUTSU_KIND_AUTH, &s)) != 0)
        return rc;
    if (strcmp(verb, "add") == 0)
        rc = add(cli, &a);
    else if (strcmp(verb, "list") == 0)
        rc = list(cli, s);
    else if (strcmp(verb, "invite") == 0)
        rc = invite(cli, &a);
    else if ((rc = jutsu_data_user_get(s, 0, cli->argv[1], &u)) != 0) {
        if (rc == JUTSU_ENOENT)
            jutsu_cli_error("no user \"%s\" (`jutsu user list` shows them)", cli->argv[1]);
        else
            jutsu_cli_db_error(s);
        rc = rc == JUTSU_ENOENT ? JUTSU_EXIT_USAGE : JUTSU_EXIT_FAILURE;
    } else if (strcmp(verb, "passwd") == 0) {
        rc = passwd(cli, &u);
    } else {
        rc = change(cli, s, verb, &u);
    }
    jutsu_dbs_close(s);
    return rc;
}
