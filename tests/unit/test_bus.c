/*
 * tests/unit/test_bus.c — the event bus's contract: pattern syntax, manual
 * mode, unsubscribing from a callback, event lifetime, shutdown accounting.
 * The dispatcher thread under load (ordering across threads, full queues,
 * blocking, timeouts, unsubscribing from another thread) is tested in
 * test_bus_threads.c.
 *
 * Callbacks run on the dispatcher thread, where a failed ck_assert would
 * not stop the test cleanly; they record what they saw and the test thread
 * asserts after a drain (which orders the two threads through the bus lock).
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "bus/bus.h"
#include "bus_fx.h"
#include "testutil.h"

/* ---- pattern syntax ----------------------------------------------------- */

START_TEST(test_match_table)
{
    static const struct { const char *p, *t; int m; } cases[] = {
        { "trade.filled", "trade.filled", 1 }, { "trade.filled", "trade.fill", 0 },
        { "trade.fill", "trade.filled", 0 },   { "trade.*", "trade.filled", 1 },
        { "trade.*", "trade", 0 },             { "trade.*", "trade.a.b", 0 },
        { "*.filled", "trade.filled", 1 },     { "*.filled", "trade.filled.x", 0 },
        { "*", "trade", 1 },                   { "*", "trade.filled", 0 },
        { "*.*", "a.b", 1 },                   { "a.*.c", "a.b.c", 1 },
        { "a.*.c", "a.b.d", 0 },               { "system.>", "system.ready", 1 },
        { "system.>", "system.a.b.c", 1 },     { "system.>", "system", 0 },
        { "system.>", "systems.ready", 0 },    { ">", "a", 1 },
        { ">", "a.b.c", 1 },                   { "*.>", "a", 0 },
        { "*.>", "a.b", 1 },                   { "a.b", "a.b.c", 0 },
        { "a.b.c", "a.b", 0 },                 { "A-1_x.y", "A-1_x.y", 1 },
        { "a", "A", 0 },                       { "a.*.>", "a.b", 0 },
        { "a.*.>", "a.b.c.d", 1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ck_assert_msg(jutsu_bus_match(cases[i].p, cases[i].t) == cases[i].m,
                      "match(\"%s\", \"%s\") should be %d", cases[i].p, cases[i].t,
                      cases[i].m);
}
END_TEST

START_TEST(test_validity)
{
    static const char *good_p[] = { "a", "a.b", "*", ">", "a.*", "a.>", "*.*.>", "A-b_9.c" };
    static const char *bad_p[] = { "", ".", "a.", ".a", "a..b", "a.>.b", ">.a", "a*",
                                   "a.b*", "**", ">>", "a.>x", "a b", "a/b", "\xc3\xa9" };
    static const char *good_t[] = { "a", "trade.filled", "x-1.y_2", "0" };
    static const char *bad_t[] = { "", "a.*", "a.>", "*", ">", "a.", "a..b", "a b", ".a" };
    for (size_t i = 0; i < sizeof(good_p) / sizeof(good_p[0]); i++)
        ck_assert_msg(jutsu_bus_pattern_valid(good_p[i]), "pattern \"%s\"", good_p[i]);
    for (size_t i = 0; i < sizeof(bad_p) / sizeof(bad_p[0]); i++)
        ck_assert_msg(!jutsu_bus_pattern_valid(bad_p[i]), "pattern \"%s\"", bad_p[i]);
    for (size_t i = 0; i < sizeof(good_t) / sizeof(good_t[0]); i++)
        ck_assert_msg(jutsu_bus_topic_valid(good_t[i]), "topic \"%s\"", good_t[i]);
    for (size_t i = 0; i < sizeof(bad_t) / sizeof(bad_t[0]); i++)
        ck_assert_msg(!jutsu_bus_topic_valid(bad_t[i]), "topic \"%s\"", bad_t[i]);
    ck_assert_int_eq(jutsu_bus_pattern_valid(NULL), 0);
    ck_assert_int_eq(jutsu_bus_topic_valid(NULL), 0);
    /* a wildcard is not a topic, and an invalid pattern matches nothing */
    ck_assert_int_eq(jutsu_bus_match("trade.*", "trade.*"), 0);
    ck_assert_int_eq(jutsu_bus_match("a..", "a"), 0);

    atomic_store(&bus_fx_frees, 0);
    jutsu_bus *bus = make_bus(0, 8, JUTSU_BUS_BLOCK, 0);
    int n = 0;
    jutsu_sub_id id = 99;
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "t", "a..b", on_count, &n, &id), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "t", "a.*", NULL, &n, &id), JUTSU_EINVAL);
    ck_assert_uint_eq(id, 99);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "a.*", seq_payload(0, 0)), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", NULL, seq_payload(0, 0)), JUTSU_EINVAL);
    ck_assert_int_eq(atomic_load(&bus_fx_frees), 2);     /* payload taken also on failure */
    ck_assert_int_eq(jutsu_bus_unsubscribe(bus, 12345), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_bus_unsubscribe(bus, 0), JUTSU_EINVAL);
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.published, 0);
    jutsu_bus_free(bus);

    struct jutsu_bus_opts o;
    jutsu_bus_opts_default(&o);
    ck_assert_uint_eq(o.capacity, 65536);
    ck_assert_int_eq(o.policy, JUTSU_BUS_BLOCK);
    ck_assert_int_eq(o.block_timeout_ms, 1000);
    ck_assert_int_eq(o.threaded, 1);
    o.policy = 7;
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), JUTSU_EINVAL);
    o.policy = JUTSU_BUS_BLOCK;
    o.capacity = 0;
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), JUTSU_EINVAL);
    o.capacity = 8;
    o.block_timeout_ms = -1;
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), JUTSU_EINVAL);
    o.block_timeout_ms = 0;
    o.capacity = 5;                                             /* rounded up to 8 */
    o.threaded = 0;
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), 0);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(jutsu_bus_publish(bus, "t", "a.b", NULL), 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "a.b", NULL), JUTSU_EFULL);
    jutsu_bus_free(bus);
}
END_TEST

