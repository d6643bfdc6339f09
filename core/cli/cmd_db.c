/*
 * core/cli/cmd_db.c — `jutsu db ...`: schema revisions, backup, restore and
 * retention, on whichever backend the config names.
 *
 * Each command starts the storage driver alone (no sources, no
 * strategies), opens one session and closes everything on the way out.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "store/data_api.h"
#include "base/log.h"
#include "store/store.h"

/* Every table the data layer owns, for counts around backup/restore. */
static const char *const counted_tables[] = {
    "market_data", "data_metadata", "data_audit_log", "live_trades", "positions",
    "performance_snapshots", "daily_performance", "config_overrides", "config_history",
    "system_state", "users", "passkeys", "blacklisted_tokens", "user_invitations",
    "eod_job_status", "jutsu_schema_migrations", NULL
};

/* Parses [--format F] [--help] and at most `max_pos` positionals by hand:
 * `db downgrade -1` must not read "-1" as an option. */
static int parse_args(struct jutsu_cli *cli, int max_pos, const char **pos)
{
    int npos = 0;
    char first[16];
    snprintf(first, sizeof(first), "%.*s", (int)strcspn(cli->cmd->formats, ","),
             cli->cmd->formats);
    cli->format = strcmp(first, "json") == 0 ? JUTSU_FMT_JSON : JUTSU_FMT_TEXT;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        const char *fmt = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            jutsu_cli_print_help(stdout, cli->cmd);
            return -1;
        }
        if (strcmp(a, "--format") == 0) {
            if (++i >= cli->argc)
                return jutsu_cli_usage(cli, "option --format needs a value");
            fmt = cli->argv[i];
        } else if (strncmp(a, "--format=", 9) == 0) {
            fmt = a + 9;
        }
        if (fmt) {
            if (strcmp(fmt, "json") == 0 && strstr(cli->cmd->formats, "json"))
                cli->format = JUTSU_FMT_JSON;
            else if (strcmp(fmt, "text") == 0 || strcmp(fmt, "table") == 0)
                cli->format = JUTSU_FMT_TEXT;
            else
                return jutsu_cli_usage(cli, "--format %s is not supported here (use one of: %s)",
                                       fmt, cli->cmd->formats);
            continue;
        }
        if (a[0] == '-' && a[1] == '-')
            return jutsu_cli_usage(cli, "unknown option %s", a);
        if (npos >= max_pos)
            return jutsu_cli_usage(cli, "unexpected argument \"%s\"", a);
        pos[npos++] = a;
    }
    return 0;
}

/* Loads the config, starts the storage driver, opens a session. */
static int open_db(struct jutsu_cli *cli, jutsu_dbs **s)
{
    int rc = jutsu_cli_load_or_report(cli);
    if (rc != 0)
        return rc;
    if (jutsu_app_find(cli->app, JUTSU_STORAGE_INSTANCE) == NULL) {
        jutsu_cli_error("%s configures no database (set database.type, or DATABASE_URL)",
                        cli->config_path);
        return JUTSU_EXIT_CONFIG;
    }
    if ((rc = jutsu_app_start_kinds(cli->app, 1u << JUTSU_KIND_STORAGE)) != 0)
        return JUTSU_EXIT_FAILURE;   /* the log says why */
    if ((rc = jutsu_app_dbs_open(cli->app, s)) != 0) {
        struct jutsu_store store;
        jutsu_cli_error("cannot connect to %s: %s",
                        jutsu_app_store(cli->app, &store) == 0
                            ? store.ops->describe(store.state) : "the database",
                        jutsu_strerror(rc));
        return JUTSU_EXIT_FAILURE;
    }
    return 0;
}

static int db_failed(jutsu_dbs *s, int rc)
{
    if (jutsu_dbs_error(s)[0])
        jutsu_cli_db_error(s);
    else
        jutsu_cli_error("%s", jutsu_strerror(rc));
    jutsu_dbs_close(s);
    return rc == JUTSU_EINVAL ? JUTSU_EXIT_USAGE : JUTSU_EXIT_FAILURE;
}

static const char *backup_dir(struct jutsu_cli *cli)
{
    const struct jutsu_settings_database *db = &jutsu_app_settings(cli->app)->database;
    return db->backup_before_upgrade ? db->backup_dir : NULL;
}

static int print_current(struct jutsu_cli *cli, jutsu_dbs *s)
{
    struct jutsu_migrate_state st;
    int rc = jutsu_migrate_state(s, &st);
    if (rc)
        return db_failed(s, rc);
    const char *cur = st.n_applied ? s->ops->migrations[st.n_applied - 1].rev : "base";
    const char *where = jutsu_dbs_describe(s);
    int head = st.n_applied == st.n_known;
    if (cli->format == JUTSU_FMT_JSON)
        printf("{\"database\":\"%s\",\"current\":\"%s\",\"head\":%s,\"applied\":%zu,"
               "\"known\":%zu}\n", where, cur, head ? "true" : "false", st.n_applied, st.n_known);
    else
        printf("%s: %s%s\n", where, cur, head ? " (head)" : "");
    jutsu_dbs_close(s);
    return JUTSU_EXIT_OK;
}

