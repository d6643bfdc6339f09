/*
 * plugins/kpi-standard/kpi_stats.c — the running statistics and the KPIs
 * computed from them (see kpi_stats.h and docs/kpi.md).
 */
#include <math.h>
#include <string.h>

#include "kpi_stats.h"

void kpi_acc_first(struct kpi_acc *a, jutsu_money_t equity, double drawdown)
{
    memset(a, 0, sizeof(*a));
    a->first_equity = equity;
    a->worst_drawdown = drawdown;
}

void kpi_acc_day(struct kpi_acc *a, double r, double drawdown)
{
    /* Welford: the mean moves by d/n, and M2 grows by the product of the
     * deviations from the old and the new mean, which never cancels. */
    a->n++;
    double d = r - a->mean;
    a->mean += d / (double)a->n;
    a->m2 += d * (r - a->mean);

    a->sum += r;
    a->sum_sq += r * r;
    if (r < 0)
        a->downside_sq += r * r;
    if (drawdown < a->worst_drawdown)
        a->worst_drawdown = drawdown;
}

void kpi_acc_trades(struct kpi_acc *a, int64_t closed, int64_t won, int64_t lost)
{
    a->closed += closed;
    a->won += won;
    a->lost += lost;
}

/* (E_today / E_first)^(P / n) - 1 on the equities as doubles; NaN when
 * either is not positive (no growth rate exists) or the power overflows. */
static double cagr(jutsu_money_t first, jutsu_money_t today, double periods, double n)
{
    if (first <= 0 || today <= 0)
        return NAN;
    return pow((double)today / (double)first, periods / n) - 1.0;
}

void kpi_values(const struct kpi_acc *a, jutsu_money_t equity, int periods_per_year,
                double out[KPI_NCOLS])
{
    const double p = periods_per_year, n = (double)a->n, sqrt_p = sqrt(p);
    for (int i = 0; i < KPI_NCOLS; i++)
        out[i] = NAN;

    out[KPI_MAX_DRAWDOWN] = a->worst_drawdown;
    if (a->closed > 0)
        out[KPI_WIN_RATE] = 100.0 * (double)a->won / (double)a->closed;
    out[KPI_RETURNS_COUNT] = n;
    out[KPI_RETURNS_SUM] = a->sum;
    out[KPI_RETURNS_SUM_SQ] = a->sum_sq;
    out[KPI_DOWNSIDE_SUM_SQ] = a->downside_sq;
    out[KPI_WELFORD_COUNT] = n;
    if (a->n > 0) {
        out[KPI_WELFORD_MEAN] = a->mean;
        out[KPI_WELFORD_M2] = a->m2;
    }

    if (a->n >= 2) {
        /* M2 is a sum of non-negative terms, but rounding may leave -0 or
         * -1e-35 where the exact value is 0: sqrt must not see it. */
        double sd = sqrt(fmax(a->m2, 0.0) / (n - 1.0));
        double downside = sqrt(a->downside_sq / n);
        out[KPI_VOLATILITY] = sd * sqrt_p;
        if (sd >= KPI_MIN_DEVIATION)
            out[KPI_SHARPE] = a->mean / sd * sqrt_p;
        if (downside >= KPI_MIN_DEVIATION)
            out[KPI_SORTINO] = a->mean * p / (downside * sqrt_p);
        out[KPI_CAGR] = cagr(a->first_equity, equity, p, n);
        if (!isnan(out[KPI_CAGR]) && fabs(a->worst_drawdown) >= KPI_MIN_DEVIATION)
            out[KPI_CALMAR] = out[KPI_CAGR] / fabs(a->worst_drawdown);
    }

    /* never an infinity: a growth rate that overflows a double is as
     * undefined as one divided by zero */
    for (int i = 0; i < KPI_NCOLS; i++)
        if (isinf(out[i]))
            out[i] = NAN;
}
