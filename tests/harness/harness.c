/*
 * tests/harness/harness.c — jutsu-plugin-test: load one plugin in
 * isolation and check it.
 *
 *   jutsu-plugin-test [-c CONFIG.yaml] [--now ISO-TIME] PLUGIN.so
 *
 * The plugin runs against the real host code with test doubles for the
 * services that would make a run unrepeatable: a fixed clock, a bus
 * delivered synchronously on the harness's thread, no storage unless the
 * kind's suite provides one. Two instances are made from the same file to
 * prove the plugin keeps its state per instance. CONFIG.yaml holds the
 * plugin's own settings (what goes under `config:` in jutsu.yaml).
 *
 * Exit 0 when every check passed, 1 when one failed, 2 on usage errors.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "harness.h"
#include "base/log.h"

static jutsu_time_t fixed_now = INT64_C(1736456400000000);  /* 2025-01-09T21:00:00Z */

static jutsu_time_t fixed_clock(void *arg)
{
    (void)arg;
    return fixed_now;
}

void harness_check(struct harness *h, int ok, const char *name, const char *fmt, ...)
{
    va_list ap;
    printf("%-4s %-22s ", ok ? "ok" : "FAIL", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (ok)
        h->passed++;
    else
        h->failed++;
}

void harness_skip(struct harness *h, const char *name, const char *why)
{
    printf("%-4s %-22s %s\n", "skip", name, why);
    h->skipped++;
}

static void on_any(const jutsu_event *ev, void *arg)
{
    (*(int *)arg)++;
}

static int make_config(jutsu_cfg *cfg, const struct jutsu_plugin *d, const char *file,
                       jutsu_cfg_node **out, struct jutsu_diag *diag)
{
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    if (d->schema == NULL) {
        *out = root;
        return root->n ? JUTSU_ECONFIG : 0;
    }
    char what[160];
    snprintf(what, sizeof(what), "plugin %s (%s)", d->name, file ? file : "no -c file");
    int rc = jutsu_cfg_validate(cfg, root, d->schema, what, diag);
    *out = root;
    return rc;
}

static void lifecycle(struct harness *h, struct jutsu_module *m, jutsu_cfg_node *config)
{
    struct jutsu_app *app = h->app;
    const struct jutsu_plugin *d = m->desc;
    int rc = jutsu_app_add_instance(app, "harness-a", m, config, config, 1);
    if (rc == 0 && !(d->flags & JUTSU_PLUGIN_SINGLETON))
        rc = jutsu_app_add_instance(app, "harness-b", m, config, config, 1);
    if (rc != 0) {
        harness_check(h, 0, "instances", "cannot create instances: %s", jutsu_strerror(rc));
        return;
    }
    unsigned long errors_before = jutsu_log_count(JUTSU_LOG_ERROR);
    int events = 0;
    rc = jutsu_app_start(app);
    if (rc != 0) {
        const char *why = jutsu_strerror(rc);
        for (size_t i = 0; i < app->ninst; i++)
            if (app->inst[i]->failed && app->inst[i]->error[0])
                why = app->inst[i]->error;
        harness_check(h, 0, "init+start", "failed: %s", why);
        return;
    }
    harness_check(h, 1, "init+start", "%zu instance(s) initialised and started", app->ninst);
    if (app->ninst == 2)
        harness_check(h, app->inst[0]->state != app->inst[1]->state, "per-instance state",
                      "two instances of one file have %s state",
                      app->inst[0]->state != app->inst[1]->state ? "separate" : "the same");

    jutsu_sub_id sub;
    jutsu_bus_subscribe(app->bus, "harness", ">", on_any, &events, &sub);
    jutsu_bus_dispatch(app->bus, 0);
    struct jutsu_bus_stats st;
    jutsu_bus_stats(app->bus, &st);
    harness_check(h, st.dropped == 0, "bus", "%llu event(s) published, %llu dropped",
                  (unsigned long long)st.published, (unsigned long long)st.dropped);

    for (const struct harness_suite *s = harness_suites; s->name; s++)
        if (s->kind == d->kind) {
            printf("---- conformance: %s\n", s->name);
            s->run(h, app->inst[0]);
            break;
        }
    int has_suite = 0;
    for (const struct harness_suite *s = harness_suites; s->name; s++)
        has_suite |= s->kind == d->kind;
    if (!has_suite)
        harness_skip(h, "conformance", "no conformance suite for this kind yet");

    size_t left = 0;
    for (size_t i = 0; i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i];
        if (c->started && d->stop)
            d->stop(c->state);
        c->started = 0;
        left += c->nsubs;
    }
    jutsu_bus_unsubscribe(app->bus, sub);
    harness_check(h, left == 0, "stop", "stop() %s", left == 0 ? "released every subscription"
                  : "left subscriptions behind (the host drops them, but the plugin should)");
    jutsu_app_stop(app);
    unsigned long errors = jutsu_log_count(JUTSU_LOG_ERROR) - errors_before;
    harness_check(h, errors == 0, "destroy", "stopped and destroyed in reverse order; "
                  "%lu error line(s) logged", errors);
}

