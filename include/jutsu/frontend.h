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

struct jutsu_frontend_ops {
    uint32_t size;
    /* optional: where it listens, for `jutsu serve` to log ("http://127.0.0.1:8080") */
    const char *(*endpoint)(void *state);
};

#endif
