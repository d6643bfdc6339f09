/*
 * core/host/app_store.c — the app's storage: the driver instance configured
 * under `database:`, the sessions opened on it, and the schema it must be
 * at before jobs run.
 *
 * The store room (core/store/) knows nothing of the app: a session is
 * opened on a struct jutsu_store, which this file makes from the started
 * storage instance and the app's clock.
 */
#include "jutsu/error.h"
#include "host/app.h"
#include "store/store.h"

static jutsu_time_t store_now(void *arg)
{
    return jutsu_app_now(arg);
}

int jutsu_app_store(struct jutsu_app *app, struct jutsu_store *out)
{
    struct jutsu_ctx *c = jutsu_app_find(app, JUTSU_STORAGE_INSTANCE);
    const struct jutsu_storage_ops *ops = jutsu_ctx_storage(c);
    if (ops == NULL)
        return JUTSU_ENOENT;
    if (!c->inited)
        return JUTSU_ESTATE;
    out->ops = ops;
    out->state = c->state;
    out->now = store_now;
    out->now_arg = app;
    return 0;
}

int jutsu_app_dbs_open(struct jutsu_app *app, jutsu_dbs **out)
{
    struct jutsu_store store;
    *out = NULL;
    int rc = jutsu_app_store(app, &store);
    return rc ? rc : jutsu_dbs_open(&store, out);
}

int jutsu_app_ensure_schema(struct jutsu_app *app, jutsu_dbs *s)
{
    const struct jutsu_settings_database *db = &jutsu_app_settings(app)->database;
    if (db->auto_upgrade)
        return jutsu_migrate_upgrade(s, "head", db->backup_before_upgrade ? db->backup_dir : NULL);
    struct jutsu_migrate_state st;
    int rc = jutsu_migrate_state(s, &st);
    if (rc == 0 && st.n_applied != st.n_known)
        rc = jutsu_dbs_fail(s, JUTSU_ESTATE, "the database schema is at %s, not at %s, and "
                            "database.auto_upgrade is false: run `jutsu db upgrade`",
                            st.n_applied ? s->ops->migrations[st.n_applied - 1].rev : "base",
                            s->ops->migrations[st.n_known - 1].rev);
    return rc;
}
