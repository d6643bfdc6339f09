/*
 * plugins/kpi-standard/kpi_stats.h — the statistics of kpi-standard, as
 * pure functions over one entity's running accumulator.
 *
 * The conventions are empyrical's (docs/kpi.md has the formulas, the NULL
 * rules and a worked example). With r the daily returns after the entity's
 * first day (n of them) and P the periods per year:
 *
 *   volatility = sd(r, ddof 1) * sqrt(P)
 *   sharpe     = mean(r) / sd(r, ddof 1) * sqrt(P)
 *   sortino    = mean(r) * P / (sqrt(sum(min(r, 0)^2) / n) * sqrt(P))
 *   cagr       = (E_today / E_first)^(P / n) - 1
 *   calmar     = cagr / |worst drawdown|
 *
 * The accumulator holds Welford's n, mean and M2 (a numerically stable
 * variance, where sum(r^2) - n*mean^2 is not) next to the plain sums that
 * the daily_performance columns returns_sum, returns_sum_sq and
 * downside_sum_sq keep. Nothing here allocates, logs or touches json-c:
 * the JSON form of the accumulator is kpi_state.c's, the plugin glue is
 * kpi_plugin.c's.
 *
 * Thread-safety: every function is reentrant; none keeps state.
 */
#ifndef KPI_STATS_H
#define KPI_STATS_H

#include <stdint.h>

#include "jutsu/money.h"

/*
 * A daily standard deviation (or daily downside deviation, or worst
 * drawdown) smaller than this counts as zero, and the ratio that would
 * divide by it is NULL. Equity is exact to a micro-unit, so on a
 * 10,000.000000 account a day's return is only known to about 1e-10; a
 * deviation below 1e-9 is rounding (or floating-point noise on a series of
 * equal returns, where Welford's M2 comes out 1e-35 instead of 0), not
 * risk. Dividing by it would print a six-digit Sharpe ratio that means
 * nothing.
 */
#define KPI_MIN_DEVIATION 1e-9

/* One entity's running statistics: all that a fold needs from the past. */
struct kpi_acc {
    int64_t       n;               /* daily returns folded, the first day excluded */
    double        mean;            /* Welford's running mean of the returns (0 at n = 0) */
    double        m2;              /* ... and sum of squared deviations from it    */
    double        sum;             /* sum of r                                     */
    double        sum_sq;          /* sum of r^2                                   */
    double        downside_sq;     /* sum of min(r, 0)^2                           */
    jutsu_money_t first_equity;    /* the entity's first day's equity, exact       */
    double        worst_drawdown;  /* the lowest drawdown so far, <= 0             */
    int64_t       closed, won, lost;  /* trades so far: closed, of them won, lost  */
};

/* The values kpi_values() computes, in the order of the plugin's columns. */
enum kpi_col {
    KPI_SHARPE, KPI_SORTINO, KPI_CALMAR, KPI_MAX_DRAWDOWN, KPI_VOLATILITY, KPI_CAGR,
    KPI_WIN_RATE, KPI_RETURNS_COUNT, KPI_RETURNS_SUM, KPI_RETURNS_SUM_SQ,
    KPI_DOWNSIDE_SUM_SQ, KPI_WELFORD_COUNT, KPI_WELFORD_MEAN, KPI_WELFORD_M2,
    KPI_NCOLS
};

/* The entity's first day: no return yet; its equity and drawdown start
 * the series. Trades are added separately (kpi_acc_trades). */
void kpi_acc_first(struct kpi_acc *a, jutsu_money_t equity, double drawdown);

/* A later day: folds its return r (one return, however many trading days
 * the gap since the previous row) and its drawdown. */
void kpi_acc_day(struct kpi_acc *a, double r, double drawdown);

/* Adds a day's trades: closed of them, won with a profit, lost with a loss
 * (closed - won - lost broke even). */
void kpi_acc_trades(struct kpi_acc *a, int64_t closed, int64_t won, int64_t lost);

/*
 * The KPIs of the accumulator as of a day whose equity is `equity`, with
 * `periods_per_year` (P > 0) as the annualisation factor. out[i] is the
 * value of enum kpi_col i; NaN means NULL. No value is ever infinite:
 *
 *   n < 2                      sharpe, sortino, volatility, cagr, calmar NULL
 *   sd < KPI_MIN_DEVIATION     sharpe NULL (volatility is still reported)
 *   downside deviation < KPI_MIN_DEVIATION    sortino NULL
 *   either equity <= 0         cagr and calmar NULL
 *   |worst drawdown| < KPI_MIN_DEVIATION      calmar NULL
 *   closed == 0                win_rate NULL
 *   n == 0                     welford_mean, welford_m2 NULL
 */
void kpi_values(const struct kpi_acc *a, jutsu_money_t equity, int periods_per_year,
                double out[KPI_NCOLS]);

#endif
