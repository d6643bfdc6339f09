/*
 * core/host/app_reload.h — reading the config again while the app runs.
 *
 * `jutsu serve` re-reads its file on SIGHUP. The file is loaded into an
 * app of its own that is never started (jutsu_app_reload_read): the same
 * validation as at start, plugins opened and their instances' config
 * checked, so a file with any problem changes nothing. The two trees are
 * then compared key by key (jutsu_app_reload_plan); what may change at
 * run time is applied (jutsu_app_reload_apply), the rest is named as
 * needing a restart and keeps its running value.
 *
 * What applies at run time: log.*, scheduler.* (the caller builds a new
 * scheduler), sync.*, eod.*, trading.*, and a strategy instance's
 * `config:` (its parameters: the trading job re-initialises the strategy
 * with them at its next run, as it does for an override). Everything else
 * (database, exchange, bus, auth, backtest, plugin_path, and in `plugins`
 * any instance added, removed or changed other than a strategy's config:
 * a listen address, TLS, a source's path) needs a restart.
 *
 * Threads: main thread, while the scheduler is stopped or not yet
 * rebuilt. Other threads (the HTTP frontend's, through the engine) may
 * still read app->cfg and the settings: the tree and the settings they
 * replace are kept, unmodified, until the app is freed (app->retired_cfg,
 * app->retired_settings), so a reader holding a node of the old tree, or
 * the old settings, reads valid memory and one config, not a mix.
 */
#ifndef JUTSU_CORE_APP_RELOAD_H
#define JUTSU_CORE_APP_RELOAD_H

#include "host/app.h"

/* Loads app->config_path into *next, a new app with plugins opened and
 * checked but nothing started. 0, or the load's error with every problem
 * in diag (*next is then NULL). The log's level and format stay the
 * running app's. */
int  jutsu_app_reload_read(struct jutsu_app *app, struct jutsu_app **next,
                           struct jutsu_diag *diag);

/* Dotted names of changed keys, comma-separated ("log.level,
 * plugins.web.config.listen"); cut with ", ..." when long. */
struct jutsu_reload_plan {
    char applied[1024];     /* changes that apply now                       */
    char restart[1024];     /* changes that keep the running value          */
    int  napplied, nrestart;
    int  scheduler;         /* scheduler.* changed: build a new scheduler   */
    int  strategies;        /* a strategy's config changed                  */
    int  stuck;             /* a section needing a restart was removed from
                               the file: the running tree cannot be kept
                               beside the new one, so nothing applies      */
};
/* Compares the running config with next's. 0 or JUTSU_ENOMEM. */
int  jutsu_app_reload_plan(struct jutsu_app *app, struct jutsu_app *next,
                           struct jutsu_reload_plan *plan);

/* Moves next's tree into app (next keeps none of it: free it after), the
 * sections that need a restart taken from the running tree, and applies
 * the settings, the log's level and format, and each changed strategy's
 * config. 0, JUTSU_ENOMEM or JUTSU_EINVAL (settings could not be filled:
 * nothing changed then). */
int  jutsu_app_reload_apply(struct jutsu_app *app, struct jutsu_app *next,
                            const struct jutsu_reload_plan *plan);

#endif