static int usage(void)
{
    fprintf(stderr, "usage: jutsu-plugin-test [-c CONFIG.yaml] [--now ISO-TIME] PLUGIN.so\n");
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "now",    required_argument, NULL, 'n' },
        { "help",   no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *config_file = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config_file = optarg; break;
        case 'n':
            if (jutsu_time_parse(optarg, -1, &fixed_now) != 0) {
                fprintf(stderr, "jutsu-plugin-test: --now %s is not an ISO 8601 time\n", optarg);
                return 2;
            }
            break;
        default: return usage();
        }
    }
    if (optind != argc - 1)
        return usage();
    const char *path = argv[optind];
    jutsu_log_configure(JUTSU_LOG_WARN, JUTSU_LOG_TEXT);

    struct harness h = { 0 };
    struct jutsu_diag diag;
    struct jutsu_module *m = NULL;
    jutsu_cfg *cfg = NULL;
    jutsu_diag_init(&diag);
    printf("jutsu-plugin-test: %s\n", path);

    int rc = jutsu_module_open(path, &m, &diag);
    harness_check(&h, rc == 0, "load", rc == 0 ? "dlopen, %s(), descriptor and schema valid"
                  : "refused:", JUTSU_PLUGIN_ENTRY);
    if (rc != 0) {
        jutsu_diag_print(&diag, stdout, "       ");
        goto done;
    }
    const struct jutsu_plugin *d = m->desc;
    harness_check(&h, d->description && *d->description, "descriptor",
                  "%s %s, %s plugin, ABI %u.%u%s", d->name, d->version, jutsu_kind_name(d->kind),
                  d->abi_major, d->abi_minor,
                  d->description && *d->description ? "" : ", but no description");

    rc = config_file ? jutsu_cfg_load_file(config_file, &cfg, &diag) : jutsu_cfg_new(&cfg);
    if (rc == 0) {
        jutsu_cfg_node *config;
        rc = make_config(cfg, d, config_file, &config, &diag);
        harness_check(&h, rc == 0, "config", rc == 0 ? "settings valid against the schema"
                      : "settings refused (pass them with -c FILE):");
        jutsu_diag_print(&diag, stdout, "       ");
        if (rc == 0 && (rc = jutsu_app_new(&h.app)) == 0) {
            h.app->clock = fixed_clock;
            h.app->bus_opts.threaded = 0;
            if ((rc = jutsu_tz_load("America/New_York", &h.app->tz)) != 0)
                harness_check(&h, 0, "tz", "cannot load America/New_York: %s",
                              jutsu_strerror(rc));
            else if ((rc = jutsu_app_adopt_module(h.app, m)) == 0) {
                m = NULL;
                lifecycle(&h, h.app->modules[0], config);
            }
        }
    } else {
        harness_check(&h, 0, "config", "cannot read %s:", config_file);
        jutsu_diag_print(&diag, stdout, "       ");
    }
done:
    printf("%d passed, %d failed, %d skipped\n", h.passed, h.failed, h.skipped);
    jutsu_app_free(h.app);
    jutsu_module_close(m);
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&diag);
    return h.failed ? 1 : 0;
}
