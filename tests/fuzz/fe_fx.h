/*
 * tests/fuzz/fe_fx.h — the frontend's event-stream request parsers, which
 * are static in fe_events.c: fe_fx.c compiles that file in and calls them
 * (the route handler fe_h_events cannot be reached without a running bus).
 */
#ifndef JUTSU_FUZZ_FE_FX_H
#define JUTSU_FUZZ_FE_FX_H

#include "fe.h"

/* The `topics` query parameter and the Last-Event-ID header of r, as
 * fe_h_events reads them: 0, or -1 after a 400 in r. */
int fe_fx_events_request(struct fe_req *r);

#endif
