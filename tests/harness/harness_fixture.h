/*
 * tests/harness/harness_fixture.h — one plugin, started in isolation the
 * way jutsu-plugin-test starts it, for the runner and for test programs
 * (libjutsu_harness).
 *
 *   struct harness h;
 *   struct harness_setup s;
 *   struct harness_fixture *fx;
 *   harness_init_lines(&h, stdout);
 *   harness_setup_init(&s, "build/plugins/kpi-standard.so");
 *   if (harness_fixture_start(&h, &s, &fx) == 0) {
 *       harness_conformance(&h, fx);
 *       harness_fixture_stop(&h, fx);
 *   }
 *
 * The plugin runs against the real host code (loader, config validation,
 * app, host vtable) with test doubles for what would make a run
 * unrepeatable: a fixed clock, a bus in manual mode (delivered on the
 * caller's thread when the harness dispatches), the America/New_York
 * exchange zone, no storage unless the kind's suite brings its own. Two
 * instances ("harness-a" and "harness-b") are made from the one module and
 * the one set of settings, to prove that the plugin keeps its state per
 * instance; a JUTSU_PLUGIN_SINGLETON plugin gets one.
 *
 * Every step reports through harness_check() under a fixed name, so the
 * runner's output and a test's failed names say which step failed:
 *   load        the module opened and its descriptor valid (diag printed);
 *               a plugin named without a slash is a file in the working
 *               directory ("trend.so" is "./trend.so"), never a library
 *               looked for on the library path
 *   kind        (with s->kinds only) the plugin is of one of those kinds
 *   descriptor  it has a description
 *   config      the settings read and valid against the plugin's schema
 *   tz, app     (only when they fail: the zone or the app could not be made)
 *   instances   (only when it fails) the instances could not be added
 *   init+start  every instance initialised and started
 *   per-instance state   two instances have separate states
 *   bus         what starting published was delivered, nothing dropped
 * and harness_fixture_stop() adds
 *   stop        stop() released every bus subscription the plugin took
 *   destroy     stopping and destroying logged no error
 *
 * Ownership: a fixture owns its app (and through it the module and the
 * instances) and the settings tree the instances were validated against;
 * harness_fixture_stop and harness_fixture_free release all of it. The
 * setup's strings are only read during harness_fixture_start.
 *
 * Threading: like the app, a fixture is driven from one thread; the
 * instances' host services are as thread-safe as jutsu/host.h says.
 */
#ifndef JUTSU_HARNESS_FIXTURE_H
#define JUTSU_HARNESS_FIXTURE_H

#include "harness.h"

/* The clock's default reading: 2025-01-09T21:00:00Z, a Thursday evening
 * after the close in New York. */
#define HARNESS_NOW INT64_C(1736456400000000)

struct harness_setup {
    const char  *plugin;         /* path of the plugin's .so                  */
    /* The plugin's own settings (what goes under `config:` in jutsu.yaml):
     * a YAML file, or YAML text (named "(settings)" in messages) when
     * there is no file; neither means none. */
    const char  *settings_file;
    const char  *settings;
    jutsu_time_t now;            /* what the app's clock reads                */
    uint32_t     kinds;          /* bits 1u << JUTSU_KIND_x the plugin must be
                                    one of ("kind"); 0: any                   */
    int          no_suite;       /* harness_conformance runs no suite         */
};

struct harness_fixture {
    struct jutsu_app *app;       /* the app the instances run in              */
    struct jutsu_ctx *inst;      /* the first instance: suites run on it      */

    /* the harness's own; not for callers */
    jutsu_cfg        *settings;  /* the tree the instances' config lives in   */
    jutsu_time_t      now;       /* the clock's reading (clock_arg points here) */
    jutsu_sub_id      sub;       /* the harness's subscription to every topic */
    int               subscribed;
    int               no_suite;  /* the setup's                               */
    unsigned long     events;    /* events delivered to the harness           */
    unsigned long     errors_before;  /* error lines logged before start      */
};

/* No settings, the clock at HARNESS_NOW. */
void harness_setup_init(struct harness_setup *s, const char *plugin);

/*
 * Loads s->plugin, validates its settings, makes the app and its
 * instances, starts them and delivers what starting published, reporting
 * each step into h (above). Returns 0 with *out set when the instances
 * started (a check such as "descriptor" or "per-instance state" may still
 * have failed: see h->failed); otherwise the failing step's JUTSU_E* code,
 * *out NULL and nothing left allocated.
 */
int harness_fixture_start(struct harness *h, const struct harness_setup *s,
                          struct harness_fixture **out);

/* Runs the conformance suite of the plugin's kind on fx->inst, with h->app
 * set to fx->app; reports a skip ("conformance") when the kind has none
 * yet, or when the setup asked for none. A section "conformance: KIND"
 * comes first (harness_section). */
void harness_conformance(struct harness *h, struct harness_fixture *fx);

/* Stops every instance and checks that each let go of its subscriptions
 * ("stop"), stops and destroys the app and checks that nothing logged an
 * error since the start ("destroy"), then frees the fixture. */
void harness_fixture_stop(struct harness *h, struct harness_fixture *fx);

/* Stops and frees without checking anything (a test that asserts only on
 * its suite). NULL is a no-op. */
void harness_fixture_free(struct harness_fixture *fx);

#endif
