/*
 * jutsu/frontend.h — a frontend serves people: the REST API, the dashboard.
 *
 * A frontend is started last and stopped first. It reads through the
 * host's data API, listens to the bus for live updates, and asks the host
 * to run jobs (a refresh, an EOD run) through run_job. It owns its own
 * threads (an HTTP pool); start() must return once it is listening.
 */
#ifndef JUTSU_FRONTEND_H
#define JUTSU_FRONTEND_H

#include <stdint.h>

#include "jutsu/plugin.h"

struct jutsu_frontend_ops {
    uint32_t size;
    /* optional: where it listens, for `jutsu serve` to log ("http://127.0.0.1:8080") */
    const char *(*endpoint)(void *state);
};

/* The table's size at ABI 1.0 (through `endpoint`), frozen: the loader takes
 * every table at least this long. Members appended later are optional to
 * the host, which asks JUTSU_OPS_HAS before it calls one. */
#define JUTSU_FRONTEND_OPS_SIZE_1_0 JUTSU_SIZE_THROUGH(jutsu_frontend_ops, endpoint)

#endif
