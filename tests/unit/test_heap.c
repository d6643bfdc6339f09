/*
 * tests/unit/test_heap.c — the heap in huge pages (core/base/heap.h): the
 * stretch it advises is the heap the next blocks come from, and blocks
 * there work as any.
 *
 * Under AddressSanitizer or valgrind malloc is not glibc's heap and the
 * call must refuse (-1) without touching anything.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/heap.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define FOREIGN_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FOREIGN_MALLOC 1
#endif
#endif
#ifndef FOREIGN_MALLOC
#define FOREIGN_MALLOC 0
#endif

/* The mapping of /proc/self/smaps that holds `p`: its VmFlags line and its
 * AnonHugePages in kB. Returns 0 when found. */
static int mapping_of(const void *p, char *flags, size_t flagsz, long *huge_kb)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    int in = 0, found = 0;
    uintptr_t a = (uintptr_t)p;
    ck_assert_ptr_nonnull(f);
    flags[0] = '\0';
    *huge_kb = -1;
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            if (found && in)
                break;
            in = a >= lo && a < hi;
            found |= in;
            continue;
        }
        if (in && strncmp(line, "AnonHugePages:", 14) == 0)
            *huge_kb = strtol(line + 14, NULL, 10);
        if (in && strncmp(line, "VmFlags:", 8) == 0)
            snprintf(flags, flagsz, "%.200s", line + 8);
    }
    fclose(f);
    return found ? 0 : -1;
}

static int under_valgrind(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre && strstr(pre, "vgpreload") != NULL;
}

START_TEST(advised_heap_takes_the_next_blocks)
{
    int rc = jutsu_heap_huge((size_t)8 << 20);
    if (FOREIGN_MALLOC || under_valgrind()) {
        ck_assert_int_eq(rc, -1);
        return;
    }
    ck_assert_int_eq(rc, 0);
    /* 6 MiB in blocks of 64 KiB (the kind a run makes), every byte
     * written: they come from the advised stretch */
    enum { N = 96, SZ = 64 << 10 };
    char *b[N];
    for (int i = 0; i < N; i++) {
        ck_assert_ptr_nonnull(b[i] = malloc(SZ));
        memset(b[i], i + 1, SZ);
    }
    char flags[256];
    long huge_kb;
    ck_assert_int_eq(mapping_of(b[N / 2], flags, sizeof(flags), &huge_kb), 0);
    /* what the call controls is the advice; whether the kernel then has a
     * free huge page to back it with is its own affair (AnonHugePages) */
    ck_assert_msg(strstr(flags, " hg") != NULL, "no MADV_HUGEPAGE on the heap: %s", flags);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(b[i][0], (char)(i + 1));
        ck_assert_int_eq(b[i][SZ - 1], (char)(i + 1));
        free(b[i]);
    }
}
END_TEST

START_TEST(nothing_asked_nothing_done)
{
    ck_assert_int_eq(jutsu_heap_huge(0), 0);
}
END_TEST

static Suite *heap_suite(void)
{
    Suite *s = suite_create("heap");
    TCase *tc = tcase_create("huge");
    /* each in a process of its own (CK_FORK), so the first sees a heap as
     * a command starts with */
    tcase_add_test(tc, advised_heap_takes_the_next_blocks);
    tcase_add_test(tc, nothing_asked_nothing_done);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(heap_suite());
}
