/*
 * plugins/kpi-standard/kpi_state.c — struct kpi_acc to and from JSON (see
 * kpi_state.h). The members are one table, read and written by the same
 * loop, so that the two directions cannot drift apart.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "jutsu/money.h"
#include "kpi_state.h"

enum kind {
    M_COUNT,    /* int64 >= 0, a JSON integer                              */
    M_REAL,     /* double, any finite JSON number                          */
    M_NONNEG,   /* double >= 0 (sums of squares, M2)                       */
    M_NONPOS,   /* double <= 0 (a drawdown)                                */
    M_MONEY     /* jutsu_money_t as exact decimal text                     */
};

struct member {
    const char *name;
    enum kind   kind;
    size_t      offset;   /* in struct kpi_acc */
};

#define M(n, k, f) { n, k, offsetof(struct kpi_acc, f) }

static const struct member members[] = {
    M("n",               M_COUNT,  n),
    M("mean",            M_REAL,   mean),
    M("m2",              M_NONNEG, m2),
    M("sum",             M_REAL,   sum),
    M("sum_sq",          M_NONNEG, sum_sq),
    M("downside_sum_sq", M_NONNEG, downside_sq),
    M("first_equity",    M_MONEY,  first_equity),
    M("worst_drawdown",  M_NONPOS, worst_drawdown),
    M("trades_closed",   M_COUNT,  closed),
    M("trades_won",      M_COUNT,  won),
    M("trades_lost",     M_COUNT,  lost),
};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

/* A copy of the accumulator an object was written from, kept on the object
 * (json-c's userdata): the next day's fold gets that object back from the
 * host and reads the copy instead of its twelve members, which was a
 * third of a backtest's KPI time. An object parsed from a row's text has
 * no copy and is read member by member. */
#define KPI_COPY_MAGIC 0x6b706973u   /* "kpis" */

struct kpi_copy {
    uint32_t       magic;
    struct kpi_acc a;
};

static void free_copy(json_object *o, void *copy)
{
    (void)o;
    free(copy);
}

/* A member of a new object: each key is a literal, added once, so json-c
 * need neither look for it nor copy it (that was most of writing a state). */
