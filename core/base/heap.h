/*
 * core/base/heap.h — asking the kernel for the heap in huge pages.
 *
 * A short process that builds a large working set fast (`jutsu backtest`:
 * about 15 MB of new heap in 100 ms) pays a page fault for each 4 KiB it
 * touches first. On a virtual machine a fault costs several µs, and a
 * backtest's 3,000 of them were a sixth of its run. Transparent huge pages
 * back the heap 2 MiB at a time instead, one fault each.
 *
 * Linux and glibc only; elsewhere, or where the kernel's THP setting is
 * "never", it changes nothing. Process-wide and not undone: call it from a
 * command that runs one job and exits, before the job, never from the
 * service (whose heap lives for weeks and would keep what it grew).
 */
#ifndef JUTSU_CORE_BASE_HEAP_H
#define JUTSU_CORE_BASE_HEAP_H

#include <stddef.h>

/*
 * Grows the main heap by `expect` bytes now (rounded up to 2 MiB, at most
 * 1 GiB) and asks for huge pages on that stretch: memory the process
 * touches there costs one fault per 2 MiB. Big blocks (up to `expect`)
 * come from the heap rather than one mapping each, and the heap is not
 * trimmed back while it works. Pages never touched are never backed, so
 * resident memory grows only as the job uses it (by at most 2 MiB per
 * stretch touched). Returns 0, or -1 when the system said no to a step (the
 * process is then as before, or only its malloc settings changed: both are
 * correct, the first merely slower).
 */
int jutsu_heap_huge(size_t expect);

#endif
