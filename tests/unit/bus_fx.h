/*
 * tests/unit/bus_fx.h — what test_bus and test_bus_threads share: counted
 * payloads, a bus made to measure, a clock, and two subscribers. Every
 * helper asserts (Check) instead of returning errors.
 */
#ifndef JUTSU_BUS_FX_H
#define JUTSU_BUS_FX_H

#include <json-c/json.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"

/* Payloads freed so far (by the bus or the test), counted by counted(). */
extern atomic_int bus_fx_frees;

/* A payload whose destruction is counted (globally, and in *slot if set). */
json_object *counted(json_object *o, atomic_int *slot);
/* {"th": th, "seq": seq}, counted. */
json_object *seq_payload(int64_t th, int64_t seq);
/* The payload's integer member `key`, or -1. */
int64_t field(const jutsu_event *ev, const char *key);
/* The monotonic clock in milliseconds, and a sleep. */
int64_t now_ms(void);
void    sleep_ms(int ms);
/* A bus with these options (cap 0: the default capacity), started when
 * threaded. */
jutsu_bus *make_bus(int threaded, size_t cap, int policy, int block_ms);

/* Counts calls; checks that "seq" rises by one per publishing thread. */
struct seqsub {
    int64_t  next[8];
    uint64_t calls;
    uint64_t errors;
};

/* Records the bus's drop hook calls; with bus set, also checks that the
 * stats agree with the hook's total. */
struct drops {
    jutsu_bus *bus;
    int        calls, stats_mismatch;
    uint64_t   last_total;
    char       topic[64];
};
void on_drop(const char *topic, uint64_t total, void *arg);

/* on_seq: a struct seqsub's callback. on_count: adds 1 to an atomic_int. */
void on_seq(const jutsu_event *ev, void *arg);
void on_count(const jutsu_event *ev, void *arg);

#endif
