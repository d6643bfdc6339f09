/* dtls_lib.c — a library with __thread data, for dtls_exit to dlopen().
 * Loaded with dlopen(), not linked, its TLS is not in the static TLS area:
 * glibc malloc()s a block of it for each thread on first access, through
 * __tls_get_addr, which the sanitizer runtime intercepts. */
#include "dtls_lib.h"

/* The module's only TLS variable, so that it sits at offset 0 and its
 * address is the block's: the address the runtime tests. */
static __thread void *slots[DTLS_LIB_SLOTS];

void **dtls_lib_slots(void)
{
  return slots;
}
