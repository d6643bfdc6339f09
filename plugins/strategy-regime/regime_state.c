/*
 * plugins/strategy-regime/regime_state.c — a v3_5b instance's state to and
 * from JSON (see regime_state.h for the layout and the rules of reading).
 *
 * Reading fills a separate, freshly allocated state and swaps it in only
 * when all of it was read, so that a refused state leaves nothing half
 * restored.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "jutsu/money.h"
#include "regime_state.h"
#include "regime_stats.h"

static const char *const bond_names[] = { "none", "bull", "bear" };

/* No number of a sound state comes near it (see read_windows). */
#define STATE_BOUND 1e15
#define OSC_SLACK   1e-9   /* rounding of the oscillator, see read_windows */

/* --- writing ---------------------------------------------------------------- */

static json_object *ring_json(const struct regime_ring *r)
{
    json_object *a = json_object_new_array_ext((int)r->len);
    for (size_t i = 0; a && i < r->len; i++)
        if (json_object_array_add(a, json_object_new_double(ring_at(r, i))) != 0) {
            json_object_put(a);
            return NULL;
        }
    return a;
}

static json_object *mring_json(const struct regime_mring *r)
{
    json_object *a = json_object_new_array_ext((int)r->len);
    char text[JUTSU_MONEY_BUFSZ];
    for (size_t i = 0; a && i < r->len; i++) {
        jutsu_money_format(mring_at(r, i), text);
        if (json_object_array_add(a, json_object_new_string(text)) != 0) {
            json_object_put(a);
            return NULL;
        }
    }
    return a;
}

static json_object *params_json(const struct regime_params *p)
{
    json_object *o = json_object_new_object();
    for (const struct regime_param *e = regime_param_table; o && e->key; e++) {
        const char *field = (const char *)p + e->offset;
        json_object *v;
        switch (e->type) {
        case REGIME_INT:  v = json_object_new_int64(*(const int64_t *)field); break;
        case REGIME_BOOL: v = json_object_new_boolean(*(const int *)field); break;
        case REGIME_SYM:  v = json_object_new_string(*(const char *const *)field); break;
        default:          v = json_object_new_double(*(const double *)field); break;
        }
        if (jutsu_json_add(o, e->key, v) != 0) {
            json_object_put(o);
            return NULL;
        }
    }
    return o;
}

static json_object *kalman_json(const struct regime_kalman *k)
{
    json_object *o = json_object_new_object();
    if (o == NULL || jutsu_json_add(o, "level", json_object_new_double(k->level)) ||
        jutsu_json_add(o, "slope", json_object_new_double(k->slope)) ||
        jutsu_json_add(o, "p00", json_object_new_double(k->p00)) ||
        jutsu_json_add(o, "p01", json_object_new_double(k->p01)) ||
        jutsu_json_add(o, "p11", json_object_new_double(k->p11)) ||
        jutsu_json_add(o, "prev_volume", json_object_new_int64(k->prev_volume))) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* The targets last committed, or NULL (JSON null) when none were. */
static json_object *traded_json(const struct regime *r, int *failed)
{
    *failed = 0;
    if (!r->m.has_traded)
        return NULL;
    json_object *a = json_object_new_array_ext((int)r->nsym);
    for (size_t i = 0; a && i < r->nsym; i++)
        if (json_object_array_add(a, json_object_new_double(r->m.traded[i])) != 0) {
            json_object_put(a);
            a = NULL;
        }
    *failed = a == NULL;
    return a;
}

json_object *regime_state_write(const struct regime *r)
{
    const struct regime_mut *m = &r->m;
    json_object *o = json_object_new_object(), *traded;
    if (o == NULL || jutsu_json_add(o, "version", json_object_new_int(REGIME_STATE_VERSION)) ||
        jutsu_json_add(o, "params", params_json(&r->p)) ||
        jutsu_json_add(o, "bars", json_object_new_int64(m->bars)) ||
        jutsu_json_add(o, "kalman", kalman_json(&m->kalman)) ||
        jutsu_json_add(o, "innovations", ring_json(&m->kalman.innov)) ||
        jutsu_json_add(o, "oscillators", ring_json(&m->kalman.osc)) ||
        jutsu_json_add(o, "closes", mring_json(&m->closes)) ||
        jutsu_json_add(o, "sigmas", ring_json(&m->sigmas)) ||
        jutsu_json_add(o, "bond_closes", mring_json(&m->bond_closes)) ||
        jutsu_json_add(o, "vol_state", json_object_new_string(regime_vol_name(m->vol))) ||
        jutsu_json_add(o, "cell", json_object_new_int(m->cell)) ||
        jutsu_json_add(o, "bond", json_object_new_string(bond_names[m->bond])))
        goto fail;
    /* JSON null is a NULL json_object, which jutsu_json_add() would take for a failure */
    int failed;
    traded = traded_json(r, &failed);
    if (failed)
        goto fail;
    if (json_object_object_add(o, "traded", traded) != 0) {
        json_object_put(traded);
        goto fail;
    }
    return o;
fail:
    json_object_put(o);
    return NULL;
}

/* --- reading ---------------------------------------------------------------- */

struct rd {
    char  *why;
    size_t whysz;
};

static int bad(struct rd *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct rd *rd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rd->why, rd->whysz, fmt, ap);
    va_end(ap);
    return -1;
}

