/*
 * core/jobs/jobs.h — the jobs `jutsu serve` schedules, as one table.
 *
 * Each entry names a job, its body and its default exchange times
 * (core/sched/scheduler.h explains slots, grace and catch-up; the config may move
 * the times or turn a job off under scheduler.jobs.<name>). The bodies are
 * the same code the CLI runs (`jutsu sync`, `jutsu db prune`): one code
 * path. They run on the scheduler's worker thread, each with data sessions
 * of its own.
 *
 *   trading 15:55, early closes 12:55, trading days, NO catch-up
 *           jutsu_trade_run: each strategy's signal, orders and books
 *   sync    16:05, early closes 13:05, trading days, catch-up
 *           jutsu_sync_run with sync.* from the config
 *   eod     16:15, early closes 13:15, trading days, catch-up
 *           jutsu_eod_run for the slot's date (and the missed days before it)
 *   prune   03:00, every day, catch-up
 *           jutsu_data_prune: the retention rules
 */
#ifndef JUTSU_CORE_JOBS_H
#define JUTSU_CORE_JOBS_H

#include <stddef.h>

#include "sched/scheduler.h"

/* The table (static, never freed) and its length. */
const struct jutsu_sched_job *jutsu_jobs(size_t *n);

/* A scheduler over the table, with the app's times (jutsu_sched_new);
 * on failure diag holds at least one line saying why. */
int jutsu_jobs_sched(struct jutsu_app *app, struct jutsu_diag *diag, jutsu_sched **out);

#endif