/* ---- manual mode -------------------------------------------------------- */

struct cascade {
    jutsu_bus *bus;
    int        a, b, nested_dispatch, drain_rc, sub_rc;
    atomic_int late;
};

static void on_cascade(const jutsu_event *ev, void *arg)
{
    struct cascade *c = arg;
    if (strcmp(jutsu_event_topic(ev), "m.a") == 0) {
        c->a++;
        c->nested_dispatch = (int)jutsu_bus_dispatch(c->bus, 0);
        c->drain_rc = jutsu_bus_drain(c->bus, 10);
        if (c->a == 1)
            c->sub_rc = jutsu_bus_subscribe(c->bus, "late", "late.x", on_count, &c->late,
                                            NULL);
        jutsu_bus_publish(c->bus, "cb", "m.b", NULL);
        jutsu_bus_publish(c->bus, "cb", "late.x", NULL);
    } else {
        c->b++;
    }
}

START_TEST(test_manual_mode)
{
    jutsu_bus *bus = make_bus(0, 16, JUTSU_BUS_BLOCK, 5000);
    atomic_int n = 0;
    ck_assert_int_eq(jutsu_bus_start(bus), JUTSU_ESTATE);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "t", "n.*", on_count, &n, NULL), 0);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(jutsu_bus_publish(bus, "t", "n.x", NULL), 0);
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.queued, 5);
    ck_assert_int_eq(atomic_load(&n), 0);
    ck_assert_uint_eq(jutsu_bus_dispatch(bus, 2), 2);
    ck_assert_int_eq(atomic_load(&n), 2);
    ck_assert_uint_eq(jutsu_bus_dispatch(bus, 0), 3);
    ck_assert_uint_eq(jutsu_bus_dispatch(bus, 0), 0);
    ck_assert_int_eq(atomic_load(&n), 5);

    /* drain delivers cascades: callbacks that publish and subscribe */
    struct cascade c = { .bus = bus };
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "c", "m.*", on_cascade, &c, NULL), 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "m.a", NULL), 0);
    ck_assert_int_eq(jutsu_bus_drain(bus, 1000), 0);
    ck_assert_int_eq(c.a, 1);
    ck_assert_int_eq(c.b, 1);
    ck_assert_int_eq(c.nested_dispatch, 0);
    ck_assert_int_eq(c.drain_rc, JUTSU_ESTATE);
    ck_assert_int_eq(c.sub_rc, 0);
    ck_assert_int_eq(atomic_load(&c.late), 1);      /* published after subscribe */
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.published, 8);
    ck_assert_uint_eq(st.dispatched, 8);
    ck_assert_uint_eq(st.unmatched, 0);
    ck_assert_uint_eq(st.subscribers, 3);
    jutsu_bus_free(bus);
}
END_TEST

