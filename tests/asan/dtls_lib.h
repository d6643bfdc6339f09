/* dtls_lib.h — the one function of tests/asan/dtls_lib.so, which dtls_exit
 * dlopen()s: its __thread data is dynamic TLS, the kind of block that
 * google/sanitizers#1322 is about (issue 15, defect 12). */
#ifndef JUTSU_TESTS_DTLS_LIB_H
#define JUTSU_TESTS_DTLS_LIB_H

/* Slots in the block: 48 bytes is the largest request to which ASan gives
 * its smallest redzone (16 bytes), so that the block's address is its chunk
 * start + 16. */
#define DTLS_LIB_SLOTS 6

/* The calling thread's block of DTLS_LIB_SLOTS pointers, all NULL at first;
 * the thread's first call makes glibc malloc() it. Owned by glibc, freed
 * when the thread exits. */
void **dtls_lib_slots(void);
typedef void **(*dtls_lib_slots_fn)(void);

#endif