/* The member `name` of obj (whose path is `at`, "" at the top). */
static int member(struct rd *rd, const json_object *obj, const char *at, const char *name,
                  json_object **v)
{
    if (json_object_object_get_ex(obj, name, v))
        return 0;
    return bad(rd, "member \"%s%s\" is missing", at, name);
}

static int is_number(const json_object *v)
{
    return json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int);
}

/* A finite number within [lo, hi]. */
static int get_double(struct rd *rd, const json_object *v, const char *at, const char *name,
                      double lo, double hi, double *out)
{
    if (!is_number(v))
        return bad(rd, "member \"%s%s\" is %s, not a number", at, name, jutsu_json_type_name(v));
    double d = json_object_get_double(v);
    if (!isfinite(d) || d < lo || d > hi)
        return bad(rd, "member \"%s%s\" is %.17g, not a finite number within %g..%g", at, name,
                   d, lo, hi);
    *out = d;
    return 0;
}

static int get_int(struct rd *rd, const json_object *v, const char *at, const char *name,
                   int64_t lo, int64_t hi, int64_t *out)
{
    if (!json_object_is_type(v, json_type_int))
        return bad(rd, "member \"%s%s\" is %s, not an integer", at, name, jutsu_json_type_name(v));
    int64_t i = json_object_get_int64(v);
    if (i < lo || i > hi)
        return bad(rd, "member \"%s%s\" is %lld, not within %lld..%lld", at, name, (long long)i,
                   (long long)lo, (long long)hi);
    *out = i;
    return 0;
}

/* One of `names` (n of them): its index. */
static int get_name(struct rd *rd, const json_object *obj, const char *name,
                    const char *const *names, int n, int *out)
{
    json_object *v;
    if (member(rd, obj, "", name, &v) != 0)
        return -1;
    if (!json_object_is_type(v, json_type_string))
        return bad(rd, "member \"%s\" is %s, not a string", name, jutsu_json_type_name(v));
    for (int i = 0; i < n; i++)
        if (strcmp(json_object_get_string(v), names[i]) == 0) {
            *out = i;
            return 0;
        }
    char list[64] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"",
                 i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
    return bad(rd, "member \"%s\" is \"%.40s\", not %s", name, json_object_get_string(v), list);
}

/* The first member of obj not in `known` (NULL-terminated), or NULL. */
static const char *unknown_member(const json_object *obj, const char *const *known)
{
    json_object_object_foreach((json_object *)obj, key, val) {
        (void)val;
        const char *const *k = known;
        while (*k && strcmp(*k, key) != 0)
            k++;
        if (*k == NULL)
            return key;
    }
    return NULL;
}

