/*
 * tests/fuzz/fe_fx.c — see fe_fx.h. fe_events.c is compiled here, not on
 * its own, so that its static functions are in reach.
 */
#include "fe_events.c"

#include "fe_fx.h"

int fe_fx_events_request(struct fe_req *r)
{
    struct stream *st = calloc(1, sizeof(*st));
    uint64_t last = 0;
    int have = 0, rc;
    if (st == NULL)
        abort();
    rc = parse_topics(r, st) != 0 || parse_last(r, &have, &last) != 0 ? -1 : 0;
    if (rc == 0 && have && last > UINT64_C(9999999999999999999))
        abort();   /* more than 19 digits got through */
    free(st);
    return rc;
}
