/*
 * tests/unit/test_fe_router.c — frontend-http's router on a table of its
 * own: the original service's two shadowed routes (a pattern declared
 * before an exact path) are reachable in either order, parameters come out
 * in order, a wrong method is 405 with the methods that are allowed.
 * (test_frontend_http walks the real table over HTTP.)
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "fe.h"
#include "testutil.h"

static int h_any(struct fe_req *r) { (void)r; return 0; }

/* patterns first, exact paths after: the order that lost routes before */
const struct fe_route fe_routes[] = {
    { "GET", "/api/v2/performance/eod-status/{date}", h_any, 0, "a day", NULL, NULL, 0 },
    { "GET", "/api/strategies/{id}/state", h_any, 0, "a strategy's state", NULL, NULL, 0 },
    { "GET", "/api/strategies/{id}", h_any, 0, "a strategy", NULL, NULL, 0 },
    { "GET", "/api/{a}/{b}/{c}", h_any, 0, "anything three deep", NULL, NULL, 0 },
    { "PUT", "/api/users/{id}", h_any, 0, "update", NULL, NULL, 0 },
    { "DELETE", "/api/users/{id}", h_any, 0, "delete", NULL, NULL, 0 },
    { "GET", "/api/v2/performance/eod-status/today", h_any, 0, "today", NULL, NULL, 0 },
    { "GET", "/api/strategies/primary/state", h_any, 0, "the primary's state", NULL, NULL, 0 },
    { "GET", "/api/users/me", h_any, 0, "me", NULL, NULL, 0 },
};
const size_t fe_routes_n = sizeof(fe_routes) / sizeof(fe_routes[0]);

static const struct fe_route *find(const char *method, const char *path, struct fe_req *r,
                                   int *status, char *allow)
{
    const struct fe_route *rt = NULL;
    memset(r, 0, sizeof(*r));
    *status = fe_route_find(method, path, r, &rt, allow, 64);
    return rt;
}

START_TEST(t_exact_beats_pattern)
{
    struct fe_req r;
    char allow[64];
    int st;
    const struct fe_route *rt = find("GET", "/api/v2/performance/eod-status/today", &r, &st,
                                     allow);
    ck_assert_int_eq(st, 0);
    ck_assert_ptr_nonnull(rt);
    ck_assert_str_eq(rt->summary, "today");
    rt = find("GET", "/api/v2/performance/eod-status/2025-01-09", &r, &st, allow);
    ck_assert_str_eq(rt->summary, "a day");
    ck_assert_int_eq(r.params_n, 1);
    ck_assert_str_eq(r.params[0], "2025-01-09");
    rt = find("GET", "/api/strategies/primary/state", &r, &st, allow);
    ck_assert_str_eq(rt->summary, "the primary's state");
    rt = find("GET", "/api/strategies/v3_5b/state", &r, &st, allow);
    ck_assert_str_eq(rt->summary, "a strategy's state");
    ck_assert_str_eq(r.params[0], "v3_5b");
    rt = find("GET", "/api/users/me", &r, &st, allow);
    ck_assert_str_eq(rt->summary, "me");
    /* a literal earlier in the path weighs more than one later */
    rt = find("GET", "/api/strategies/x/state", &r, &st, allow);
    ck_assert_str_eq(rt->summary, "a strategy's state");
    rt = find("GET", "/api/x/y/z", &r, &st, allow);
    ck_assert_ptr_nonnull(rt);
    ck_assert_str_eq(rt->summary, "anything three deep");
    ck_assert_int_eq(r.params_n, 3);
    ck_assert_str_eq(r.params[2], "z");
}
END_TEST

/* Every route of the table, its {params} filled, reaches itself. */
START_TEST(t_every_route_reachable)
{
    for (size_t i = 0; i < fe_routes_n; i++) {
        char path[256], *o = path, allow[64];
        for (const char *p = fe_routes[i].pattern; *p;) {
            if (*p == '{') {
                o += sprintf(o, "v%zu", i);
                p = strchr(p, '}') + 1;
            } else {
                *o++ = *p++;
            }
        }
        *o = '\0';
        struct fe_req r;
        int st;
        const struct fe_route *rt = find(fe_routes[i].method, path, &r, &st, allow);
        ck_assert_msg(st == 0 && rt == &fe_routes[i], "%s %s reached %s", fe_routes[i].method,
                      path, rt ? rt->pattern : "nothing");
    }
}
END_TEST

START_TEST(t_not_found_and_method)
{
    struct fe_req r;
    char allow[64];
    int st;
    ck_assert_ptr_null(find("GET", "/api/nothing", &r, &st, allow));
    ck_assert_int_eq(st, 404);
    ck_assert_ptr_null(find("POST", "/api/users/7", &r, &st, allow));
    ck_assert_int_eq(st, 405);
    ck_assert_str_eq(allow, "PUT, DELETE");
    /* empty segments and trailing slashes match nothing */
    find("GET", "/api/strategies//state", &r, &st, allow);
    ck_assert_int_eq(st, 404);
    find("GET", "/api/users/me/", &r, &st, allow);
    ck_assert_int_eq(st, 404);
    find("GET", "api/users/me", &r, &st, allow);
    ck_assert_int_eq(st, 404);
    /* a literal matches whole segments only, and the lengths must agree */
    ck_assert_ptr_null(find("GET", "/api/users/mex", &r, &st, allow));
    ck_assert_int_eq(st, 405);
    ck_assert_ptr_null(find("GET", "/api/users/m", &r, &st, allow));
    ck_assert_int_eq(st, 405);
    ck_assert_ptr_null(find("GET", "/api/strategies/v3_5b/state/x", &r, &st, allow));
    ck_assert_int_eq(st, 404);
    ck_assert_ptr_null(find("GET", "/api/v2/performance/eod-status/today/x", &r, &st, allow));
    ck_assert_int_eq(st, 404);
    ck_assert_ptr_null(find("GET", "/", &r, &st, allow));
    ck_assert_int_eq(st, 404);
    /* a parameter longer than its buffer is not found, not cut */
    char longp[400];
    memset(longp, 'x', sizeof(longp));
    memcpy(longp, "/api/strategies/", 16);
    longp[sizeof(longp) - 1] = '\0';
    ck_assert_ptr_null(find("GET", longp, &r, &st, allow));
    ck_assert_int_eq(st, 404);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fe_router");
    TCase *tc = tcase_create("router");
    tcase_add_test(tc, t_exact_beats_pattern);
    tcase_add_test(tc, t_every_route_reachable);
    tcase_add_test(tc, t_not_found_and_method);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
