/* dtls_exit.c — reproduces issue 15, defect 12 (google/sanitizers#1322) on
 * demand, for dtls_tracer.sh.
 *
 * usage: dtls_exit LIB        threads hold dynamic TLS blocks at exit
 *        dtls_exit LIB leak   the same, and one block leaked on purpose
 *
 * The sanitizer runtime's __tls_get_addr interceptor records each thread's
 * dynamic TLS block of LIB. A block at 16 mod 4096 it takes for one with a
 * glibc 2.19 header and reads the two words before it as the block's
 * bounds: under ASan, that is ASan's own chunk header, so LeakSanitizer's
 * exit scan of the still-running threads reads a wild range and its tracer
 * dies ("Tracer caught signal 11"). Placing a block there needs no luck:
 * a new thread's first malloc() of 33 to 48 bytes takes the first chunk of
 * a fresh, page-aligned batch of ASan's 64-byte chunks, whose user memory
 * starts after a 16-byte header: at 16 mod 4096. The program counts
 * the blocks that landed there, so that the test can tell a runtime that
 * copes from a premise that no longer holds.
 *
 * Exits 0 when LeakSanitizer (if on) finds nothing; 2 on a usage or setup
 * error; 3 when no block landed at 16 mod 4096. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dtls_lib.h"

/* Each thread's block is placed alike; more than one is margin only. */
#define NTHREADS 8
/* What the runtime tests: sizeof its Glibc_2_19_tls_header. */
#define GLIBC_2_19_OFFSET 16

static dtls_lib_slots_fn slots_of;
static pthread_barrier_t ready;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int placed;
static int failed;

static void note(int *counter)
{
  if (pthread_mutex_lock(&count_lock) != 0)
    abort();
  (*counter)++;
  if (pthread_mutex_unlock(&count_lock) != 0)
    abort();
}

/* Touches its block first (the thread's first 64-byte chunk), then keeps
 * in it the only pointer to a heap block: run with interception off,
 * LeakSanitizer must still see that one as reachable. Never returns: the
 * thread must be alive when the exit scan runs. */
static void *hold_block(void *arg)
{
  void **slots = slots_of();
  if ((uintptr_t)slots % 4096 == GLIBC_2_19_OFFSET)
    note(&placed);
  slots[0] = malloc(100);
  if (slots[0] == NULL)
    note(&failed);
  int rc = pthread_barrier_wait(&ready);
  if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
    abort();
  for (;;)
    pause();
  return arg;
}

/* The only pointer to its block lives on a stack that is gone by exit: a
 * leak that LeakSanitizer must report, proof that it is checking. */
static void *drop_block(void *arg)
{
  void *lost = malloc(77);
  if (lost == NULL)
    return "out of memory";
  memset(lost, 0, 77);
  return NULL;
}

static int leak_one(void)
{
  pthread_t t;
  void *res = NULL;
  int rc = pthread_create(&t, NULL, drop_block, NULL);
  if (rc == 0)
    rc = pthread_join(t, &res);
  if (rc != 0 || res != NULL) {
    fprintf(stderr, "dtls_exit: leaking thread failed: %s\n",
            rc != 0 ? strerror(rc) : (const char *)res);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "leak") != 0)) {
    fprintf(stderr, "usage: dtls_exit LIB [leak]\n");
    return 2;
  }
  /* Kept open: its blocks must still be recorded at exit. */
  void *lib = dlopen(argv[1], RTLD_NOW);
  if (lib == NULL) {
    fprintf(stderr, "dtls_exit: %s\n", dlerror());
    return 2;
  }
  /* A function pointer out of dlsym's void *, the POSIX way. */
  void *sym = dlsym(lib, "dtls_lib_slots");
  if (sym == NULL) {
    fprintf(stderr, "dtls_exit: %s: no dtls_lib_slots\n", argv[1]);
    return 2;
  }
  memcpy(&slots_of, &sym, sizeof slots_of);

  int rc = pthread_barrier_init(&ready, NULL, NTHREADS + 1);
  if (rc != 0) {
    fprintf(stderr, "dtls_exit: pthread_barrier_init: %s\n", strerror(rc));
    return 2;
  }
  for (int i = 0; i < NTHREADS; i++) {
    pthread_t t;
    rc = pthread_create(&t, NULL, hold_block, NULL);
    if (rc != 0) {
      fprintf(stderr, "dtls_exit: pthread_create: %s\n", strerror(rc));
      return 2;
    }
  }
  rc = pthread_barrier_wait(&ready);
  if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD) {
    fprintf(stderr, "dtls_exit: pthread_barrier_wait: %s\n", strerror(rc));
    return 2;
  }
  if (failed > 0) {
    fprintf(stderr, "dtls_exit: out of memory in %d threads\n", failed);
    return 2;
  }
  fprintf(stderr, "dtls_exit: %d of %d dynamic TLS blocks at %d mod 4096\n",
          placed, NTHREADS, GLIBC_2_19_OFFSET);
  if (placed == 0) {
    fprintf(stderr, "dtls_exit: no block where the runtime takes it for a "
            "glibc 2.19 one: the allocator changed, see the comment at the "
            "top of tests/asan/dtls_exit.c\n");
    return 3;
  }
  if (argc == 3 && leak_one() != 0)
    return 2;
  /* exit(), not return: the threads are still running, as in the host. */
  exit(0);
}
