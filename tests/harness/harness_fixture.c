/*
 * tests/harness/harness_fixture.c — one plugin started in isolation, its
 * conformance suite, and its stop (see harness_fixture.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "harness_fixture.h"
#include "base/log.h"

/* What text settings are called in messages ("(settings):1:7: ..."). */
#define SETTINGS_NAME "(settings)"

void harness_setup_init(struct harness_setup *s, const char *plugin)
{
    memset(s, 0, sizeof(*s));
    s->plugin = plugin;
    s->now = HARNESS_NOW;
}

static jutsu_time_t fixed_clock(void *arg)
{
    return *(const jutsu_time_t *)arg;
}

static void on_any(const jutsu_event *ev, void *arg)
{
    ((struct harness_fixture *)arg)->events++;
}

/* The path dlopen is given. A name without a slash is a file in the
 * working directory, as the person typing `jutsu-plugin-test trend.so`
 * means: dlopen would search the library path for it instead, fail, and
 * blame a missing library. 0, or -1 when the path does not fit. */
static int plugin_path(const char *plugin, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s%s", strchr(plugin, '/') ? "" : "./", plugin);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Opens the module and reports "load": a missing file is said as such
 * (dlopen's own words for it read like a missing dependency). */
static int load_module(struct harness *h, const char *plugin, struct jutsu_module **m,
                       struct jutsu_diag *diag)
{
    char path[PATH_MAX];
    int rc = JUTSU_EINVAL;
    if (plugin_path(plugin, path, sizeof(path)) != 0)
        jutsu_diag_add(diag, "%s: the path is too long", plugin);
    else if (access(path, R_OK) != 0) {
        jutsu_diag_add(diag, "%s: %s", path, strerror(errno));
        rc = JUTSU_ENOENT;
    } else
        rc = jutsu_module_open(path, m, diag);
    harness_check(h, rc == 0, "load", rc == 0 ? "dlopen, %s(), descriptor and schema valid"
                  : "refused:", JUTSU_PLUGIN_ENTRY);
    if (rc != 0)
        harness_diag(h, diag);
    return rc;
}

/* A kind's name; the loader has refused an unknown kind before. */
static const char *kind_name(uint32_t kind)
{
    const char *name = jutsu_kind_name(kind);
    return name ? name : "unknown";
}

/* --kind-suite: the plugin must be of one of the kinds named. */
static int check_kind(struct harness *h, const struct harness_setup *s,
                      const struct jutsu_plugin *d)
{
    if (s->kinds == 0)
        return 0;
    int ok = d->kind < 32 && (s->kinds & (1u << d->kind)) != 0;
    char want[160] = "";
    for (uint32_t k = 0; k < 32; k++)
        if (s->kinds & (1u << k)) {
            size_t len = strlen(want);
            snprintf(want + len, sizeof(want) - len, "%s%s", len ? " or " : "", kind_name(k));
        }
    harness_check(h, ok, "kind", "a %s plugin%s%s", kind_name(d->kind),
                  ok ? "" : ", not ", ok ? "" : want);
    return ok ? 0 : JUTSU_EINVAL;
}

/* Reads the settings into a tree: the file, the text or nothing. */
static int settings_load(const struct harness_setup *s, jutsu_cfg **out,
                         struct jutsu_diag *diag)
{
    if (s->settings_file)
        return jutsu_cfg_load_file(s->settings_file, out, diag);
    if (s->settings)
        return jutsu_cfg_load_string(SETTINGS_NAME, s->settings, strlen(s->settings), out,
                                     diag);
    return jutsu_cfg_new(out);
}

/* Validates the settings' root map against the plugin's schema, as the
 * host validates an instance's `config:`. A plugin without a schema takes
 * no settings at all. */
static int settings_validate(jutsu_cfg *cfg, const struct jutsu_plugin *d,
                             const struct harness_setup *s, jutsu_cfg_node **out,
                             struct jutsu_diag *diag)
{
    jutsu_cfg_node *root = jutsu_cfg_root(cfg);
    *out = root;
    if (d->schema == NULL)
        return root->n ? JUTSU_ECONFIG : 0;
    char what[160];
    snprintf(what, sizeof(what), "plugin %s (%s)", d->name,
             s->settings_file ? s->settings_file : s->settings ? SETTINGS_NAME : "no -c file");
    return jutsu_cfg_validate(cfg, root, d->schema, what, diag);
}

/* Adds the instances; 0 or the code of the add that failed (reported). */
static int add_instances(struct harness *h, struct jutsu_app *app, struct jutsu_module *m,
                         jutsu_cfg_node *config)
{
    int rc = jutsu_app_add_instance(app, "harness-a", m, config, config, 1);
    if (rc == 0 && !(m->desc->flags & JUTSU_PLUGIN_SINGLETON))
        rc = jutsu_app_add_instance(app, "harness-b", m, config, config, 1);
    if (rc != 0)
        harness_check(h, 0, "instances", "cannot create instances: %s", jutsu_strerror(rc));
    return rc;
}

/* Starts the app's instances and reports it; 0 or start's code. */
static int start_instances(struct harness *h, struct jutsu_app *app)
{
    int rc = jutsu_app_start(app);
    if (rc != 0) {
        /* the instance's own words say more than the code */
        const char *why = jutsu_strerror(rc);
        for (size_t i = 0; i < app->ninst; i++)
            if (app->inst[i]->failed && app->inst[i]->error[0])
                why = app->inst[i]->error;
        harness_check(h, 0, "init+start", "failed: %s", why);
        return rc;
    }
    harness_check(h, 1, "init+start", "%zu instance(s) initialised and started", app->ninst);
    if (app->ninst == 2)
        harness_check(h, app->inst[0]->state != app->inst[1]->state, "per-instance state",
                      "two instances of one file have %s state",
                      app->inst[0]->state != app->inst[1]->state ? "separate" : "the same");
    return 0;
}

/* Delivers what starting published to a subscriber of every topic and
 * checks that the bus dropped nothing. */
static void deliver_start_events(struct harness *h, struct harness_fixture *fx)
{
    int rc = jutsu_bus_subscribe(fx->app->bus, "harness", ">", on_any, fx, &fx->sub);
    if (rc != 0) {
        harness_check(h, 0, "bus", "cannot subscribe to every topic: %s", jutsu_strerror(rc));
        return;
    }
    fx->subscribed = 1;
    (void)jutsu_bus_dispatch(fx->app->bus, 0);   /* (the stats below count it) */
    struct jutsu_bus_stats st;
    jutsu_bus_stats(fx->app->bus, &st);
    harness_check(h, st.dropped == 0, "bus", "%llu event(s) published, %llu dropped",
                  (unsigned long long)st.published, (unsigned long long)st.dropped);
}

/* The id is ours and live, the only things unsubscribe refuses. */
static void drop_subscription(struct harness_fixture *fx)
{
    if (fx->subscribed)
        (void)jutsu_bus_unsubscribe(fx->app->bus, fx->sub);
    fx->subscribed = 0;
}

int harness_fixture_start(struct harness *h, const struct harness_setup *s,
                          struct harness_fixture **out)
{
    struct jutsu_diag diag;
    struct jutsu_module *m = NULL;
    struct harness_fixture *fx = NULL;
    jutsu_cfg *cfg = NULL;
    jutsu_cfg_node *config;
    *out = NULL;
    jutsu_diag_init(&diag);

    int rc = load_module(h, s->plugin, &m, &diag);
    if (rc != 0)
        goto fail;
    const struct jutsu_plugin *d = m->desc;
    if ((rc = check_kind(h, s, d)) != 0)
        goto fail;
    harness_check(h, d->description && *d->description, "descriptor",
                  "%s %s, %s plugin, ABI %u.%u%s", d->name, d->version, jutsu_kind_name(d->kind),
                  d->abi_major, d->abi_minor,
                  d->description && *d->description ? "" : ", but no description");

    if ((rc = settings_load(s, &cfg, &diag)) != 0) {
        harness_check(h, 0, "config", "cannot read %s:",
                      s->settings_file ? s->settings_file : SETTINGS_NAME);
        harness_diag(h, &diag);
        goto fail;
    }
    rc = settings_validate(cfg, d, s, &config, &diag);
    harness_check(h, rc == 0, "config", rc == 0 ? "settings valid against the schema"
                  : "settings refused (pass them with -c FILE):");
    harness_diag(h, &diag);
    if (rc != 0)
        goto fail;

    if ((fx = calloc(1, sizeof(*fx))) == NULL) {
        rc = JUTSU_ENOMEM;
        harness_check(h, 0, "app", "cannot make the app: %s", jutsu_strerror(rc));
        goto fail;
    }
    fx->settings = cfg;
    cfg = NULL;
    fx->now = s->now;
    fx->no_suite = s->no_suite;
    if ((rc = jutsu_app_new(&fx->app)) != 0) {
        harness_check(h, 0, "app", "cannot make the app: %s", jutsu_strerror(rc));
        goto fail;
    }
    fx->app->clock = fixed_clock;
    fx->app->clock_arg = &fx->now;
    fx->app->bus_opts.threaded = 0;
    if ((rc = jutsu_tz_load("America/New_York", &fx->app->tz)) != 0) {
        harness_check(h, 0, "tz", "cannot load America/New_York: %s", jutsu_strerror(rc));
        goto fail;
    }
    if ((rc = jutsu_app_adopt_module(fx->app, m)) != 0) {
        harness_check(h, 0, "app", "cannot hand the module to the app: %s",
                      jutsu_strerror(rc));
        goto fail;
    }
    m = NULL;
    if ((rc = add_instances(h, fx->app, fx->app->modules[0], config)) != 0)
        goto fail;
    fx->errors_before = jutsu_log_count(JUTSU_LOG_ERROR);
    if ((rc = start_instances(h, fx->app)) != 0)
        goto fail;
    fx->inst = fx->app->inst[0];
    deliver_start_events(h, fx);
    jutsu_diag_free(&diag);
    *out = fx;
    return 0;

fail:
    harness_fixture_free(fx);
    jutsu_module_close(m);
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&diag);
    return rc;
}

void harness_conformance(struct harness *h, struct harness_fixture *fx)
{
    const struct harness_suite *s = harness_suite_find(fx->inst->module->desc->kind);
    if (fx->no_suite) {
        harness_skip(h, "conformance", "--kind-suite none");
        return;
    }
    if (s == NULL) {
        harness_skip(h, "conformance", "no conformance suite for this kind yet");
        return;
    }
    char title[64];
    snprintf(title, sizeof(title), "conformance: %s", s->name);
    harness_section(h, title);
    h->app = fx->app;
    s->run(h, fx->inst);
}

void harness_fixture_stop(struct harness *h, struct harness_fixture *fx)
{
    struct jutsu_app *app = fx->app;
    size_t left = 0;
    /* stop() here rather than in jutsu_app_stop, which drops whatever an
     * instance still holds: what is left now is what the plugin forgot */
    for (size_t i = 0; i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i];
        if (c->started && c->module->desc->stop)
            c->module->desc->stop(c->state);
        c->started = 0;
        left += c->nsubs;
    }
    drop_subscription(fx);
    harness_check(h, left == 0, "stop", "stop() %s", left == 0 ? "released every subscription"
                  : "left subscriptions behind (the host drops them, but the plugin should)");
    jutsu_app_stop(app);
    unsigned long errors = jutsu_log_count(JUTSU_LOG_ERROR) - fx->errors_before;
    harness_check(h, errors == 0, "destroy", "stopped and destroyed in reverse order; "
                  "%lu error line(s) logged", errors);
    harness_fixture_free(fx);
}

void harness_fixture_free(struct harness_fixture *fx)
{
    if (fx == NULL)
        return;
    drop_subscription(fx);
    /* the app first: the instances' config lives in fx->settings */
    jutsu_app_free(fx->app);
    jutsu_cfg_free(fx->settings);
    free(fx);
}
