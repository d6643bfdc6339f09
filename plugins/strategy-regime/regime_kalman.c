/*
 * plugins/strategy-regime/regime_kalman.c — the adaptive Kalman trend (see
 * regime_kalman.h for the model and every convention).
 */
#include <math.h>

#include "regime_kalman.h"

int regime_kalman_window(const struct regime_kalman_cfg *cfg)
{
    return cfg->osc_smoothness < REGIME_STRENGTH_MAX ? cfg->osc_smoothness
                                                     : REGIME_STRENGTH_MAX;
}

int regime_kalman_alloc(struct regime_kalman *k, const struct regime_kalman_cfg *cfg)
{
    *k = (struct regime_kalman){ 0 };
    if (ring_alloc(&k->innov, REGIME_INNOV_WINDOW) != 0 ||
        ring_alloc(&k->osc, (size_t)regime_kalman_window(cfg)) != 0) {
        regime_kalman_free(k);
        return -1;
    }
    regime_kalman_clear(k);
    return 0;
}

void regime_kalman_free(struct regime_kalman *k)
{
    ring_free(&k->innov);
    ring_free(&k->osc);
}

void regime_kalman_clear(struct regime_kalman *k)
{
    k->steps = 0;
    k->level = k->slope = 0.0;
    k->p00 = k->p11 = 1.0;
    k->p01 = 0.0;
    k->prev_volume = 0;
    ring_clear(&k->innov);
    ring_clear(&k->osc);
}

/* 100 * y / max |y| over the innovation window (which holds y). */
static double oscillator(const struct regime_ring *innov, double y)
{
    double peak = 0.0;
    for (size_t i = 0; i < innov->len; i++) {
        double a = fabs(ring_at(innov, i));
        if (a > peak)
            peak = a;
    }
    return peak > 0.0 ? 100.0 * y / peak : 0.0;
}

/* The weighted mean of the oscillators kept: weights 1..m, newest m. */
static double strength(const struct regime_ring *osc)
{
    double sum = 0.0, wsum = 0.0;
    for (size_t i = 0; i < osc->len; i++) {
        double w = (double)(i + 1);
        sum += w * ring_at(osc, i);
        wsum += w;
    }
    return osc->len ? sum / wsum : NAN;
}

static double clip1(double x)
{
    return x > 1.0 ? 1.0 : x < -1.0 ? -1.0 : x;
}

void regime_kalman_step(struct regime_kalman *k, const struct regime_kalman_cfg *cfg,
                        double close, int64_t volume, struct regime_trend *out)
{
    double ratio = 1.0;
    if (k->steps == 0) {
        k->level = close;
        k->slope = 0.0;
        k->p00 = k->p11 = 1.0;
        k->p01 = 0.0;
    } else {
        int64_t hi = k->prev_volume > volume ? k->prev_volume : volume;
        if (hi > 0)
            ratio = (double)k->prev_volume / (double)hi;
    }
    double r = cfg->measurement_noise * ratio;

    /* predict: x- = F x; P- = F P F' + Q, written out for F = [[1,1],[0,1]] */
    double xl = k->level + k->slope, xs = k->slope;
    double a = k->p00 + 2.0 * k->p01 + k->p11 + cfg->q1;
    double b = k->p01 + k->p11;
    double d = k->p11 + cfg->q2;

    /* innovate and update: K = P-[:,0] / S, x = x- + K y, P = (I - K H) P- */
    double y = close - xl;
    double s = a + r;
    double k0 = a / s, k1 = b / s;
    k->level = xl + k0 * y;
    k->slope = xs + k1 * y;
    k->p00 = (1.0 - k0) * a;
    k->p01 = (1.0 - k0) * b;
    k->p11 = d - k1 * b;
    k->prev_volume = volume;
    k->steps++;

    ring_push(&k->innov, y);
    if (k->steps >= REGIME_OSC_MIN_INNOVATIONS)
        ring_push(&k->osc, oscillator(&k->innov, y));
    regime_kalman_last(k, cfg, out);
}

void regime_kalman_last(const struct regime_kalman *k, const struct regime_kalman_cfg *cfg,
                        struct regime_trend *out)
{
    out->innovation = k->innov.len ? ring_back(&k->innov, 0) : NAN;
    out->oscillator = k->osc.len ? ring_back(&k->osc, 0) : NAN;
    out->strength = strength(&k->osc);
    out->t_norm = k->osc.len ? clip1(out->strength / cfg->t_max) : NAN;
}
