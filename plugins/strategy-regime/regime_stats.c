/*
 * plugins/strategy-regime/regime_stats.c — SMAs, realized volatility and
 * its z-score over the rings (see regime_stats.h for the definitions and
 * why they are computed this way).
 */
#include <math.h>
#include <stdint.h>

#include "regime_stats.h"

double regime_sma(const struct regime_mring *closes, size_t n)
{
    if (n == 0 || closes->len < n)
        return NAN;
    int64_t sum = 0;   /* exact: see REGIME_CLOSE_MAX */
    for (size_t k = 0; k < n; k++)
        sum += mring_back(closes, k);
    return (double)sum / ((double)n * (double)JUTSU_MONEY_SCALE);
}

double regime_realized_vol(const struct regime_mring *closes, size_t w)
{
    if (w < 2 || closes->len < w + 1)
        return NAN;
    /* the returns oldest first: r_j = ln(c_j / c_(j-1)) over the newest w + 1 closes */
    size_t first = closes->len - (w + 1);
    double mean = 0.0, ss = 0.0;
    for (size_t j = 1; j <= w; j++)
        mean += log((double)mring_at(closes, first + j) / (double)mring_at(closes, first + j - 1));
    mean /= (double)w;
    for (size_t j = 1; j <= w; j++) {
        double r = log((double)mring_at(closes, first + j) /
                       (double)mring_at(closes, first + j - 1));
        ss += (r - mean) * (r - mean);
    }
    return sqrt(ss / (double)(w - 1)) * sqrt((double)REGIME_DAYS_PER_YEAR);
}

void regime_mean_sd(const struct regime_ring *values, size_t n, double *mean, double *sd)
{
    *mean = *sd = NAN;
    if (n < 2 || values->len < n)
        return;
    size_t first = values->len - n;
    double m = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        m += ring_at(values, first + i);
    m /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = ring_at(values, first + i) - m;
        ss += d * d;
    }
    *mean = m;
    *sd = sqrt(ss / (double)(n - 1));
}

double regime_zscore(const struct regime_ring *sigmas, size_t n)
{
    double mean, sd;
    regime_mean_sd(sigmas, n, &mean, &sd);
    if (!(sd > 0.0))
        return NAN;
    return (ring_back(sigmas, 0) - mean) / sd;
}

double regime_vol_change(const struct regime_ring *sigmas, size_t lag)
{
    if (lag == 0 || sigmas->len < lag + 1)
        return NAN;
    double then = ring_back(sigmas, lag);
    if (!(then > 0.0))
        return NAN;
    return ring_back(sigmas, 0) / then - 1.0;
}
