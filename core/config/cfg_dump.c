/*
 * core/config/cfg_dump.c — the config tree written out: YAML for `config show`,
 * JSON for `--format json` and the REST API, with secrets masked in both:
 * what the schema flags (JUTSU_CFG_SECRET, and the host's marks), every key
 * named like a credential, and the credentials inside a DSN or URL.
 *
 * The YAML goes through libyaml's emitter, which knows when a string must
 * be quoted. Two things it cannot know are ours: a value that is a string
 * but reads as null must be quoted, and '$' must be written "$$" because
 * loading expands ${...} again. With both, dump-then-load gives back the
 * same values.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "config/cfg.h"

#define MASK "********"

static int is_secret(const jutsu_cfg_node *n)
{
    return (n->flags & JUTSU_CFG_SECRET) != 0;
}

/* ---- secrets the schema does not flag ----------------------------------- */

/* A key named like a credential: one of these words, alone or as the last
 * part of a snake_case name (jwt_secret, refresh_token, aws_access_key),
 * whatever plugin or section it is in. Words that only end a name this way
 * (token_ttl, secret_key_file) are settings about a secret, not one. */
static const char *const secret_words[] = {
    "password", "passwd", "passphrase", "secret", "token", "api_key", "apikey",
    "private_key", "secret_key", "access_key", "credentials", NULL
};

static int secret_name(const char *name, size_t len)
{
    for (const char *const *w = secret_words; *w; w++) {
        size_t wl = strlen(*w);
        if (len == wl && strncasecmp(name, *w, wl) == 0)
            return 1;
        if (len > wl && name[len - wl - 1] == '_' && strncasecmp(name + len - wl, *w, wl) == 0)
            return 1;
    }
    return 0;
}

static int secret_key(const char *key)
{
    return secret_name(key, strlen(key));
}

/* Appends n bytes to the buffer of `out` (len used, cap allocated). */
static int put(char **out, size_t *len, size_t *cap, const char *p, size_t n)
{
    /* a config text is far below this; the bound also lets gcc -O3 see that
     * the memcpy below cannot be given a "negative" length */
    if (n > PTRDIFF_MAX / 4 || *len > PTRDIFF_MAX / 4)
        return -1;
    if (*len + n + 1 > *cap) {
        size_t c = (*len + n + 1) * 2;
        char *b = realloc(*out, c);
        if (b == NULL)
            return -1;
        *out = b;
        *cap = c;
    }
    memcpy(*out + *len, p, n);
    *len += n;
    (*out)[*len] = '\0';
    return 0;
}

/* Where the value after "name=" ends: a quoted value at its closing quote,
 * else at a blank, '&', ';' or ','. */
static size_t value_end(const char *v)
{
    if (*v == '\'' || *v == '"') {
        const char *q = strchr(v + 1, *v);
        return q ? (size_t)(q - v) + 1 : strlen(v);
    }
    return strcspn(v, " \t\r\n&;,");
}

/*
 * The credentials inside a text: the password of a URL's userinfo
 * (postgresql://user:PASS@host/db, https://user:PASS@host) and the value of
 * a secret-named "key=value" (a libpq DSN's password=..., a URL's
 * ?token=...), each replaced by MASK. *masked is a new string (the caller
 * frees it) when there was anything to hide, else NULL. 0 or JUTSU_ENOMEM.
 */
static int mask_text(const char *t, char **masked)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    int hid = 0;
    const char *p = t, *auth = strstr(t, "://");
    *masked = NULL;
    if (auth) {
        auth += 3;
        size_t alen = strcspn(auth, "/?#");
        const char *at = NULL, *colon;
        for (const char *q = auth; q < auth + alen; q++)
            if (*q == '@')
                at = q;
        colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            if (put(&out, &len, &cap, t, (size_t)(colon + 1 - t)) ||
                put(&out, &len, &cap, MASK, strlen(MASK)))
                goto oom;
            p = at;
            hid = 1;
        }
    }
    while (*p) {
        const char *eq = strchr(p, '=');
        if (eq == NULL)
            break;
        const char *name = eq;
        while (name > p && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
            name--;
        int starts = name == t || strchr(" \t?&;,", name[-1]) != NULL;
        size_t end = value_end(eq + 1);
        if (name < eq && starts && secret_name(name, (size_t)(eq - name)) && end > 0) {
            if (put(&out, &len, &cap, p, (size_t)(eq + 1 - p)) ||
                put(&out, &len, &cap, MASK, strlen(MASK)))
                goto oom;
            hid = 1;
            p = eq + 1 + end;
        } else {
            if (put(&out, &len, &cap, p, (size_t)(eq + 1 - p)))
                goto oom;
            p = eq + 1;
        }
    }
    if (!hid) {
        free(out);
        return 0;
    }
    if (put(&out, &len, &cap, p, strlen(p)))
        goto oom;
    *masked = out;
    return 0;
oom:
    free(out);
    return JUTSU_ENOMEM;
}