/* An array of exactly `len` members. */
static int get_array(struct rd *rd, const json_object *obj, const char *name, size_t len,
                     json_object **a)
{
    if (member(rd, obj, "", name, a) != 0)
        return -1;
    if (!json_object_is_type(*a, json_type_array))
        return bad(rd, "member \"%s\" is %s, not an array", name, jutsu_json_type_name(*a));
    size_t n = json_object_array_length(*a);
    if (n != len)
        return bad(rd, "member \"%s\" has %zu values, but the bar counts make it %zu", name, n,
                   len);
    return 0;
}

static int read_ring(struct rd *rd, const json_object *obj, const char *name, size_t len,
                     double lo, double hi, struct regime_ring *r)
{
    json_object *a;
    char at[64];
    if (get_array(rd, obj, name, len, &a) != 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        double d = 0; /* set by get_double on success; gcc -O3 cannot see it */
        snprintf(at, sizeof(at), "%s[%zu]", name, i);
        if (get_double(rd, json_object_array_get_idx(a, i), "", at, lo, hi, &d) != 0)
            return -1;
        ring_push(r, d);
    }
    return 0;
}

static int read_mring(struct rd *rd, const json_object *obj, const char *name, size_t len,
                      struct regime_mring *r)
{
    json_object *a;
    if (get_array(rd, obj, name, len, &a) != 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        json_object *v = json_object_array_get_idx(a, i);
        jutsu_money_t c;
        if (!json_object_is_type(v, json_type_string))
            return bad(rd, "member \"%s[%zu]\" is %s, not a decimal string such as \"101.230003\"",
                       name, i, jutsu_json_type_name(v));
        if (jutsu_money_parse(json_object_get_string(v), json_object_get_string_len(v),
                              JUTSU_MONEY_EXACT, &c) != 0 || c <= 0 || c > REGIME_CLOSE_MAX)
            return bad(rd, "member \"%s[%zu]\" is \"%.40s\", not a close above 0 with at most 6 "
                       "decimals", name, i, json_object_get_string(v));
        mring_push(r, c);
    }
    return 0;
}

/* params must be the instance's own, member for member. */
static int read_params(struct rd *rd, const json_object *obj, const struct regime_params *p)
{
    json_object *o, *v;
    if (member(rd, obj, "", "params", &o) != 0)
        return -1;
    if (!json_object_is_type(o, json_type_object))
        return bad(rd, "member \"params\" is %s, not an object", jutsu_json_type_name(o));
    for (const struct regime_param *e = regime_param_table; e->key; e++) {
        const char *field = (const char *)p + e->offset;
        char mine[64], theirs[64];
        if (member(rd, o, "params.", e->key, &v) != 0)
            return -1;
        int same;
        switch (e->type) {
        case REGIME_SYM:
            same = json_object_is_type(v, json_type_string) &&
                   strcmp(json_object_get_string(v), *(const char *const *)field) == 0;
            snprintf(mine, sizeof(mine), "%s", *(const char *const *)field);
            break;
        case REGIME_BOOL:
            same = json_object_is_type(v, json_type_boolean) &&
                   json_object_get_boolean(v) == *(const int *)field;
            snprintf(mine, sizeof(mine), "%s", *(const int *)field ? "true" : "false");
            break;
        case REGIME_INT:
            same = json_object_is_type(v, json_type_int) &&
                   json_object_get_int64(v) == *(const int64_t *)field;
            snprintf(mine, sizeof(mine), "%" PRId64, *(const int64_t *)field);
            break;
        default:
            same = is_number(v) && json_object_get_double(v) == *(const double *)field;
            snprintf(mine, sizeof(mine), "%.17g", *(const double *)field);
            break;
        }
        if (!same) {
            snprintf(theirs, sizeof(theirs), "%s", json_object_to_json_string(v));
            return bad(rd, "member \"params.%s\" is %s, but this instance's %s is %s: the "
                       "state was computed with other parameters (replay the bars instead)",
                       e->key, theirs, e->key, mine);
        }
    }
    json_object_object_foreach(o, key, val) {
        (void)val;
        const struct regime_param *e = regime_param_table;
        while (e->key && strcmp(e->key, key) != 0)
            e++;
        if (e->key == NULL)
            return bad(rd, "member \"params.%.64s\" is not a parameter of strategy-regime", key);
    }
    return 0;
}