/* Manual mode: nobody would make room, so BLOCK drops at once. */
START_TEST(test_manual_block_is_drop)
{
    struct jutsu_bus_opts o;
    jutsu_bus *bus = NULL;
    struct drops d = { 0 };
    jutsu_bus_opts_default(&o);
    o.threaded = 0;
    o.capacity = 2;
    o.block_timeout_ms = 5000;
    o.on_drop = on_drop;
    o.on_drop_arg = &d;
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "q.a", NULL), 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "q.b", NULL), 0);
    int64_t t0 = now_ms();
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "q.c", NULL), JUTSU_EFULL);
    ck_assert_int_lt(now_ms() - t0, 1000);
    ck_assert_int_eq(d.calls, 1);
    ck_assert_uint_eq(d.last_total, 1);
    ck_assert_str_eq(d.topic, "q.c");
    ck_assert_uint_eq(jutsu_bus_dispatch(bus, 0), 2);
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.unmatched, 2);
    ck_assert_uint_eq(st.delivered, 0);
    ck_assert_uint_eq(st.dropped, 1);
    jutsu_bus_free(bus);
}
END_TEST

/* ---- unsubscribe -------------------------------------------------------- */

struct selfunsub {
    jutsu_bus   *bus;
    jutsu_sub_id id;
    int          calls, rc;
};

static void on_selfunsub(const jutsu_event *ev, void *arg)
{
    struct selfunsub *s = arg;
    (void)ev;
    if (++s->calls == 3)
        s->rc = jutsu_bus_unsubscribe(s->bus, s->id);
}

static void selfunsub_run(int threaded)
{
    jutsu_bus *bus = make_bus(threaded, 64, JUTSU_BUS_BLOCK, 5000);
    struct selfunsub s = { .bus = bus, .rc = 1 };
    atomic_int other = 0;
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "self", "u.*", on_selfunsub, &s, &s.id), 0);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "other", "u.*", on_count, &other, NULL), 0);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(jutsu_bus_publish(bus, "t", "u.x", NULL), 0);
    ck_assert_int_eq(jutsu_bus_drain(bus, 10000), 0);
    ck_assert_int_eq(s.calls, 3);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_int_eq(atomic_load(&other), 10);
    ck_assert_int_eq(jutsu_bus_unsubscribe(bus, s.id), JUTSU_ENOENT);
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.subscribers, 1);
    ck_assert_uint_eq(st.delivered, 13);
    jutsu_bus_free(bus);
}

START_TEST(test_unsubscribe_in_callback)
{
    selfunsub_run(0);
    selfunsub_run(1);
}
END_TEST

/* ---- events ------------------------------------------------------------- */

static jutsu_time_t fixed_now(void *arg)
{
    return *(jutsu_time_t *)arg;
}

static void on_keep(const jutsu_event *ev, void *arg)
{
    const jutsu_event **slot = arg;
    if (*slot == NULL)
        *slot = jutsu_event_ref(ev);
}

