/*
 * plugins/frontend-http/fe_health.c — liveness and readiness, for load
 * balancers and systemd watchdogs: no secrets, no auth, cheap.
 */
#include "jutsu/data.h"
#include "jutsu/error.h"
#include "fe.h"

int fe_h_health(struct fe_req *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "status", json_object_new_string("ok"));
    return fe_ok(r, 200, o);
}

int fe_h_ready(struct fe_req *r)
{
    const struct jutsu_data *d = r->fe->host->data(r->fe->ctx);
    jutsu_dbs *s = NULL;
    int current = 0;
    const char *applied = "?", *head = "?";
    if (d == NULL)
        return fe_error(r, 503, "unavailable", "no database is configured", NULL);
    if (d->open(r->fe->ctx, &s) != 0)
        return fe_error(r, 503, "unavailable", "the database is not reachable",
                        "the server log says why");
    int rc = JUTSU_OPS_HAS(d, jutsu_data, schema_status)
             ? d->schema_status(s, &current, &applied, &head) : JUTSU_ENOTSUP;
    json_object *o = json_object_new_object();
    if (rc == 0) {
        json_object_object_add(o, "status", json_object_new_string(current ? "ready"
                                                                           : "schema_behind"));
        json_object_object_add(o, "schema", json_object_new_string(applied));
        json_object_object_add(o, "schema_head", json_object_new_string(head));
    }
    d->close(s);
    if (rc != 0) {
        json_object_put(o);
        return fe_error(r, 503, "unavailable", "the database did not answer",
                        "the server log says why");
    }
    if (!current) {
        json_object_put(o);
        return fe_error(r, 503, "schema_behind", "the database schema is not current",
                        "run `jutsu db upgrade`");
    }
    return fe_ok(r, 200, o);
}
