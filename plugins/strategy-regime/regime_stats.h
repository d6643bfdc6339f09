/*
 * plugins/strategy-regime/regime_stats.h — the moving statistics of
 * v3_5b: simple moving averages, realized volatility and its z-score.
 *
 *   SMA(N)   the mean of the last N closes, today's included
 *   sigma_t  the sample standard deviation (ddof 1) of the last W daily
 *            log returns ln(c_k / c_(k-1)) ending today, times sqrt(252)
 *   z_t      (sigma_t - mean) / sd over the last B values of sigma ending
 *            today (sd with ddof 1)
 *
 * How they stay accurate: closes are exact micro-units, so an SMA is an
 * exact int64 sum (REGIME_WINDOW_MAX closes of at most REGIME_CLOSE_MAX
 * each cannot overflow) divided once. The standard deviations are
 * computed in two passes (the mean, then the squared deviations from it)
 * over the window each day, never from running sums of squares, which
 * lose digits to cancellation and drift over thousands of days. A window
 * is at most a few hundred values, so this costs microseconds a day.
 *
 * Every function returns NaN while the window is not full (or, for z,
 * when the deviation is 0). Pure and reentrant.
 */
#ifndef REGIME_STATS_H
#define REGIME_STATS_H

#include <stddef.h>

#include "regime_ring.h"

/* Windows (in bars) are at most this long: ten years of trading days. */
#define REGIME_WINDOW_MAX   2520
/* The largest close on_day accepts, 1,000,000,000.000000: with windows of
 * at most REGIME_WINDOW_MAX, a sum stays below 2.6e18 < INT64_MAX. */
#define REGIME_CLOSE_MAX    INT64_C(1000000000000000)

/* Trading days in a year: the annualisation of sigma. */
#define REGIME_DAYS_PER_YEAR 252

/* The mean of the newest n closes, in price units (not micro-units). */
double regime_sma(const struct regime_mring *closes, size_t n);

/* sigma over the newest w returns, which needs w + 1 closes. */
double regime_realized_vol(const struct regime_mring *closes, size_t w);

/* The mean and sample standard deviation of the newest n values, two
 * passes; NaN (both) with fewer than max(n, 2) values. */
void regime_mean_sd(const struct regime_ring *values, size_t n, double *mean, double *sd);

/* z of the newest value against the newest n values (itself included). */
double regime_zscore(const struct regime_ring *sigmas, size_t n);

/* sigma_t / sigma_(t-lag) - 1 from the newest lag + 1 values; NaN when
 * they are not there yet or sigma_(t-lag) is 0. */
double regime_vol_change(const struct regime_ring *sigmas, size_t lag);

#endif
