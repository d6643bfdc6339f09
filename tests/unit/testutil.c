/*
 * tests/unit/testutil.c — small helpers shared by the Check test programs.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