static int add_new(json_object *o, const char *key, json_object *v)
{
    if (v == NULL)
        return -1;
    if (json_object_object_add_ex(o, key, v, JSON_C_OBJECT_ADD_KEY_IS_NEW |
                                                 JSON_C_OBJECT_KEY_IS_CONSTANT) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

json_object *kpi_state_write(const struct kpi_acc *a)
{
    json_object *o = json_object_new_object();
    struct kpi_copy *copy = malloc(sizeof(*copy));
    if (copy == NULL) {
        json_object_put(o);
        return NULL;
    }
    copy->magic = KPI_COPY_MAGIC;
    copy->a = *a;
    if (o == NULL) {
        free(copy);
        return NULL;
    }
    json_object_set_userdata(o, copy, free_copy);
    if (add_new(o, "version", json_object_new_int(KPI_STATE_VERSION)) != 0)
        goto fail;
    for (size_t i = 0; i < NMEMBERS; i++) {
        const char *field = (const char *)a + members[i].offset;
        json_object *v;
        char text[JUTSU_MONEY_BUFSZ];
        switch (members[i].kind) {
        case M_COUNT:
            v = json_object_new_int64(*(const int64_t *)field);
            break;
        case M_MONEY:
            jutsu_money_format(*(const jutsu_money_t *)field, text);
            v = json_object_new_string(text);
            break;
        default:
            v = json_object_new_double(*(const double *)field);
            break;
        }
        if (add_new(o, members[i].name, v) != 0)
            goto fail;
    }
    return o;
fail:
    json_object_put(o);
    return NULL;
}

static int read_member(const json_object *obj, const struct member *m, struct kpi_acc *a,
                       char *why, size_t whysz)
{
    json_object *v;
    char *field = (char *)a + m->offset;
    if (!json_object_object_get_ex(obj, m->name, &v)) {
        snprintf(why, whysz, "member \"%s\" is missing", m->name);
        return JUTSU_EMALFORMED;
    }
    enum json_type t = json_object_get_type(v);
    if (m->kind == M_MONEY) {
        jutsu_money_t money;
        if (t != json_type_string) {
            snprintf(why, whysz, "member \"%s\" is %s, not a decimal string such as "
                     "\"10000.000000\"", m->name, jutsu_json_type_name(v));
            return JUTSU_EMALFORMED;
        }
        const char *text = json_object_get_string(v);
        if (jutsu_money_parse(text, json_object_get_string_len(v), JUTSU_MONEY_EXACT,
                              &money) != 0) {
            snprintf(why, whysz, "member \"%s\" is \"%.40s\", not an amount of money with at "
                     "most 6 decimals", m->name, text);
            return JUTSU_EMALFORMED;
        }
        *(jutsu_money_t *)field = money;
        return 0;
    }
    if (m->kind == M_COUNT) {
        if (t != json_type_int) {
            snprintf(why, whysz, "member \"%s\" is %s, not a count (an integer >= 0)",
                     m->name, jutsu_json_type_name(v));
            return JUTSU_EMALFORMED;
        }
        /* json-c saturates integers beyond int64; a count that large is
         * corrupt anyway, and so is a negative one */
        int64_t count = json_object_get_int64(v);
        if (count < 0 || count == INT64_MAX) {
            snprintf(why, whysz, "member \"%s\" is %lld, not a count (an integer >= 0)",
                     m->name, (long long)count);
            return JUTSU_EMALFORMED;
        }
        *(int64_t *)field = count;
        return 0;
    }
    /* a JSON number is a number: 0 written by another tool is as good as 0.0 */
    if (t != json_type_double && t != json_type_int) {
        snprintf(why, whysz, "member \"%s\" is %s, not a number", m->name, jutsu_json_type_name(v));
        return JUTSU_EMALFORMED;
    }
    double d = json_object_get_double(v);
    if (!isfinite(d) || (m->kind == M_NONNEG && d < 0) || (m->kind == M_NONPOS && d > 0)) {
        snprintf(why, whysz, "member \"%s\" is %.17g, %s", m->name, d,
                 !isfinite(d) ? "not a finite number"
                 : m->kind == M_NONNEG ? "but it cannot be negative" : "but it cannot be positive");
        return JUTSU_EMALFORMED;
    }
    *(double *)field = d;
    return 0;
}

/* The first member of obj that the layout does not have, or NULL. */
static const char *unknown_member(const json_object *obj)
{
    json_object_object_foreach((json_object *)obj, key, val) {
        (void)val;
        int known = strcmp(key, "version") == 0;
        for (size_t i = 0; !known && i < NMEMBERS; i++)
            known = strcmp(key, members[i].name) == 0;
        if (!known)
            return key;
    }
    return NULL;
}

int kpi_state_read(const json_object *obj, struct kpi_acc *a, char *why, size_t whysz)
{
    json_object *v;
    int rc;
    memset(a, 0, sizeof(*a));
    /* json-c keeps its own userdata on other types (a parsed double's
     * text): only an object's can be a copy of ours */
    const struct kpi_copy *copy = obj && json_object_get_type(obj) == json_type_object
                                  ? json_object_get_userdata((json_object *)obj) : NULL;
    if (copy != NULL && copy->magic == KPI_COPY_MAGIC) {
        *a = copy->a;   /* written by kpi_state_write from these values */
        return 0;
    }
    if (obj == NULL || json_object_get_type(obj) != json_type_object) {
        snprintf(why, whysz, "it is %s, not a JSON object", jutsu_json_type_name(obj));
        return JUTSU_EMALFORMED;
    }
    if (!json_object_object_get_ex(obj, "version", &v)) {
        snprintf(why, whysz, "member \"version\" is missing");
        return JUTSU_EMALFORMED;
    }
    if (json_object_get_type(v) != json_type_int) {
        snprintf(why, whysz, "member \"version\" is %s, not an integer", jutsu_json_type_name(v));
        return JUTSU_EMALFORMED;
    }
    if (json_object_get_int64(v) != KPI_STATE_VERSION) {
        snprintf(why, whysz, "member \"version\" is %lld, but this kpi-standard reads layout "
                 "%d only", (long long)json_object_get_int64(v), KPI_STATE_VERSION);
        return JUTSU_EMALFORMED;
    }
    for (size_t i = 0; i < NMEMBERS; i++)
        if ((rc = read_member(obj, &members[i], a, why, whysz)) != 0)
            return rc;
    const char *extra = unknown_member(obj);
    if (extra) {
        snprintf(why, whysz, "member \"%.64s\" is not one kpi-standard writes", extra);
        return JUTSU_EMALFORMED;
    }
    if (a->won > a->closed || a->lost > a->closed - a->won) {
        snprintf(why, whysz, "members \"trades_won\" (%lld) and \"trades_lost\" (%lld) add up "
                 "to more than \"trades_closed\" (%lld)", (long long)a->won,
                 (long long)a->lost, (long long)a->closed);
        return JUTSU_EMALFORMED;
    }
    return 0;
}