START_TEST(test_event_ref_outlives_callback)
{
    atomic_int freed = 0;
    jutsu_time_t t = 1736433000123456;
    struct jutsu_bus_opts o;
    jutsu_bus *bus = NULL;
    const jutsu_event *kept = NULL;
    atomic_store(&bus_fx_frees, 0);
    jutsu_bus_opts_default(&o);
    o.now = fixed_now;
    o.now_arg = &t;
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), 0);
    ck_assert_int_eq(jutsu_bus_start(bus), 0);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "k", "keep.*", on_keep, &kept, NULL), 0);
    json_object *p = counted(json_object_new_object(), &freed);
    json_object_object_add(p, "seq", json_object_new_int64(7));
    ck_assert_int_eq(jutsu_bus_publish(bus, "tester", "keep.me", p), 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "tester", "keep.too", NULL), 0);
    ck_assert_int_eq(jutsu_bus_drain(bus, 10000), 0);
    jutsu_bus_free(bus);                            /* the event outlives its bus */

    ck_assert_ptr_nonnull(kept);
    ck_assert_int_eq(atomic_load(&freed), 0);
    ck_assert_str_eq(jutsu_event_topic(kept), "keep.me");
    ck_assert_str_eq(jutsu_event_source(kept), "tester");
    ck_assert_int_eq(jutsu_event_time(kept), t);
    ck_assert_int_eq(field(kept, "seq"), 7);
    ck_assert_ptr_eq(jutsu_event_ref(kept), kept);
    jutsu_event_unref(kept);
    ck_assert_int_eq(atomic_load(&freed), 0);
    jutsu_event_unref(kept);
    ck_assert_int_eq(atomic_load(&freed), 1);
    ck_assert_int_eq(atomic_load(&bus_fx_frees), 1);
    ck_assert_ptr_null(jutsu_event_ref(NULL));
    jutsu_event_unref(NULL);
}
END_TEST

static void *json_racer(void *arg)
{
    return (void *)jutsu_event_json(arg);
}

START_TEST(test_event_json)
{
    jutsu_bus *bus = make_bus(0, 8, JUTSU_BUS_BLOCK, 0);
    const jutsu_event *kept[2] = { NULL, NULL };
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "k", "j.a", on_keep, &kept[0], NULL), 0);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "k", "j.b", on_keep, &kept[1], NULL), 0);
    json_object *p = json_tokener_parse("{\"a\": 1, \"s\": \"x/y\", \"n\": [1, 2]}");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(jutsu_bus_publish(bus, NULL, "j.a", p), 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "h", "j.b", NULL), 0);
    ck_assert_int_eq(jutsu_bus_drain(bus, 1000), 0);
    jutsu_bus_free(bus);

    /* several threads asking at once all get the one cached copy */
    pthread_t th[4];
    void *got[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, json_racer, (void *)kept[0]), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_join(th[i], &got[i]), 0);
    const char *text = jutsu_event_json(kept[0]);
    ck_assert_str_eq(text, "{\"a\":1,\"s\":\"x/y\",\"n\":[1,2]}");
    ck_assert_ptr_eq(jutsu_event_json(kept[0]), text);
    for (int i = 0; i < 4; i++)
        ck_assert_ptr_eq(got[i], text);
    ck_assert_str_eq(jutsu_event_source(kept[0]), "");

    ck_assert_str_eq(jutsu_event_json(kept[1]), "{}");
    ck_assert(json_object_is_type(jutsu_event_payload(kept[1]), json_type_object));
    jutsu_event_unref(kept[0]);
    jutsu_event_unref(kept[1]);
}
END_TEST

/* ---- shutdown and lifetime ---------------------------------------------- */