int jutsu_cmd_db_current(struct jutsu_cli *cli)
{
    const char *pos[1];
    jutsu_dbs *s;
    int rc = parse_args(cli, 0, pos);
    if (rc || (rc = open_db(cli, &s)))
        return rc;
    return print_current(cli, s);
}

/* The schema whole before a migration touches it: an index an interrupted
 * import set aside (store/index_defer.c) is built first. */
static int restore_owed(jutsu_dbs *s)
{
    int settled = 0, rc = jutsu_index_restore(s, &settled);
    if (rc == 0 && settled > 0)
        jutsu_log("jutsu", JUTSU_LOG_INFO, "built %d index%s an interrupted import had set "
                  "aside", settled, settled == 1 ? "" : "es");
    return rc;
}

int jutsu_cmd_db_upgrade(struct jutsu_cli *cli)
{
    const char *pos[1] = { "head" };
    jutsu_dbs *s;
    int rc = parse_args(cli, 1, pos);
    if (rc || (rc = open_db(cli, &s)))
        return rc;
    if ((rc = restore_owed(s)) != 0 ||
        (rc = jutsu_migrate_upgrade(s, pos[0], backup_dir(cli))) != 0)
        return db_failed(s, rc);
    return print_current(cli, s);
}

int jutsu_cmd_db_downgrade(struct jutsu_cli *cli)
{
    const char *pos[1] = { NULL };
    jutsu_dbs *s;
    int rc = parse_args(cli, 1, pos);
    if (rc)
        return rc;
    if (pos[0] == NULL)
        return jutsu_cli_usage(cli, "name the target: a revision, -N, or base");
    if ((rc = open_db(cli, &s)))
        return rc;
    if ((rc = restore_owed(s)) != 0 || (rc = jutsu_migrate_downgrade(s, pos[0])) != 0)
        return db_failed(s, rc);
    return print_current(cli, s);
}

int jutsu_cmd_db_history(struct jutsu_cli *cli)
{
    const char *pos[1];
    jutsu_dbs *s;
    int rc = parse_args(cli, 0, pos);
    if (rc || (rc = open_db(cli, &s)))
        return rc;
    struct jutsu_migrate_state st;
    if ((rc = jutsu_migrate_state(s, &st)) != 0)
        return db_failed(s, rc);
    json_object *arr = cli->format == JUTSU_FMT_JSON ? json_object_new_array() : NULL;
    for (size_t i = 0; i < st.n_known; i++) {
        const struct jutsu_migration *m = &s->ops->migrations[i];
        int applied = i < st.n_applied;
        if (arr) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "rev", json_object_new_string(m->rev));
            json_object_object_add(o, "description", json_object_new_string(m->description));
            json_object_object_add(o, "applied", json_object_new_boolean(applied));
            json_object_array_add(arr, o);
        } else {
            printf("%c %-28s %s%s\n", applied ? '*' : ' ', m->rev, m->description,
                   i + 1 == st.n_applied ? "  <- current" : "");
        }
    }
    if (arr) {
        puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
        json_object_put(arr);
    } else {
        printf("(* applied; %s)\n", jutsu_dbs_describe(s));
    }
    jutsu_dbs_close(s);
    return JUTSU_EXIT_OK;
}

/* Row counts of every table that exists; -1 for a missing table. */
static int count_rows(jutsu_dbs *s, int64_t *counts)
{
    for (size_t i = 0; counted_tables[i]; i++) {
        char sql[128];
        struct jutsu_q q;
        snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", counted_tables[i]);
        counts[i] = -1;
        if (jutsu_q_prepare(&q, s, sql, "count") != 0)
            continue;
        if (jutsu_q_step(&q) == JUTSU_DB_ROW)
            counts[i] = jutsu_q_col_int(&q, -1);
        jutsu_q_done(&q);
    }
    return 0;
}

#define NTABLES (sizeof(counted_tables) / sizeof(counted_tables[0]) - 1)

static int write_manifest(const char *path, jutsu_dbs *s, const int64_t *counts)
{
    char *mpath = NULL;
    if (asprintf(&mpath, "%s.manifest.json", path) < 0)
        return JUTSU_ENOMEM;
    json_object *o = json_object_new_object(), *c = json_object_new_object();
    json_object_object_add(o, "jutsu", json_object_new_string(JUTSU_VERSION));
    json_object_object_add(o, "dialect", json_object_new_string(s->ops->dialect));
    json_object_object_add(o, "database", json_object_new_string(jutsu_dbs_describe(s)));
    for (size_t i = 0; i < NTABLES; i++)
        if (counts[i] >= 0)
            json_object_object_add(c, counted_tables[i], json_object_new_int64(counts[i]));
    json_object_object_add(o, "counts", c);
    int rc = json_object_to_file_ext(mpath, o, JSON_C_TO_STRING_PRETTY) == 0 ? 0 : JUTSU_EIO;
    json_object_put(o);
    free(mpath);
    return rc;
}

