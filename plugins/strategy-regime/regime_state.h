/*
 * plugins/strategy-regime/regime_state.h — the JSON form of a v3_5b
 * instance's state (struct regime_mut), for the strategy ops save and
 * restore.
 *
 *   {"version": 1,
 *    "params": {"measurement_noise": 3000.0, ..., "signal_symbol": "QQQ", ...},
 *    "bars": 2000,
 *    "kalman": {"level": 101.2, "slope": 0.05, "p00": ..., "p01": ..., "p11": ...,
 *               "prev_volume": 39709700},
 *    "innovations": [...], "oscillators": [...],
 *    "closes": ["101.230003", ...], "sigmas": [...], "bond_closes": ["87.389999", ...],
 *    "vol_state": "Low", "cell": 3, "bond": "bull",
 *    "traded": null | [0.2, 0.8, 0.0, ...]}
 *
 * Windows are written oldest first, only the values kept (so the text is
 * the same however the rings happen to be rotated in memory). Closes are
 * exact decimal text (jutsu_money_format), never doubles; every double is
 * written by json-c with 17 significant digits and reads back to the same
 * bits. `params` holds every parameter the state was computed with:
 * restore refuses a state computed with other parameters (the job replays
 * the bars instead). Reading is strict: every member present, of its type,
 * in its range, no other member, each window exactly as long as the bar
 * count implies; the error names the member ("kalman.p00").
 *
 * Thread-safety: reentrant; regime_state_read only reads `obj`.
 */
#ifndef REGIME_STATE_H
#define REGIME_STATE_H

#include <stddef.h>

#include "regime.h"

struct json_object;

#define REGIME_STATE_VERSION 1

/* A new JSON object holding r's state (the caller owns it), or NULL when
 * out of memory. */
struct json_object *regime_state_write(const struct regime *r);

/*
 * Reads `obj` into r's state. Returns 0; JUTSU_EMALFORMED with the reason
 * in `why`, r's state then reset (as after init); or JUTSU_ENOMEM.
 */
int regime_state_read(struct regime *r, const struct json_object *obj, char *why, size_t whysz);

#endif
