/*
 * plugins/strategy-regime/regime_kalman.h — the trend half of v3_5b: an
 * adaptive Kalman filter on the signal symbol's closes, and the trend
 * strength `t_norm` read from its innovations.
 *
 * The filter tracks x = [level, slope] with
 *
 *   F = [[1, 1], [0, 1]]   H = [1, 0]   Q = diag(q1, q2)   P0 = I
 *   R = measurement_noise * ratio,  ratio = v_prev / max(v_prev, v)
 *
 * where v is today's volume and v_prev the previous bar's: a bar traded on
 * more volume than the last one is trusted more (a smaller R). On the first
 * bar, and whenever max(v_prev, v) is 0, the ratio is 1.
 *
 * Every bar is one step. The first bar starts the filter at
 * x0 = [close, 0], P0 = I and then steps like every other bar, so its
 * innovation is 0 by construction:
 *
 *   predict   x- = F x            P- = F P F' + Q
 *   innovate  y  = close - x-[0]  S  = P-[0][0] + R    K = P-[:,0] / S
 *   update    x  = x- + K y       P  = (I - K H) P-
 *
 * From the innovations:
 *
 *   oscillator = 100 * y / max |y| over the last REGIME_INNOV_WINDOW
 *                innovations (today's included), once
 *                REGIME_OSC_MIN_INNOVATIONS exist (before: none, NaN);
 *                0 when every innovation in the window is 0
 *   strength   = the linearly weighted mean of the last m oscillators,
 *                weights 1..m with the newest weighing m, where
 *                m = min(n, oscillators so far), n = min(osc_smoothness,
 *                REGIME_STRENGTH_MAX)
 *   t_norm     = clip(strength / t_max, -1, 1)
 *
 * P is kept as its three distinct entries (it is symmetric by
 * construction; keeping one off-diagonal value keeps it exactly so).
 *
 * Nothing here allocates except regime_kalman_alloc, logs or touches
 * json-c. Thread-safety: one filter per instance, one thread at a time.
 */
#ifndef REGIME_KALMAN_H
#define REGIME_KALMAN_H

#include <stdint.h>

#include "regime_ring.h"

#define REGIME_INNOV_WINDOW         500  /* innovations the oscillator scales by */
#define REGIME_OSC_MIN_INNOVATIONS  15   /* innovations before the first oscillator */
#define REGIME_STRENGTH_MAX         20   /* the strength window's upper bound */

struct regime_kalman_cfg {
    double measurement_noise;   /* R before the volume ratio, > 0          */
    double q1, q2;              /* process noise of level and slope, > 0    */
    int    osc_smoothness;      /* n = min(osc_smoothness, 20) oscillators  */
    double t_max;               /* strength / t_max is t_norm, > 0          */
};

struct regime_kalman {
    int64_t steps;              /* bars filtered so far                     */
    double  level, slope;       /* x                                        */
    double  p00, p01, p11;      /* P = [[p00, p01], [p01, p11]]             */
    int64_t prev_volume;        /* the last bar's volume (steps > 0)        */
    struct regime_ring innov;   /* the last REGIME_INNOV_WINDOW innovations */
    struct regime_ring osc;     /* the last n oscillators                   */
};

/* What one step produced; NaN where not defined yet. */
struct regime_trend {
    double innovation, oscillator, strength, t_norm;
};

/* The strength window n for a config: min(osc_smoothness, 20). */
int regime_kalman_window(const struct regime_kalman_cfg *cfg);

/* Allocates the rings for `cfg` and starts empty. 0 or -1 (out of
 * memory; the filter then holds nothing to free). */
int  regime_kalman_alloc(struct regime_kalman *k, const struct regime_kalman_cfg *cfg);
void regime_kalman_free(struct regime_kalman *k);
/* Back to before the first bar, keeping the storage. */
void regime_kalman_clear(struct regime_kalman *k);

/* Filters one bar: close in price units (the exact close converted once),
 * volume >= 0. Fills *out with what the bar produced. */
void regime_kalman_step(struct regime_kalman *k, const struct regime_kalman_cfg *cfg,
                        double close, int64_t volume, struct regime_trend *out);

/* The oscillator, strength and t_norm of the last step, recomputed from
 * the rings (what the last step returned); innovation is the last one.
 * All NaN before the first step. */
void regime_kalman_last(const struct regime_kalman *k, const struct regime_kalman_cfg *cfg,
                        struct regime_trend *out);

#endif
