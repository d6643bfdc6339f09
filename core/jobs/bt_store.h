/*
 * core/jobs/bt_store.h — a backtest's scratch store: a SQLite database in
 * memory, with the whole schema, that lives as long as one run.
 *
 * A backtest writes some 13,000 rows (trades, positions, snapshots, two
 * chains of daily_performance rows) only to read them back and throw them
 * away. On the configured database that is one round trip each (1.4 s on
 * PostgreSQL) and a write lock held for the run; here it is a few
 * microseconds each, whatever the production backend. The store is the
 * storage-sqlite plugin itself (the app's module when the app uses it,
 * else opened from the plugin path for the run) in its `memory` mode, so
 * the data API runs exactly the code and SQL it runs on a file.
 *
 * The database belongs to the store's one session: each connection to a
 * `memory` instance would see a database of its own, so open no other.
 *
 * Thread-safety: stores are independent of each other; two threads may
 * open, use and close one each at the same time. A store and its session
 * belong to the thread that opened them.
 */
#ifndef JUTSU_CORE_BT_STORE_H
#define JUTSU_CORE_BT_STORE_H

#include <stddef.h>

#include "host/app.h"

struct jutsu_bt_store;

/* A new store on the app's clock, its schema at head, and its session in
 * *s (owned by the store). 0, JUTSU_ENOENT (no storage-sqlite plugin in
 * the plugin path), JUTSU_ENOMEM, or the driver's error; the reason in
 * err. *out is NULL on failure. */
int  jutsu_bt_store_open(struct jutsu_app *app, struct jutsu_bt_store **out, jutsu_dbs **s,
                         char *err, size_t errsz);
/* Closes the session and drops the database. NULL is fine. */
void jutsu_bt_store_close(struct jutsu_bt_store *m);

#endif
