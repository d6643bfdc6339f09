/*
 * tests/unit/testutil.c — small helpers shared by the Check test programs.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "host/app.h"
#include "base/diag.h"
#include "base/log.h"
#include "harness_fixture.h"
#include "testutil.h"

const char *tu_source_dir(void)
{
    const char *s = getenv("JUTSU_SOURCE_DIR");
    return s && *s ? s : ".";
}

const char *tu_build_dir(void)
{
    const char *s = getenv("JUTSU_BUILD_DIR");
    return s && *s ? s : "build";
}

char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;
    if (base == NULL || *base == '\0')
        base = "/tmp";
    ck_assert_int_gt(asprintf(&path, "%s/jutsu-test-XXXXXX", base), 0);
    ck_assert_msg(mkdtemp(path) != NULL, "mkdtemp %s: %s", path, strerror(errno));
    return path;
}

char *tu_write_file(const char *dir, const char *name, const char *content)
{
    char *path = NULL;
    ck_assert_int_gt(asprintf(&path, "%s/%s", dir, name), 0);
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
    ck_assert_int_eq(fputs(content, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *dir)
{
    if (dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int tu_app_open(const char *plugins, struct jutsu_app **app, char *diag, size_t diagsz)
{
    char *yaml = NULL;
    struct jutsu_diag d;
    memset(diag, 0, diagsz);
    ck_assert_int_gt(asprintf(&yaml, "plugins:\n%slog: {level: error}\n", plugins), 0);
    ck_assert_int_eq(jutsu_app_new(app), 0);
    jutsu_diag_init(&d);
    int rc = jutsu_app_load_config_string(*app, "test.yaml", yaml, &d);
    ck_assert_msg(rc == 0, "config: %s", jutsu_strerror(rc));
    rc = jutsu_app_load_plugins(*app, &d);
    if (rc == 0)
        rc = jutsu_app_start(*app);
    FILE *out = fmemopen(diag, diagsz - 1, "w");
    ck_assert_ptr_nonnull(out);
    jutsu_diag_print(&d, out, "");
    fclose(out);
    jutsu_diag_free(&d);
    free(yaml);
    return rc;
}

struct harness_fixture *tu_harness_start(const char *name, const char *settings)
{
    const char *dirs = getenv("JUTSU_PLUGIN_PATH");
    char *path = NULL;
    struct harness h;
    struct harness_setup s;
    struct harness_fixture *fx = NULL;
    if (dirs && *dirs)
        ck_assert_int_gt(asprintf(&path, "%.*s/%s.so", (int)strcspn(dirs, ":"), dirs, name), 0);
    else
        ck_assert_int_gt(asprintf(&path, "%s/plugins/%s.so", tu_build_dir(), name), 0);
    /* as quiet as tu_app_open's apps: the tests print what they assert */
    jutsu_log_configure(JUTSU_LOG_ERROR, JUTSU_LOG_TEXT);
    harness_init_quiet(&h, "FAIL");
    harness_setup_init(&s, path);
    s.settings = settings;
    int rc = harness_fixture_start(&h, &s, &fx);
    ck_assert_msg(rc == 0, "%s did not start (is JUTSU_PLUGIN_PATH set?): %s; failed: %s", path,
                  jutsu_strerror(rc), h.failed_names);
    /* a check that failed while starting (descriptor, bus) fails the test too */
    ck_assert_msg(h.failed == 0, "%s: start checks failed: %s", path, h.failed_names);
    free(path);
    return fx;
}
