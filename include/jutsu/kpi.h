/*
 * jutsu/kpi.h — a KPI plugin folds one day into running statistics.
 *
 * The EOD job computes each entity's end-of-day equity and return, then
 * asks every KPI instance to fold that day into the state it kept in the
 * previous day's daily_performance row, and to produce the values it owns.
 * Work per day is O(1): never a pass over history. The state is opaque to
 * the host: JSON the plugin wrote yesterday and reads back today. Several
 * KPI plugins may run side by side; each declares the columns it fills.
 *
 * Threading: fold() is pure with respect to `state` (no instance-global
 * mutation) and may be called concurrently for different entities.
 */
#ifndef JUTSU_KPI_H
#define JUTSU_KPI_H

#include <stdint.h>

#include "jutsu/clock.h"
#include "jutsu/money.h"

struct json_object;

struct jutsu_kpi_day {
    jutsu_date_t  date;
    jutsu_money_t equity;           /* end of day                         */
    jutsu_money_t initial_capital;
    int32_t       is_first_day;     /* no previous row: no return today   */
    int32_t       days_since_previous;
    double        daily_return;     /* equity/previous - 1; 0 on day one  */
    int32_t       trades_closed, trades_won, trades_lost;  /* today       */
};

#define JUTSU_KPI_MAX_VALUES 16

struct jutsu_kpi_values {
    int    n;
    const char *column[JUTSU_KPI_MAX_VALUES]; /* daily_performance column  */
    double value[JUTSU_KPI_MAX_VALUES];
    int    is_null[JUTSU_KPI_MAX_VALUES];     /* undefined (too few days) */
};

struct jutsu_kpi_ops {
    uint32_t size;
    /* mandatory: the daily_performance columns this plugin fills */
    const char *const *columns;
    /* mandatory: prev = yesterday's state (NULL on the first day);
     * *next = today's state (owned by the caller). */
    int (*fold)(void *state, struct json_object *prev,
                const struct jutsu_kpi_day *day,
                struct json_object **next, struct jutsu_kpi_values *out);
};

#endif
