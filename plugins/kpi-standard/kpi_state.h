/*
 * plugins/kpi-standard/kpi_state.h — the JSON form of struct kpi_acc: the
 * state kpi-standard keeps in each daily_performance row (docs/kpi.md,
 * "State").
 *
 *   {"version": 1, "n": 3, "mean": 0.0033333333333333335, "m2": ...,
 *    "sum": ..., "sum_sq": ..., "downside_sum_sq": ...,
 *    "first_equity": "10000.000000", "worst_drawdown": -0.01,
 *    "trades_closed": 5, "trades_won": 3, "trades_lost": 1}
 *
 * Doubles are written by json-c with 17 significant digits and read back
 * exactly; the first equity is exact decimal text (jutsu_money_format),
 * never a double. Reading is strict: every member must be present, of its
 * type and in its range, and no other member may be; the error names the
 * member.
 *
 * An object kpi_state_write made also carries a copy of its accumulator
 * (json-c's userdata), which kpi_state_read takes instead of reading the
 * members: the EOD chain hands the previous day's object back in memory,
 * day after day. An object parsed from text has none and is read strictly.
 * Such an object holds pointers into this plugin (the copy's free function,
 * its keys, added as constants): it must be freed before the plugin is
 * unloaded, and json_object_deep_copy refuses it (copy its text instead).
 *
 * Thread-safety: both functions are reentrant. kpi_state_read only reads
 * `obj` (no reference counting, no serialisation), so the same object may
 * be read from several threads at once.
 */
#ifndef KPI_STATE_H
#define KPI_STATE_H

#include <stddef.h>

#include "kpi_stats.h"

struct json_object;

/* The layout written, and the only one read. */
#define KPI_STATE_VERSION 1

/* A new JSON object holding `a` (the caller owns it), or NULL when out of
 * memory. */
struct json_object *kpi_state_write(const struct kpi_acc *a);

/*
 * Reads `obj` into *a. Returns 0, or JUTSU_EMALFORMED with the reason in
 * why ("member \"mean\" is a string, not a number"); *a is then
 * unspecified.
 */
int kpi_state_read(const struct json_object *obj, struct kpi_acc *a, char *why, size_t whysz);

#endif
