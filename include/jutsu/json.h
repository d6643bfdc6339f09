/*
 * jutsu/json.h — helpers for the JSON that crosses the ABI as json-c
 * objects (bus payloads, a strategy's or a KPI's saved state, a broker's
 * order bodies, REST answers): building an object without leaking a member
 * when json-c cannot take it, naming a value's type in a message, and the
 * house's value conventions (money as an exact decimal string, ratios
 * rounded to their column's precision, dates and instants as text).
 * Header-only, so that only plugins that use JSON link json-c.
 */
#ifndef JUTSU_JSON_H
#define JUTSU_JSON_H

#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/clock.h"
#include "jutsu/money.h"

#ifndef JUTSU_MONEY_NULL
#define JUTSU_MONEY_NULL INT64_MIN
#endif

/* Adds val under key, taking the reference also on failure (json-c keeps
 * it only on success): 0, or -1 when val is NULL (a failed constructor) or
 * it could not be added. */
static inline int jutsu_json_add(json_object *o, const char *key, json_object *val)
{
    if (val == NULL)
        return -1;
    if (json_object_object_add(o, key, val) != 0) {
        json_object_put(val);
        return -1;
    }
    return 0;
}

/* What a JSON value is, for messages: "a string", "null". */
static inline const char *jutsu_json_type_name(const json_object *v)
{
    switch (v == NULL ? json_type_null : json_object_get_type(v)) {
    case json_type_null:    return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double:  return "a floating-point number";
    case json_type_int:     return "an integer";
    case json_type_object:  return "an object";
    case json_type_array:   return "an array";
    case json_type_string:  return "a string";
    }
    return "of an unknown JSON type";
}

/* Money as an exact six-decimal string ("12345.678900"); JUTSU_MONEY_NULL
 * as JSON null (NULL: json-c's null is a NULL object). */
static inline json_object *jutsu_json_money(jutsu_money_t v)
{
    char buf[32];
    if (v == JUTSU_MONEY_NULL || jutsu_money_format(v, buf) < 0)
        return NULL;
    return json_object_new_string(buf);
}

#define JUTSU_JSON_RATIO_BUFSZ 48

/* The text jutsu_json_ratio gives a ratio, into buf (JUTSU_JSON_RATIO_BUFSZ
 * bytes): its length, or -1 for what it writes as null. For a writer that
 * prints JSON without building it. */
static inline int jutsu_json_ratio_text(double v, int decimals, char *buf)
{
    if (!isfinite(v))
        return -1;
    if (decimals < 0 || decimals > 12)
        decimals = 6;
    int n = snprintf(buf, JUTSU_JSON_RATIO_BUFSZ, "%.*f", decimals, v);
    if (n <= 0 || n >= JUTSU_JSON_RATIO_BUFSZ)
        return -1;
    if (strchr(buf, '.') != NULL) {
        while (n > 1 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (buf[n - 1] == '.')
            buf[--n] = '\0';
    }
    if (strcmp(buf, "-0") == 0) {
        memcpy(buf, "0", 2);
        n = 1;
    }
    return n;
}

/* A ratio rounded to `decimals` places (its column's precision: 6 for
 * NUMERIC(10,6), 2 for a percent of NUMERIC(5,2)) and written as that
 * text, trailing zeros dropped: 0.222724, never 0.22272400000000001.
 * NaN and infinities as null. */
static inline json_object *jutsu_json_ratio(double v, int decimals)
{
    char buf[JUTSU_JSON_RATIO_BUFSZ];
    if (jutsu_json_ratio_text(v, decimals, buf) < 0)
        return NULL;
    return json_object_new_double_s(strtod(buf, NULL), buf);
}

/* A date as "YYYY-MM-DD"; an instant as RFC 3339 UTC; 0 as null. */
static inline json_object *jutsu_json_date(jutsu_date_t d)
{
    char buf[16];
    return jutsu_date_format(d, buf) < 0 ? NULL : json_object_new_string(buf);
}

static inline json_object *jutsu_json_time(jutsu_time_t t)
{
    char buf[40];
    if (t == 0 || jutsu_time_format(t, buf) < 0)
        return NULL;
    return json_object_new_string(buf);
}

#endif