static int read_kalman(struct rd *rd, const json_object *obj, struct regime_kalman *k)
{
    static const char *const known[] = { "level", "slope", "p00", "p01", "p11", "prev_volume",
                                         NULL };
    json_object *o, *v;
    const char *extra;
    if (member(rd, obj, "", "kalman", &o) != 0)
        return -1;
    if (!json_object_is_type(o, json_type_object))
        return bad(rd, "member \"kalman\" is %s, not an object", jutsu_json_type_name(o));
    /* closes are at most 1e9 (REGIME_CLOSE_MAX): a level, slope or variance
     * beyond STATE_BOUND is corrupt, and bounding it keeps p01^2 finite */
    struct { const char *name; double *out; double lo; } d[] = {
        { "level", &k->level, -STATE_BOUND }, { "slope", &k->slope, -STATE_BOUND },
        { "p00", &k->p00, 0 }, { "p01", &k->p01, -STATE_BOUND }, { "p11", &k->p11, 0 },
    };
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        if (member(rd, o, "kalman.", d[i].name, &v) != 0 ||
            get_double(rd, v, "kalman.", d[i].name, d[i].lo, STATE_BOUND, d[i].out) != 0)
            return -1;
    /* P is a covariance: positive semi-definite, or the next step divides by 0 */
    if (k->p01 * k->p01 > k->p00 * k->p11)
        return bad(rd, "members \"kalman.p00\", \"kalman.p01\", \"kalman.p11\" are not a "
                   "covariance (p01^2 > p00 * p11)");
    if (member(rd, o, "kalman.", "prev_volume", &v) != 0 ||
        get_int(rd, v, "kalman.", "prev_volume", 0, INT64_MAX - 1, &k->prev_volume) != 0)
        return -1;
    if ((extra = unknown_member(o, known)) != NULL)
        return bad(rd, "member \"kalman.%.64s\" is not one strategy-regime writes", extra);
    return 0;
}

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* The windows, each as long as `bars` signal bars make it. */
static int read_windows(struct rd *rd, const struct regime *r, const json_object *obj,
                        struct regime_mut *m)
{
    size_t bars = (size_t)m->bars, w = (size_t)r->p.realized_vol_window;
    size_t osc = bars >= REGIME_OSC_MIN_INNOVATIONS ? bars - (REGIME_OSC_MIN_INNOVATIONS - 1) : 0;
    size_t sig = bars > w ? bars - w : 0;
    json_object *a;
    if (read_ring(rd, obj, "innovations", min_sz(bars, m->kalman.innov.cap), -STATE_BOUND,
                  STATE_BOUND, &m->kalman.innov) != 0 ||
        /* 100 * y / peak is within +-100 in exact arithmetic; in doubles
         * the innovation that is its own peak can come out as
         * 100.00000000000001, and the state we saved must read back */
        read_ring(rd, obj, "oscillators", min_sz(osc, m->kalman.osc.cap), -100 - OSC_SLACK,
                  100 + OSC_SLACK, &m->kalman.osc) != 0 ||
        read_mring(rd, obj, "closes", min_sz(bars, m->closes.cap), &m->closes) != 0 ||
        read_ring(rd, obj, "sigmas", min_sz(sig, m->sigmas.cap), 0, STATE_BOUND,
                  &m->sigmas) != 0)
        return -1;
    /* the bond signal's bars are its own: any count up to its window */
    if (member(rd, obj, "", "bond_closes", &a) != 0)
        return -1;
    size_t nb = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
    if (nb > m->bond_closes.cap)
        return bad(rd, "member \"bond_closes\" has %zu values, more than the %zu kept", nb,
                   m->bond_closes.cap);
    return read_mring(rd, obj, "bond_closes", nb, &m->bond_closes);
}

