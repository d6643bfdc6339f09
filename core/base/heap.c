/*
 * core/base/heap.c — the heap in huge pages (see heap.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "base/heap.h"

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define MAX_EXPECT ((size_t)1 << 30)

int jutsu_heap_huge(size_t expect)
{
    if (expect > MAX_EXPECT)
        expect = MAX_EXPECT;
    expect = (expect + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
    if (expect == 0)
        return 0;
    /* mallopt's int limits the sizes; 1 GiB fits. The heap must serve the
     * big blocks too (a block of its own mapping would fault page by
     * page), must grow by the whole stretch at once, and must not give it
     * back when a block in it is freed. */
    if (mallopt(M_MMAP_THRESHOLD, (int)expect) != 1 || mallopt(M_TOP_PAD, (int)expect) != 1 ||
        mallopt(M_TRIM_THRESHOLD, (int)(2 * expect)) != 1)
        return -1;
    /* a block larger than the heap's free top makes it grow, by `expect`
     * past the block; a top already that large is advised as it is */
    size_t top = mallinfo2().keepcost;
    void *probe = top < expect ? malloc(top + 4096) : NULL;
    if (top < expect && probe == NULL)
        return -1;
    void *brk = sbrk(0);
    uintptr_t lo = probe ? (uintptr_t)probe : (uintptr_t)brk - top, end = (uintptr_t)brk;
    free(probe);
    /* under a sanitizer or valgrind the block is not the heap's: the
     * stretch must end at the break and be no longer than asked */
    if (brk == (void *)-1 || lo > end || end - lo > top + 4096 + expect + HUGE_PAGE)
        return -1;
    lo = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t hi = end & ~(HUGE_PAGE - 1);
    if (hi <= lo)
        return -1;
    return madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0 ? 0 : -1;
}

#else

int jutsu_heap_huge(size_t expect)
{
    (void)expect;
    return -1;
}

#endif
