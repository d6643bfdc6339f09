/*
 * core/base/metrics.h — the metrics registry: counters and histograms
 * keyed by (name, labels), rendered in the Prometheus text format 0.0.4.
 *
 * A name is a counter, a gauge or a histogram, decided by its first use;
 * a later use as another kind is ignored (and logged once). `labels`
 * is the label set as Prometheus writes it, without the braces
 * ("job=\"eod\",status=\"ok\""), or NULL / "" for none; the caller quotes
 * and escapes the values (jutsu_metrics_label_value helps).
 *
 * Histograms take durations in microseconds into the buckets 0.5 ms ..
 * 10 s and render them in seconds, as exact decimals (no float
 * artefacts: 2500 µs is "0.0025", not "0.0025000000000000001").
 *
 * Bounded: a registry holds at most `max_series` series (name + labels);
 * a new series beyond that is dropped and counted in
 * jutsu_metrics_dropped_series_total, which the render shows.
 *
 * One process-wide registry (jutsu_metrics_global(), what a NULL registry
 * means in every call) collects what the rooms count: jobs, sync bars,
 * EOD rows, auth failures. Tests make private ones.
 *
 * Thread-safety: every call from any thread; one mutex per registry, held
 * for a hash lookup and an add.
 */
#ifndef JUTSU_CORE_METRICS_H
#define JUTSU_CORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/buf.h"

typedef struct jutsu_metrics jutsu_metrics;

#define JUTSU_METRICS_MAX_SERIES 4096
#define JUTSU_METRICS_NAME_MAX   128     /* longer names are refused          */
#define JUTSU_METRICS_LABELS_MAX 512     /* longer label sets are refused     */
#define JUTSU_METRICS_NBUCKETS   14      /* finite buckets; +Inf is the count */

/* A registry of at most max_series series (0: JUTSU_METRICS_MAX_SERIES).
 * 0 or JUTSU_ENOMEM. */
int  jutsu_metrics_new(size_t max_series, jutsu_metrics **out);
void jutsu_metrics_free(jutsu_metrics *m);
/* The process-wide registry (made on first use; never freed). */
jutsu_metrics *jutsu_metrics_global(void);

/* Adds delta (>= 0; a negative delta is ignored: counters only grow) to
 * counter `name`{labels}. A name that is not [a-zA-Z_:][a-zA-Z0-9_:]*,
 * or labels with a newline, are ignored. */
void jutsu_metrics_add(jutsu_metrics *m, const char *name, const char *labels, int64_t delta);
/* Adds delta (either sign) to gauge `name`{labels}: what goes up and
 * down (open sessions). Gauges are a third kind, rendered "gauge". */
void jutsu_metrics_gauge_add(jutsu_metrics *m, const char *name, const char *labels,
                             int64_t delta);
/* One observation of `micros` (negative counts as 0) into histogram
 * `name`{labels}. */
void jutsu_metrics_observe(jutsu_metrics *m, const char *name, const char *labels,
                           int64_t micros);
/* The value of counter or gauge name{labels}, a histogram's count (0 if
 * absent): for tests. */
int64_t jutsu_metrics_value(jutsu_metrics *m, const char *name, const char *labels);

/* Appends every series, families sorted by name and series by labels,
 * each family with its # HELP (for names the help table knows) and
 * # TYPE lines, then jutsu_metrics_dropped_series_total. Stops at `max`
 * bytes of out. 0, JUTSU_ERANGE or JUTSU_ENOMEM. */
int  jutsu_metrics_render(jutsu_metrics *m, struct jutsu_buf *out, size_t max);

/* For values computed elsewhere at render time (gauges, the bus's
 * counters): the # HELP (when known) and # TYPE lines of a family, and
 * one sample line `name{labels} value`. */
int  jutsu_metrics_family(struct jutsu_buf *out, size_t max, const char *name,
                          const char *type);
int  jutsu_metrics_sample(struct jutsu_buf *out, size_t max, const char *name,
                          const char *labels, int64_t value);
/* The help text of a known metric name, or NULL. */
const char *jutsu_metrics_help(const char *name);
/* Writes `value` quoted as a label value ("a\"b" for a"b: backslash,
 * quote and newline escaped) into buf; truncates to fit. */
void jutsu_metrics_label_value(const char *value, char *buf, size_t size);

#endif
