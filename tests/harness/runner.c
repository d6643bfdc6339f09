/*
 * tests/harness/runner.c — jutsu-plugin-test: load one plugin in isolation
 * and check it.
 *
 *   jutsu-plugin-test [-c CONFIG.yaml] [--now ISO-TIME] PLUGIN.so
 *
 * CONFIG.yaml holds the plugin's own settings (what goes under `config:`
 * in jutsu.yaml); --now sets the fixed clock (default HARNESS_NOW). How the
 * plugin is started and what is checked is libjutsu_harness's
 * (harness_fixture.h); this file reads the command line and prints the
 * tally.
 *
 * Exit 0 when every check passed, 1 when one failed, 2 on usage errors.
 */
#include <getopt.h>
#include <stdio.h>

#include "harness_fixture.h"
#include "base/log.h"

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
    struct harness_setup setup;
    int c;
    harness_setup_init(&setup, NULL);
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': setup.settings_file = optarg; break;
        case 'n':
            if (jutsu_time_parse(optarg, -1, &setup.now) != 0) {
                fprintf(stderr, "jutsu-plugin-test: --now %s is not an ISO 8601 time\n", optarg);
                return 2;
            }
            break;
        default: return usage();
        }
    }
    if (optind != argc - 1)
        return usage();
    setup.plugin = argv[optind];
    jutsu_log_configure(JUTSU_LOG_WARN, JUTSU_LOG_TEXT);

    struct harness h;
    struct harness_fixture *fx;
    harness_init_lines(&h, stdout);
    printf("jutsu-plugin-test: %s\n", setup.plugin);
    if (harness_fixture_start(&h, &setup, &fx) == 0) {
        harness_conformance(&h, fx);
        harness_fixture_stop(&h, fx);
    }
    printf("%d passed, %d failed, %d skipped\n", h.passed, h.failed, h.skipped);
    return h.failed ? 1 : 0;
}
