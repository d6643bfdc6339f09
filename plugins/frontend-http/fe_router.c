/*
 * plugins/frontend-http/fe_router.c — which route a request reaches.
 *
 * A path and a pattern are compared segment by segment; "{name}" in a
 * pattern takes any one non-empty segment. When several routes match, the
 * one whose first differing segment is literal wins, so an exact path can
 * never be shadowed by a pattern declared before it: the original service
 * lost GET /eod-status/today to /eod-status/{date} that way. Order in the
 * table does not matter.
 */
#include <stdio.h>
#include <string.h>

#include "fe.h"

#define MAX_SEGS 16

/* Splits path (copied into buf) into segments. -1 when it has too many,
 * or an empty one ("//", a trailing "/"), or is not absolute. */
static int split(const char *path, char *buf, size_t bufsz, char **seg)
{
    if (path[0] != '/' || strlen(path) >= bufsz)
        return -1;
    strcpy(buf, path + 1);
    if (*buf == '\0')
        return 0;
    int n = 0;
    for (char *p = buf;;) {
        if (n == MAX_SEGS)
            return -1;
        seg[n++] = p;
        char *slash = strchr(p, '/');
        if (slash == NULL)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    for (int i = 0; i < n; i++)
        if (*seg[i] == '\0')
            return -1;
    return n;
}

static int is_param(const char *seg, size_t n)
{
    return n > 2 && seg[0] == '{' && seg[n - 1] == '}';
}

/* The literal-segment mask of a match (bit i: segment i is literal), or -1.
 * The pattern is walked in place: this runs for every route on every
 * request, so it neither copies nor splits the pattern. */
static long match(const char *pattern, char **seg, const size_t *seglen, int n)
{
    const char *p = pattern + 1;
    long mask = 0;
    for (int i = 0; i < n; i++) {
        if (*p == '\0')
            return -1;   /* the pattern is shorter */
        const char *e = p;
        while (*e != '\0' && *e != '/')
            e++;
        size_t len = (size_t)(e - p);
        if (!is_param(p, len)) {
            if (len != seglen[i] || memcmp(p, seg[i], len) != 0)
                return -1;
            mask |= 1L << (MAX_SEGS - 1 - i);   /* earlier segments weigh more */
        }
        p = *e == '/' ? e + 1 : e;
    }
    return *p == '\0' ? mask : -1;   /* else the pattern is longer */
}

int fe_route_find(const char *method, const char *path, struct fe_req *r,
                  const struct fe_route **out, char *allow, size_t allowsz)
{
    char buf[FE_PATH_MAX], *seg[MAX_SEGS];
    const struct fe_route *best = NULL;
    long best_mask = -1;
    *out = NULL;
    allow[0] = '\0';
    size_t seglen[MAX_SEGS];
    int n = split(path, buf, sizeof(buf), seg);
    if (n < 0)
        return 404;
    for (int i = 0; i < n; i++)
        seglen[i] = strlen(seg[i]);
    for (size_t i = 0; i < fe_routes_n; i++) {
        const struct fe_route *rt = &fe_routes[i];
        long m = match(rt->pattern, seg, seglen, n);
        if (m < 0)
            continue;
        if (strcmp(rt->method, method) != 0) {
            if (strstr(allow, rt->method) == NULL)
                snprintf(allow + strlen(allow), allowsz - strlen(allow), "%s%s",
                         *allow ? ", " : "", rt->method);
            continue;
        }
        if (m > best_mask) {
            best_mask = m;
            best = rt;
        }
    }
    if (best == NULL)
        return *allow ? 405 : 404;
    /* the parameters, in order */
    char pbuf[FE_PATH_MAX], *pseg[MAX_SEGS];
    int pn = split(best->pattern, pbuf, sizeof(pbuf), pseg);
    r->params_n = 0;
    for (int i = 0; i < pn && r->params_n < FE_MAX_PARAMS; i++) {
        if (!is_param(pseg[i], strlen(pseg[i])))
            continue;
        if (strlen(seg[i]) >= FE_PARAM_MAX)
            return 404;
        strcpy(r->params[r->params_n++], seg[i]);
    }
    *out = best;
    return 0;
}