START_TEST(test_shutdown_delivers_queued)
{
    enum { N = 1000 };
    struct seqsub s;
    memset(&s, 0, sizeof(s));
    jutsu_bus *bus = make_bus(1, 2048, JUTSU_BUS_BLOCK, 1000);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "s", "d.*", on_seq, &s, NULL), 0);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(jutsu_bus_publish(bus, "t", "d.x", seq_payload(0, i)), 0);
    size_t left = 99;
    ck_assert_int_eq(jutsu_bus_shutdown(bus, 10000, &left), 0);
    ck_assert_uint_eq(left, 0);
    ck_assert_uint_eq(s.calls, N);
    ck_assert_uint_eq(s.errors, 0);
    jutsu_bus_free(bus);

    /* manual mode: shutdown with a timeout delivers on the caller's thread,
     * with none releases what is queued */
    memset(&s, 0, sizeof(s));
    bus = make_bus(0, 16, JUTSU_BUS_BLOCK, 0);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "s", "d.*", on_seq, &s, NULL), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(jutsu_bus_publish(bus, "t", "d.x", seq_payload(0, i)), 0);
    ck_assert_int_eq(jutsu_bus_shutdown(bus, 1000, &left), 0);
    ck_assert_uint_eq(s.calls, 3);
    jutsu_bus_free(bus);

    bus = make_bus(0, 16, JUTSU_BUS_BLOCK, 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(jutsu_bus_publish(bus, "t", "d.x", NULL), 0);
    ck_assert_int_eq(jutsu_bus_shutdown(bus, 0, &left), JUTSU_ETIMEDOUT);
    ck_assert_uint_eq(left, 3);
    jutsu_bus_free(bus);
}
END_TEST

/* Every payload is released exactly once, whatever became of its event. */
START_TEST(test_payload_freed_once)
{
    enum { P = 7 };
    atomic_int freed[P];
    for (int i = 0; i < P; i++)
        atomic_init(&freed[i], 0);
    atomic_store(&bus_fx_frees, 0);
    struct jutsu_bus_opts o;
    jutsu_bus *bus = NULL;
    jutsu_bus_opts_default(&o);
    o.threaded = 0;
    o.capacity = 2;
    o.policy = JUTSU_BUS_DROP_NEWEST;
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), 0);
    const jutsu_event *kept = NULL;
    atomic_int n = 0;
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "k", "r.>", on_keep, &kept, NULL), 0);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "c", "r.>", on_count, &n, NULL), 0);
#define PAYLOAD(i) counted(json_object_new_object(), &freed[i])
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "r.a", PAYLOAD(0)), 0);      /* kept    */
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "r.b", PAYLOAD(1)), 0);      /* delivered */
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "r.c", PAYLOAD(2)), JUTSU_EFULL);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "r..", PAYLOAD(3)), JUTSU_EINVAL);
    ck_assert_uint_eq(jutsu_bus_dispatch(bus, 0), 2);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "r.d", PAYLOAD(4)), 0);      /* released */
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "r.e", PAYLOAD(5)), 0);      /* released */
    size_t left = 0;
    ck_assert_int_eq(jutsu_bus_shutdown(bus, 0, &left), JUTSU_ETIMEDOUT);
    ck_assert_uint_eq(left, 2);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "r.f", PAYLOAD(6)), JUTSU_ESHUTDOWN);
#undef PAYLOAD
    jutsu_bus_free(bus);
    ck_assert_int_eq(atomic_load(&n), 2);
    ck_assert_int_eq(atomic_load(&freed[0]), 0);
    jutsu_event_unref(kept);
    for (int i = 0; i < P; i++)
        ck_assert_msg(atomic_load(&freed[i]) == 1, "payload %d freed %d times", i,
                      atomic_load(&freed[i]));
    ck_assert_int_eq(atomic_load(&bus_fx_frees), P);
}
END_TEST

static Suite *bus_suite(void)
{
    Suite *s = suite_create("bus");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_match_table);
    tcase_add_test(tc, test_validity);
    tcase_add_test(tc, test_manual_mode);
    tcase_add_test(tc, test_manual_block_is_drop);
    tcase_add_test(tc, test_unsubscribe_in_callback);
    tcase_add_test(tc, test_event_ref_outlives_callback);
    tcase_add_test(tc, test_event_json);
    tcase_add_test(tc, test_shutdown_delivers_queued);
    tcase_add_test(tc, test_payload_freed_once);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(bus_suite());
}