/* The one argument of backup and restore: the backup file. */
static int backup_file_arg(struct jutsu_cli *cli, const char **pos)
{
    int rc = parse_args(cli, 1, pos);
    if (rc == 0 && pos[0] == NULL)
        rc = jutsu_cli_usage(cli, "name the backup file");
    return rc;
}

int jutsu_cmd_db_backup(struct jutsu_cli *cli)
{
    const char *pos[1] = { NULL };
    jutsu_dbs *s;
    int rc = backup_file_arg(cli, pos);
    if (rc || (rc = open_db(cli, &s)))
        return rc;
    if (!JUTSU_OPS_HAS(s->ops, jutsu_storage_ops, backup)) {
        jutsu_cli_error("the %s driver cannot make backups", s->ops->dialect);
        jutsu_dbs_close(s);
        return JUTSU_EXIT_FAILURE;
    }
    int64_t counts[NTABLES];
    count_rows(s, counts);
    if ((rc = s->ops->backup(s->db, pos[0])) != 0)
        return db_failed(s, jutsu_dbs_fail_driver(s, rc, "backup"));
    if ((rc = write_manifest(pos[0], s, counts)) != 0) {
        jutsu_cli_error("backup written to %s, but its manifest could not be: %s", pos[0],
                        jutsu_strerror(rc));
        jutsu_dbs_close(s);
        return JUTSU_EXIT_FAILURE;
    }
    int64_t total = 0;
    for (size_t i = 0; i < NTABLES; i++)
        total += counts[i] > 0 ? counts[i] : 0;
    printf("backed up %s to %s (%lld rows; manifest %s.manifest.json)\n",
           jutsu_dbs_describe(s), pos[0], (long long)total, pos[0]);
    jutsu_dbs_close(s);
    return JUTSU_EXIT_OK;
}

int jutsu_cmd_db_restore(struct jutsu_cli *cli)
{
    const char *pos[1] = { NULL };
    jutsu_dbs *s;
    int rc = backup_file_arg(cli, pos);
    if (rc)
        return rc;
    char *mpath = NULL;
    if (asprintf(&mpath, "%s.manifest.json", pos[0]) < 0)
        return JUTSU_EXIT_FAILURE;
    json_object *manifest = json_object_from_file(mpath);
    if (manifest == NULL) {
        jutsu_cli_error("%s: cannot read the backup's manifest (%s); restore needs it to verify "
                        "the row counts", mpath, json_util_get_last_err());
        free(mpath);
        return JUTSU_EXIT_FAILURE;
    }
    free(mpath);
    if ((rc = open_db(cli, &s))) {
        json_object_put(manifest);
        return rc;
    }
    if (!JUTSU_OPS_HAS(s->ops, jutsu_storage_ops, restore) ||
        (rc = s->ops->restore(s->db, pos[0])) != 0) {
        json_object_put(manifest);
        return db_failed(s, rc ? jutsu_dbs_fail_driver(s, rc, "restore")
                               : jutsu_dbs_fail(s, JUTSU_ENOTSUP, "the %s driver cannot restore",
                                                s->ops->dialect));
    }
    int64_t counts[NTABLES];
    count_rows(s, counts);
    json_object *want = NULL;
    json_object_object_get_ex(manifest, "counts", &want);
    int bad = 0;
    for (size_t i = 0; i < NTABLES; i++) {
        json_object *w = NULL;
        if (!json_object_object_get_ex(want, counted_tables[i], &w))
            continue;
        int64_t expect = json_object_get_int64(w);
        if (expect != counts[i]) {
            jutsu_cli_error("after restore %s has %lld rows, the backup had %lld",
                            counted_tables[i], (long long)counts[i], (long long)expect);
            bad++;
        }
    }
    json_object_put(manifest);
    if (bad) {
        jutsu_dbs_close(s);
        return JUTSU_EXIT_FAILURE;
    }
    printf("restored %s from %s; row counts of %zu tables verified\n",
           jutsu_dbs_describe(s), pos[0], NTABLES);
    jutsu_dbs_close(s);
    return JUTSU_EXIT_OK;
}

int jutsu_cmd_db_prune(struct jutsu_cli *cli)
{
    const char *pos[1];
    jutsu_dbs *s;
    int rc = parse_args(cli, 0, pos);
    if (rc || (rc = open_db(cli, &s)))
        return rc;
    int64_t snaps = 0, tokens = 0;
    if ((rc = jutsu_data_prune(s, jutsu_app_now(cli->app), &snaps, &tokens)) != 0)
        return db_failed(s, rc);
    if (cli->format == JUTSU_FMT_JSON)
        printf("{\"snapshots_deleted\":%lld,\"tokens_deleted\":%lld}\n", (long long)snaps,
               (long long)tokens);
    else
        printf("pruned %lld performance snapshot(s) older than a year and %lld blacklisted "
               "token(s) expired over 30 days ago\n", (long long)snaps, (long long)tokens);
    jutsu_dbs_close(s);
    return JUTSU_EXIT_OK;
}