/* A scalar's text as shown: the node's own, or a masked copy in *own. */
static int shown_text(const jutsu_cfg_node *n, const char **text, char **own)
{
    *own = NULL;
    *text = n->text;
    if (n->text == NULL || (strstr(n->text, "://") == NULL && strchr(n->text, '=') == NULL))
        return 0;
    int rc = mask_text(n->text, own);
    if (*own)
        *text = *own;
    return rc;
}

static int looks_null(const char *s)
{
    return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* ---- YAML ------------------------------------------------------------- */

static int emit(yaml_emitter_t *e, yaml_event_t *ev, int made)
{
    if (!made)
        return JUTSU_ENOMEM;
    /* libyaml deletes the event, also when emitting fails */
    return yaml_emitter_emit(e, ev) ? 0 : JUTSU_EIO;
}

static int emit_scalar(yaml_emitter_t *e, const char *text, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    return emit(e, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL,
                                                     (const yaml_char_t *)text,
                                                     (int)strlen(text), 1, 1, style));
}

/* The text with each '$' doubled; caller frees. */
static char *escape_dollars(const char *s)
{
    size_t extra = 0;
    for (const char *p = s; (p = strchr(p, '$')) != NULL; p++)
        extra++;
    char *out = malloc(strlen(s) + extra + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (; *s; s++) {
        *o++ = *s;
        if (*s == '$')
            *o++ = '$';
    }
    *o = '\0';
    return out;
}

static int emit_value(yaml_emitter_t *e, const jutsu_cfg_node *n)
{
    if (n->is_null)
        return emit_scalar(e, "null", YAML_PLAIN_SCALAR_STYLE);
    const char *shown;
    char *masked;
    if (shown_text(n, &shown, &masked) != 0)
        return JUTSU_ENOMEM;
    char *text = escape_dollars(shown);
    free(masked);
    if (text == NULL)
        return JUTSU_ENOMEM;
    int quote = n->quoted || looks_null(n->text);
    int rc = emit_scalar(e, text, quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                        : YAML_ANY_SCALAR_STYLE);
    free(text);
    return rc;
}

static int emit_node(yaml_emitter_t *e, const jutsu_cfg_node *n)
{
    yaml_event_t ev;
    int rc = 0;

    if (is_secret(n))
        return emit_scalar(e, MASK, YAML_ANY_SCALAR_STYLE);
    switch (n->kind) {
    case JUTSU_CFG_NODE_MAP:
        rc = emit(e, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                              YAML_BLOCK_MAPPING_STYLE));
        for (size_t i = 0; i < n->n && rc == 0; i++) {
            /* a quoted "<<" is an ordinary key; a plain one would be a merge */
            int quote = strcmp(n->keys[i], "<<") == 0;
            rc = emit_scalar(e, n->keys[i], quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                                  : YAML_ANY_SCALAR_STYLE);
            if (rc == 0 && secret_key(n->keys[i]))
                rc = emit_scalar(e, MASK, YAML_ANY_SCALAR_STYLE);
            else if (rc == 0)
                rc = emit_node(e, n->items[i]);
        }
        return rc ? rc : emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
    case JUTSU_CFG_NODE_SEQ:
        rc = emit(e, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                               YAML_BLOCK_SEQUENCE_STYLE));
        for (size_t i = 0; i < n->n && rc == 0; i++)
            rc = emit_node(e, n->items[i]);
        return rc ? rc : emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
    default:
        return emit_value(e, n);
    }
}

