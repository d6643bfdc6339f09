/*
 * tests/unit/strategy_fx.h — what test_strategy_regime's files share: an
 * app without a database holding strategy instances loaded as real
 * plugins ($JUTSU_PLUGIN_PATH), the bundled sample data as trading days,
 * and one call that feeds a day and records the answer.
 *
 * Every helper asserts (Check) instead of returning errors.
 */
#ifndef JUTSU_STRATEGY_FX_H
#define JUTSU_STRATEGY_FX_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "jutsu/strategy.h"
#include "host/app.h"

/* ck_assert_msg without its bookkeeping on success: Check records every
 * assertion it passes (through a pipe, when forking), which in the
 * per-day loops over the whole sample data costs more than the test. */
#define CHECK(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

/* --- the app ------------------------------------------------------------------ */

struct sfx {
    struct jutsu_app *app;
    int               rc;          /* of load_plugins, then of start */
    char              diag[2048];  /* what loading the plugins said   */
};

/* `plugins` is the YAML list of instances. Does not assert success: see
 * sfx_start for that. */
void sfx_open(struct sfx *f, const char *plugins);
/* sfx_open, asserting that every instance started. */
void sfx_start(struct sfx *f, const char *plugins);
void sfx_close(struct sfx *f);

/* The instance `name` (asserted to exist) and its ops. */
struct jutsu_ctx *sfx_inst(struct sfx *f, const char *name);
const struct jutsu_strategy_ops *sfx_ops(const struct jutsu_ctx *c);
/* needs() of an instance, asserted to succeed; returns the symbol count. */
size_t sfx_needs(struct jutsu_ctx *c, struct jutsu_strategy_needs *nd);

/* --- the sample data ---------------------------------------------------------- */

/* Bars of several symbols on the union of their dates, in date order:
 * bar(d, k) belongs to symbols[k] on dates[d], valid when has(d, k). */
struct sample {
    size_t            ndays, nsym;
    const char       *symbols[JUTSU_STRATEGY_MAX_SYMBOLS];
    jutsu_date_t     *dates;
    struct jutsu_bar *bars;     /* ndays * nsym */
    uint8_t          *has;      /* ndays * nsym */
};

/* conf/sample-data/SYMBOL.csv of every symbol (NULL-terminated), prices
 * parsed exactly. */
void sample_load(struct sample *s, const char *const *symbols);
void sample_free(struct sample *s);
/* Day d as the job would hand it over (pointing into s). */
void sample_day(const struct sample *s, size_t d, struct jutsu_strategy_day *out);
/* The index of a date, or (size_t)-1. */
size_t sample_find(const struct sample *s, jutsu_date_t date);

/* --- one day ------------------------------------------------------------------ */

/* An answer, in a form that compares. */
struct srec {
    int                          rc;
    struct jutsu_strategy_signal sig;     /* extras moved to `extras` */
    char                        *extras;  /* JSON text, or NULL       */
};

/* Feeds `day` to c the way the host calls on_day (signal zeroed, sized,
 * NaN in every double) and records the answer into *r (free with
 * srec_free). */
void sfx_feed(struct jutsu_ctx *c, const struct jutsu_strategy_day *day, struct srec *r);
void srec_free(struct srec *r);
/* Asserts that two answers are identical (bit for bit, extras as text). */
void srec_assert_same(const struct srec *a, const struct srec *b, size_t nsym,
                      const char *what, size_t day);

/* The saved state as compact JSON text (malloc'd); asserts save works. */
char *sfx_save(struct jutsu_ctx *c);
/* Restores JSON text (NULL: JSON null) into c; returns restore's code. */
int sfx_restore(struct jutsu_ctx *c, const char *text);
/* committed(), asserted present in the table; returns its code. */
int sfx_commit(struct jutsu_ctx *c, const double *weights, size_t n);

/* got equals want within 1e-9 relative (absolute below 1); NaN only
 * equals NaN. */
int sfx_near(double got, double want);

/* --- the cases in strategy_real.c ---------------------------------------------- */

TCase *strategy_real_tcase(void);

#endif
