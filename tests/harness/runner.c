/*
 * tests/harness/runner.c — jutsu-plugin-test: load one plugin in isolation
 * and check it (man jutsu-plugin-test).
 *
 *   jutsu-plugin-test [--config FILE] [--kind-suite KIND]... [--format text|json|tap]
 *                     [--now ISO-TIME] PLUGIN.so
 *
 * FILE holds the plugin's own settings (what goes under `config:` in
 * jutsu.yaml); --kind-suite names the kind the plugin must be (several:
 * one of them; "none": no conformance suite); --now sets the fixed clock
 * (default HARNESS_NOW). A PLUGIN.so without a slash is a file in the
 * working directory. How the plugin is started and what is checked is
 * libjutsu_harness's (harness_fixture.h); this file reads the command line.
 *
 * Exit 0 when every check passed, 1 when one failed, 2 on usage errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "harness_fixture.h"
#include "base/log.h"

#define USAGE "usage: jutsu-plugin-test [--config FILE] [--kind-suite KIND]... " \
              "[--format text|json|tap] [--now ISO-TIME] PLUGIN.so\n"

static int usage(const char *why, const char *arg)
{
    if (why)
        fprintf(stderr, "jutsu-plugin-test: %s%s\n", why, arg ? arg : "");
    fputs(USAGE, stderr);
    return 2;
}

/* One --kind-suite: a kind's name ("source"), or "none". 0 or -1. */
static int add_kind(struct harness_setup *s, const char *name)
{
    if (strcmp(name, "none") == 0) {
        s->no_suite = 1;
        return 0;
    }
    for (uint32_t k = 1; k <= JUTSU_KIND_MAX; k++)
        if (strcmp(jutsu_kind_name(k), name) == 0) {
            s->kinds |= 1u << k;
            return 0;
        }
    return -1;
}

static void print_help(void)
{
    fputs(USAGE "\n"
          "Loads one Jutsu plugin alone against the host's code, runs the loader's\n"
          "checks, validates its settings, starts two instances, runs the conformance\n"
          "suite of its kind and stops it, printing each check with what it expected.\n\n"
          "  -c, --config FILE      the plugin's settings (its `config:` map) as YAML\n"
          "  -k, --kind-suite KIND  the plugin must be a KIND plugin (storage, source,\n"
          "                         strategy, kpi, auth, frontend, broker; repeat for\n"
          "                         \"one of\"); none: run no conformance suite\n"
          "  -f, --format F         text (default), json or tap (TAP version 13)\n"
          "      --now ISO-TIME     what the fixed clock reads\n\n"
          "A PLUGIN.so without a slash is a file in the working directory.\n"
          "Exit 0: every check passed; 1: a check failed; 2: usage error.\n", stdout);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config",     required_argument, NULL, 'c' },
        { "kind-suite", required_argument, NULL, 'k' },
        { "format",     required_argument, NULL, 'f' },
        { "now",        required_argument, NULL, 'n' },
        { "help",       no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct harness_setup setup;
    enum harness_format format = HARNESS_TEXT;
    int c;
    harness_setup_init(&setup, NULL);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:k:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': setup.settings_file = optarg; break;
        case 'k':
            if (add_kind(&setup, optarg) != 0)
                return usage("--kind-suite: not a plugin kind: ", optarg);
            break;
        case 'f':
            if (harness_format_parse(optarg, &format) != 0)
                return usage("--format: use text, json or tap, not ", optarg);
            break;
        case 'n':
            if (jutsu_time_parse(optarg, -1, &setup.now) != 0)
                return usage("--now: not an ISO 8601 time: ", optarg);
            break;
        case 'h': print_help(); return 0;
        case ':': return usage("this option needs a value: ", argv[optind - 1]);
        default:  return usage("unknown option ", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return usage(optind == argc ? "name one plugin file" : "one plugin file only", NULL);
    setup.plugin = argv[optind];
    jutsu_log_configure(JUTSU_LOG_WARN, JUTSU_LOG_TEXT);

    struct harness h;
    struct harness_fixture *fx;
    harness_init_format(&h, stdout, format);
    harness_begin(&h, setup.plugin);
    if (harness_fixture_start(&h, &setup, &fx) == 0) {
        harness_conformance(&h, fx);
        harness_fixture_stop(&h, fx);
    }
    harness_finish(&h);
    return h.failed ? 1 : 0;
}
