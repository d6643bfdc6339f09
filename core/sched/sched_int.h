/*
 * core/sched/sched_int.h — the scheduler's insides, shared by its two files:
 * core/sched/sched_slot.c (config and slot arithmetic: pure, no database) and
 * core/sched/scheduler.c (records, election, running, the worker).
 * Nothing outside those two files includes this.
 */
#ifndef JUTSU_CORE_SCHED_INT_H
#define JUTSU_CORE_SCHED_INT_H

#include <pthread.h>

#include "sched/scheduler.h"

struct sched_job {
    struct jutsu_sched_job def;     /* the table's entry, copied          */
    int          enabled;
    struct jutsu_sched_time time;   /* the table's times moved by config */

    /* Run state. done_date is written by whoever runs slots (the worker,
     * or the caller of run_due); the rest under jutsu_sched.lock. */
    jutsu_date_t done_date;         /* newest slot known recorded; 0: none */
    jutsu_time_t next_check;        /* tick queues the job from here on   */
    int          queued, running;
};

/* One entry of the worker's queue. */
struct sched_item {
    size_t       job;
    jutsu_time_t now;               /* the `now` it was queued at          */
    int64_t      queued_mono;       /* CLOCK_MONOTONIC µs when queued      */
    int          catch_up;
};

struct jutsu_sched {
    struct jutsu_app *app;
    int               enabled;      /* scheduler.enabled                   */
    int               grace_min;
    struct sched_job *jobs;
    size_t            n;
    int               said_off;     /* "disabled" logged once              */

    pthread_mutex_t   lock;
    pthread_cond_t    cond;
    pthread_t         thread;
    int               started, stopping;
    struct sched_item *queue;       /* a ring of n entries: a job at most once */
    size_t            qhead, qlen;
};

/* The job called `name`, or NULL. */
struct sched_job *jutsu_sched_find(const jutsu_sched *s, const char *name);
/* The slot of job j on date d: JUTSU_ENOENT if it has none that day (a
 * trading-days job on a closed day), else its instant into *at. */
int  jutsu_sched_slot_on(const jutsu_sched *s, const struct sched_job *j, jutsu_date_t d,
                         jutsu_time_t *at);
/* The job's newest slot whose instant is not after `now`. JUTSU_ENOENT
 * if there is none within a year. */
int  jutsu_sched_prev(const jutsu_sched *s, const struct sched_job *j, jutsu_time_t now,
                      jutsu_date_t *date, jutsu_time_t *at);
/* The same as jutsu_sched_next, for a job in hand (enabled or not). */
int  jutsu_sched_next_of(const jutsu_sched *s, const struct sched_job *j, jutsu_time_t after,
                         jutsu_date_t *date, jutsu_time_t *at);
/* "HH:MM" of a minute of the day, into buf[6]. */
void jutsu_sched_hhmm(int minutes, char *buf);

#endif
