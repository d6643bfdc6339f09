/*
 * jutsu/json.h — two helpers for the JSON that crosses the ABI as json-c
 * objects (bus payloads, a strategy's or a KPI's saved state, a broker's
 * order bodies): building an object without leaking a member when json-c
 * cannot take it, and naming a value's type in a message. Header-only, so
 * that only plugins that use JSON link json-c.
 */
#ifndef JUTSU_JSON_H
#define JUTSU_JSON_H

#include <json-c/json.h>

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

#endif