static int read_traded(struct rd *rd, const struct regime *r, const json_object *obj,
                       struct regime_mut *m)
{
    json_object *a;
    char at[32];
    if (member(rd, obj, "", "traded", &a) != 0)
        return -1;
    m->has_traded = a != NULL;
    if (a == NULL)
        return 0;
    if (get_array(rd, obj, "traded", r->nsym, &a) != 0)
        return -1;
    for (size_t i = 0; i < r->nsym; i++) {
        snprintf(at, sizeof(at), "traded[%zu]", i);
        if (get_double(rd, json_object_array_get_idx(a, i), "", at, 0, STATE_BOUND,
                       &m->traded[i]) != 0)
            return -1;
    }
    return 0;
}

static int read_all(struct rd *rd, const struct regime *r, const json_object *obj,
                    struct regime_mut *m)
{
    static const char *const known[] = {
        "version", "params", "bars", "kalman", "innovations", "oscillators", "closes",
        "sigmas", "bond_closes", "vol_state", "cell", "bond", "traded", NULL
    };
    static const char *const vols[] = { "Low", "High" };
    json_object *v;
    int64_t i;
    const char *extra;
    if (obj == NULL || !json_object_is_type(obj, json_type_object))
        return bad(rd, "it is %s, not a JSON object", jutsu_json_type_name(obj));
    if (member(rd, obj, "", "version", &v) != 0 ||
        get_int(rd, v, "", "version", 0, INT64_MAX - 1, &i) != 0)
        return -1;
    if (i != REGIME_STATE_VERSION)
        return bad(rd, "member \"version\" is %lld, but this strategy-regime reads layout %d "
                   "only", (long long)i, REGIME_STATE_VERSION);
    if (read_params(rd, obj, &r->p) != 0 || member(rd, obj, "", "bars", &v) != 0 ||
        get_int(rd, v, "", "bars", 0, INT64_MAX - 1, &m->bars) != 0 ||
        read_kalman(rd, obj, &m->kalman) != 0)
        return -1;
    m->kalman.steps = m->bars;
    if (read_windows(rd, r, obj, m) != 0 || get_name(rd, obj, "vol_state", vols, 2, &m->vol) ||
        get_name(rd, obj, "bond", bond_names, 3, &m->bond) != 0 ||
        member(rd, obj, "", "cell", &v) != 0 || get_int(rd, v, "", "cell", 0, 6, &i) != 0)
        return -1;
    m->cell = (int)i;
    if ((m->cell == 0) != (m->bars <= r->warmup))
        return bad(rd, "member \"cell\" is %d after %lld bars, but the warm-up is %d bars "
                   "(a cell exactly when warm, from bar %d on)", m->cell, (long long)m->bars,
                   (int)r->warmup, (int)r->warmup + 1);
    if (m->cell == 0 && m->bond != REGIME_BOND_NONE)
        return bad(rd, "member \"bond\" is \"%s\" while there is no cell", bond_names[m->bond]);
    if (read_traded(rd, r, obj, m) != 0)
        return -1;
    if ((extra = unknown_member(obj, known)) != NULL)
        return bad(rd, "member \"%.64s\" is not one strategy-regime writes", extra);
    return 0;
}

int regime_state_read(struct regime *r, const json_object *obj, char *why, size_t whysz)
{
    struct rd rd = { why, whysz };
    struct regime_mut m;
    if (regime_mut_alloc(r, &m) != 0) {
        snprintf(why, whysz, "out of memory");
        regime_reset(r);
        return JUTSU_ENOMEM;
    }
    if (read_all(&rd, r, obj, &m) != 0) {
        regime_mut_free(&m);
        regime_reset(r);
        return JUTSU_EMALFORMED;
    }
    regime_mut_free(&r->m);
    r->m = m;
    return 0;
}
