/*
 * tests/fuzz/host_fx.h — what the source plugins' parsers need from the
 * host when they are fuzzed outside it: error and log calls (formatted,
 * so that a bad argument shows, then dropped), the exchange clock (the
 * real time-zone code of core/base, America/New_York), and a sink that
 * reads every bar it is given.
 */
#ifndef JUTSU_FUZZ_HOST_FX_H
#define JUTSU_FUZZ_HOST_FX_H

#include "jutsu/host.h"
#include "jutsu/source.h"

/* The host; its ctx is NULL. Aborts when the zone cannot be loaded. */
const struct jutsu_host *fuzz_host(void);

/* A sink that formats each bar's values and accepts every batch. */
extern const struct jutsu_source_sink fuzz_sink;

#endif