int jutsu_cfg_dump_yaml(const jutsu_cfg_node *node, FILE *out)
{
    yaml_emitter_t e;
    yaml_event_t ev;
    int rc;

    if (node == NULL || out == NULL)
        return JUTSU_EINVAL;
    if (!yaml_emitter_initialize(&e))
        return JUTSU_ENOMEM;
    yaml_emitter_set_output_file(&e, out);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, -1);     /* no folding of long values */
    rc = emit(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    if (rc == 0)
        rc = emit(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    if (rc == 0)
        rc = emit_node(&e, node);
    if (rc == 0)
        rc = emit(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
    if (rc == 0)
        rc = emit(&e, &ev, yaml_stream_end_event_initialize(&ev));
    if (rc == 0 && !yaml_emitter_flush(&e))
        rc = JUTSU_EIO;
    /* emit() cannot tell a failed write from a failed allocation; libyaml can */
    if (rc == JUTSU_EIO && e.error == YAML_MEMORY_ERROR)
        rc = JUTSU_ENOMEM;
    yaml_emitter_delete(&e);
    return rc;
}

/* ---- JSON ------------------------------------------------------------- */

/* A double as the shortest text that reads back as the same double: 1.1,
 * not json-c's 1.1000000000000001 (which is the same number, but is not
 * what the file says). */
static struct json_object *double_json(double d)
{
    char buf[32];
    if (!isfinite(d))
        return json_object_new_double(d);
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof(buf), "%.*g", digits, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    /* a JSON reader must still see a number with a fraction or exponent
     * where the file had one: 1.0 stays 1.0 */
    if (strpbrk(buf, ".eEn") == NULL && strlen(buf) + 2 < sizeof(buf))
        strcat(buf, ".0");
    return json_object_new_double_s(d, buf);
}

static int scalar_json(const jutsu_cfg_node *n, struct json_object **out)
{
    char buf[JUTSU_MONEY_BUFSZ];
    if (n->is_null) {
        *out = NULL;    /* json-c's null */
        return 0;
    }
    switch (n->type) {
    case JUTSU_CFG_INT:
        *out = json_object_new_int64(n->i);
        break;
    case JUTSU_CFG_BOOL:
        *out = json_object_new_boolean(n->i != 0);
        break;
    case JUTSU_CFG_DOUBLE:
        *out = double_json(n->d);
        break;
    case JUTSU_CFG_MONEY:
        jutsu_money_format(n->m, buf);
        *out = json_object_new_string(buf);
        break;
    default: {
        const char *shown;
        char *masked;
        if (shown_text(n, &shown, &masked) != 0)
            return JUTSU_ENOMEM;
        *out = json_object_new_string(shown);
        free(masked);
        break;
    }
    }
    return *out ? 0 : JUTSU_ENOMEM;
}

static int node_json(const jutsu_cfg_node *n, struct json_object **out)
{
    struct json_object *o, *child;
    int rc = 0;

    if (is_secret(n)) {
        *out = json_object_new_string(MASK);
        return *out ? 0 : JUTSU_ENOMEM;
    }
    if (n->kind == JUTSU_CFG_NODE_SCALAR)
        return scalar_json(n, out);
    o = n->kind == JUTSU_CFG_NODE_MAP ? json_object_new_object() : json_object_new_array();
    if (o == NULL)
        return JUTSU_ENOMEM;
    for (size_t i = 0; i < n->n && rc == 0; i++) {
        if (n->kind == JUTSU_CFG_NODE_MAP && secret_key(n->keys[i]))
            child = json_object_new_string(MASK);
        else if ((rc = node_json(n->items[i], &child)) != 0)
            break;
        if (child == NULL && n->kind == JUTSU_CFG_NODE_MAP && secret_key(n->keys[i])) {
            rc = JUTSU_ENOMEM;
            break;
        }
        int bad = n->kind == JUTSU_CFG_NODE_MAP ? json_object_object_add(o, n->keys[i], child)
                                                : json_object_array_add(o, child);
        if (bad) {
            json_object_put(child);
            rc = JUTSU_ENOMEM;
        }
    }
    if (rc != 0) {
        json_object_put(o);
        return rc;
    }
    *out = o;
    return 0;
}

int jutsu_cfg_to_json(const jutsu_cfg_node *node, struct json_object **out)
{
    if (node == NULL || out == NULL)
        return JUTSU_EINVAL;
    return node_json(node, out);
}

/* ---- secrets ---------------------------------------------------------- */

static void mark_all(jutsu_cfg_node *n)
{
    n->flags |= JUTSU_CFG_SECRET;
    for (size_t i = 0; i < n->n; i++)
        mark_all(n->items[i]);
}

void jutsu_cfg_mark_secret(jutsu_cfg_node *node, const char *const *keys)
{
    if (node == NULL || keys == NULL)
        return;
    for (size_t i = 0; i < node->n; i++) {
        int secret = 0;
        for (const char *const *k = keys; node->kind == JUTSU_CFG_NODE_MAP && *k && !secret; k++)
            secret = strcasecmp(node->keys[i], *k) == 0;
        if (secret)
            mark_all(node->items[i]);
        else
            jutsu_cfg_mark_secret(node->items[i], keys);
    }
}
