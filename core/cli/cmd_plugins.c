/*
 * core/cli/cmd_plugins.c — `jutsu plugins list` and `jutsu plugins describe`.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "cli/cli.h"

struct listing {
    struct jutsu_cli *cli;
    json_object      *json;     /* JSON mode: array */
    int               refused;
    int               found;
};

/* What `plugins list` and `plugins describe` say of a plugin, as JSON. */
static json_object *plugin_json(const struct jutsu_plugin *d, const char *path)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(d->name));
    json_object_object_add(o, "kind", json_object_new_string(jutsu_kind_name(d->kind)));
    json_object_object_add(o, "version", json_object_new_string(d->version));
    json_object_object_add(o, "abi_major", json_object_new_int(d->abi_major));
    json_object_object_add(o, "abi_minor", json_object_new_int(d->abi_minor));
    json_object_object_add(o, "file", json_object_new_string(path));
    json_object_object_add(o, "description",
                           json_object_new_string(d->description ? d->description : ""));
    return o;
}

static int list_one(const char *path, void *arg)
{
    struct listing *l = arg;
    struct jutsu_diag diag;
    struct jutsu_module *m = NULL;
    jutsu_diag_init(&diag);
    int rc = jutsu_module_open(path, &m, &diag);
    l->found++;
    if (rc != 0) {
        l->refused++;
        if (l->json) {
            json_object *o = json_object_new_object();
            json_object *why = json_object_new_array();
            for (size_t i = 0; i < jutsu_diag_count(&diag); i++)
                json_object_array_add(why, json_object_new_string(jutsu_diag_line(&diag, i)));
            json_object_object_add(o, "file", json_object_new_string(path));
            json_object_object_add(o, "refused", why);
            json_object_array_add(l->json, o);
        } else {
            printf("%-20s %-9s %-9s %-5s %s  (refused, see below)\n", "?", "?", "?", "?", path);
            jutsu_diag_print(&diag, stderr, "jutsu: ");
        }
        jutsu_diag_free(&diag);
        return rc == JUTSU_ENOMEM ? rc : 0;
    }
    const struct jutsu_plugin *d = m->desc;
    if (l->json) {
        json_object_array_add(l->json, plugin_json(d, path));
    } else {
        char abi[16];
        snprintf(abi, sizeof(abi), "%u.%u", d->abi_major, d->abi_minor);
        printf("%-20s %-9s %-9s %-5s %s\n", d->name, jutsu_kind_name(d->kind), d->version, abi,
               path);
    }
    jutsu_module_close(m);
    jutsu_diag_free(&diag);
    return 0;
}

int jutsu_cmd_plugins_list(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_no_args(cli);
    if (rc != 0)
        return rc;
    if ((rc = jutsu_cli_load_or_report(cli)) != 0)
        return rc;

    struct listing l = { .cli = cli };
    if (cli->format == JUTSU_FMT_JSON)
        l.json = json_object_new_array();
    else
        printf("%-20s %-9s %-9s %-5s %s\n", "NAME", "KIND", "VERSION", "ABI", "FILE");
    rc = jutsu_module_scan(cli->app->plugin_dirs, cli->app->nplugin_dirs, list_one, &l);
    if (l.json) {
        puts(json_object_to_json_string_ext(l.json, JSON_C_TO_STRING_PRETTY |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(l.json);
    } else if (l.found == 0) {
        fprintf(stderr, "jutsu: no plugins found in:");
        for (size_t i = 0; i < cli->app->nplugin_dirs; i++)
            fprintf(stderr, " %s", cli->app->plugin_dirs[i]);
        fputc('\n', stderr);
    }
    if (rc != 0) {
        jutsu_cli_error("listing plugins: %s", jutsu_strerror(rc));
        return JUTSU_EXIT_FAILURE;
    }
    return l.refused ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}

static int describe_host(struct jutsu_cli *cli)
{
    if (cli->format == JUTSU_FMT_JSON) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string("host"));
        json_object_object_add(o, "version", json_object_new_string(JUTSU_VERSION));
        json_object_object_add(o, "schema", jutsu_cfg_schema_json(jutsu_host_schema));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return JUTSU_EXIT_OK;
    }
    printf("host: the keys of jutsu.yaml outside plugin instances (jutsu %s)\n\n", JUTSU_VERSION);
    jutsu_cfg_schema_help(jutsu_host_schema, stdout, 2);
    return JUTSU_EXIT_OK;
}

int jutsu_cmd_plugins_describe(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_parse(cli, NULL, NULL, NULL);
    if (rc != 0)
        return rc;
    if (cli->argc != 2)
        return jutsu_cli_usage(cli, "name one plugin (see `jutsu plugins list`)");
    if ((rc = jutsu_cli_load_or_report(cli)) != 0)
        return rc;
    const char *name = cli->argv[1];
    if (strcmp(name, "host") == 0)
        return describe_host(cli);

    char *path = NULL;
    struct jutsu_app *app = cli->app;
    if (strchr(name, '/'))
        path = strdup(name);
    else if (jutsu_module_find(app->plugin_dirs, app->nplugin_dirs, name, &path) != 0) {
        jutsu_cli_error("no plugin \"%s\" on the plugin path (see `jutsu plugins list`)", name);
        return JUTSU_EXIT_FAILURE;
    }
    if (path == NULL)
        return JUTSU_EXIT_FAILURE;
    struct jutsu_diag diag;
    struct jutsu_module *m = NULL;
    jutsu_diag_init(&diag);
    rc = jutsu_module_open(path, &m, &diag);
    free(path);
    if (rc != 0) {
        jutsu_diag_print(&diag, stderr, "jutsu: error: ");
        jutsu_diag_free(&diag);
        return JUTSU_EXIT_CONFIG;
    }
    jutsu_diag_free(&diag);
    const struct jutsu_plugin *d = m->desc;
    if (cli->format == JUTSU_FMT_JSON) {
        json_object *o = plugin_json(d, m->path);
        json_object_object_add(o, "schema", d->schema ? jutsu_cfg_schema_json(d->schema)
                                                      : json_object_new_array());
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else {
        printf("%s %s: %s\n", d->name, d->version, d->description ? d->description : "");
        printf("kind: %s, ABI %u.%u, file: %s\n\n", jutsu_kind_name(d->kind), d->abi_major,
               d->abi_minor, m->path);
        if (d->schema && d->schema[0].name) {
            printf("settings (under `config:` of an instance):\n");
            jutsu_cfg_schema_help(d->schema, stdout, 2);
        } else {
            printf("no settings\n");
        }
    }
    jutsu_module_close(m);
    return JUTSU_EXIT_OK;
}
