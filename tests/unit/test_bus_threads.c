/*
 * tests/unit/test_bus_threads.c — the event bus's dispatcher thread under
 * load: ordering with one and with several publishing threads, the
 * full-queue policies, drain and shutdown deadlines, unsubscribing from
 * another thread while callbacks run, and freeing on an idle bus. The
 * single-thread contract is tested in test_bus.c; the helpers both need
 * are in bus_fx.c.
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

#include "jutsu/error.h"
#include "bus/bus.h"
#include "bus_fx.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

/* A subscriber that parks in its first callback until the gate opens. */
struct gate {
    pthread_mutex_t m;
    pthread_cond_t  c;
    int             entered, open, delay_ms;
    int64_t         opened_at;      /* now_ms() when it opened */
    atomic_int      calls;
};

#define GATE_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0 }

static void on_gate(const jutsu_event *ev, void *arg)
{
    struct gate *g = arg;
    (void)ev;
    pthread_mutex_lock(&g->m);
    g->entered++;
    pthread_cond_broadcast(&g->c);
    while (!g->open)
        pthread_cond_wait(&g->c, &g->m);
    pthread_mutex_unlock(&g->m);
    atomic_fetch_add(&g->calls, 1);
}

static void gate_wait_entered(struct gate *g)
{
    pthread_mutex_lock(&g->m);
    while (g->entered == 0)
        pthread_cond_wait(&g->c, &g->m);
    pthread_mutex_unlock(&g->m);
}

static void gate_open(struct gate *g)
{
    pthread_mutex_lock(&g->m);
    g->open = 1;
    g->opened_at = now_ms();
    pthread_cond_broadcast(&g->c);
    pthread_mutex_unlock(&g->m);
}

static void *gate_open_later(void *arg)
{
    struct gate *g = arg;
    sleep_ms(g->delay_ms);
    gate_open(g);
    return NULL;
}

/* ---- ordering ----------------------------------------------------------- */

static void order_run(size_t cap)
{
    enum { N = 100000, NS = 5 };
    static const char *pats[NS] = { "seq.>", "seq.n", "*.n", ">", "other.*" };
    struct seqsub subs[NS];
    memset(subs, 0, sizeof(subs));
    jutsu_bus *bus = make_bus(1, cap, JUTSU_BUS_BLOCK, 30000);
    for (int i = 0; i < NS; i++) {
        jutsu_sub_id id = 0;
        ck_assert_int_eq(jutsu_bus_subscribe(bus, "t", pats[i], on_seq, &subs[i], &id), 0);
        ck_assert_uint_ne(id, 0);
    }
    for (int64_t i = 0; i < N; i++)
        ck_assert_int_eq(jutsu_bus_publish(bus, "pub", "seq.n", seq_payload(0, i)), 0);
    ck_assert_int_eq(jutsu_bus_drain(bus, 60000), 0);
    for (int i = 0; i < NS - 1; i++) {
        ck_assert_uint_eq(subs[i].errors, 0);
        ck_assert_uint_eq(subs[i].calls, N);
        ck_assert_int_eq(subs[i].next[0], N);
    }
    ck_assert_uint_eq(subs[NS - 1].calls, 0);
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.published, N);
    ck_assert_uint_eq(st.dispatched, N);
    ck_assert_uint_eq(st.delivered, (uint64_t)N * (NS - 1));
    ck_assert_uint_eq(st.dropped, 0);
    ck_assert_uint_eq(st.unmatched, 0);
    ck_assert_uint_eq(st.queued, 0);
    ck_assert_uint_eq(st.subscribers, NS);
    ck_assert_uint_le(st.high_water, cap ? cap : 65536);
    size_t left = 1;
    ck_assert_int_eq(jutsu_bus_shutdown(bus, 1000, &left), 0);
    ck_assert_uint_eq(left, 0);
    jutsu_bus_free(bus);
}

START_TEST(test_order_several_subscribers)
{
    atomic_store(&bus_fx_frees, 0);
    order_run(0);
    ck_assert_int_eq(atomic_load(&bus_fx_frees), 100000);
}
END_TEST

/* A tiny queue makes the publisher block and wake many times. */
START_TEST(test_order_small_queue_block)
{
    order_run(64);
}
END_TEST

struct pubarg {
    jutsu_bus *bus;
    int        th, n, failures;
};

static void *publisher(void *arg)
{
    struct pubarg *p = arg;
    char topic[32];
    snprintf(topic, sizeof(topic), "mt.t%d", p->th);
    for (int i = 0; i < p->n; i++) {
        if (jutsu_bus_publish(p->bus, "pub", topic, seq_payload(p->th, i)) != 0)
            p->failures++;
    }
    return NULL;
}

START_TEST(test_multi_thread_publish)
{
    enum { T = 4, N = 25000 };
    struct seqsub all, two;
    memset(&all, 0, sizeof(all));
    memset(&two, 0, sizeof(two));
    jutsu_bus *bus = make_bus(1, 1024, JUTSU_BUS_BLOCK, 30000);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "all", "mt.*", on_seq, &all, NULL), 0);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "two", "mt.t2", on_seq, &two, NULL), 0);
    pthread_t th[T];
    struct pubarg pa[T];
    for (int i = 0; i < T; i++) {
        pa[i] = (struct pubarg){ bus, i, N, 0 };
        ck_assert_int_eq(pthread_create(&th[i], NULL, publisher, &pa[i]), 0);
    }
    for (int i = 0; i < T; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_int_eq(pa[i].failures, 0);
    }
    ck_assert_int_eq(jutsu_bus_drain(bus, 60000), 0);
    ck_assert_uint_eq(all.errors, 0);
    ck_assert_uint_eq(all.calls, (uint64_t)T * N);
    for (int i = 0; i < T; i++)
        ck_assert_int_eq(all.next[i], N);
    ck_assert_uint_eq(two.errors, 0);
    ck_assert_uint_eq(two.calls, N);
    ck_assert_int_eq(two.next[2], N);
    ck_assert_int_eq(two.next[1], 0);
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.published, (uint64_t)T * N);
    ck_assert_uint_eq(st.delivered, (uint64_t)T * N + N);
    jutsu_bus_free(bus);
}
END_TEST

/* ---- full queue --------------------------------------------------------- */

static jutsu_bus *gated_bus(size_t cap, int policy, int block_ms, struct gate *g,
                            struct drops *d, jutsu_sub_id *id)
{
    struct jutsu_bus_opts o;
    jutsu_bus *bus = NULL;
    jutsu_bus_opts_default(&o);
    o.capacity = cap;
    o.policy = policy;
    o.block_timeout_ms = block_ms;
    o.on_drop = on_drop;
    o.on_drop_arg = d;
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), 0);
    ck_assert_int_eq(jutsu_bus_start(bus), 0);
    d->bus = bus;
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "slow", "slow.>", on_gate, g, id), 0);
    /* park the dispatcher inside the first callback: the queue is then
     * exactly `cap` slots of room */
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.x", NULL), 0);
    gate_wait_entered(g);
    return bus;
}

START_TEST(test_drop_newest)
{
    enum { ATTEMPTS = 100 };
    struct gate g = GATE_INIT;
    struct drops d = { 0 };
    atomic_store(&bus_fx_frees, 0);
    jutsu_bus *bus = gated_bus(3, JUTSU_BUS_DROP_NEWEST, 1000, &g, &d, NULL);  /* 3 -> 4 */
    int ok = 0, full = 0;
    for (int i = 0; i < ATTEMPTS; i++) {
        int rc = jutsu_bus_publish(bus, "t", "slow.x", seq_payload(0, i));
        ck_assert_msg(rc == 0 || rc == JUTSU_EFULL, "rc %d", rc);
        rc == 0 ? ok++ : full++;
    }
    ck_assert_int_eq(ok, 4);
    ck_assert_int_eq(full, ATTEMPTS - 4);
    ck_assert_int_eq(atomic_load(&bus_fx_frees), full);      /* dropped payloads released */
    ck_assert_int_eq(d.calls, full);
    ck_assert_int_eq(d.stats_mismatch, 0);
    ck_assert_uint_eq(d.last_total, (uint64_t)full);
    ck_assert_str_eq(d.topic, "slow.x");
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.dropped, (uint64_t)full);
    ck_assert_uint_eq(st.published + st.dropped, ATTEMPTS + 1);
    ck_assert_uint_eq(st.queued, 4);
    ck_assert_uint_eq(st.high_water, 4);
    gate_open(&g);
    ck_assert_int_eq(jutsu_bus_drain(bus, 10000), 0);
    ck_assert_int_eq(atomic_load(&g.calls), 5);
    jutsu_bus_free(bus);
    ck_assert_int_eq(atomic_load(&bus_fx_frees), ATTEMPTS);
}
END_TEST

START_TEST(test_block_timeout_drops)
{
    struct gate g = GATE_INIT;
    struct drops d = { 0 };
    jutsu_bus *bus = gated_bus(2, JUTSU_BUS_BLOCK, 150, &g, &d, NULL);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.a", NULL), 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.b", NULL), 0);
    int64_t t0 = now_ms();
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.c", NULL), JUTSU_EFULL);
    int64_t waited = now_ms() - t0;
    ck_assert_msg(waited >= 149 && waited < 30000, "waited %lld ms", (long long)waited);
    ck_assert_int_eq(d.calls, 1);
    ck_assert_str_eq(d.topic, "slow.c");
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.dropped, 1);
    ck_assert_uint_eq(st.published, 3);
    gate_open(&g);
    ck_assert_int_eq(jutsu_bus_drain(bus, 10000), 0);
    ck_assert_int_eq(atomic_load(&g.calls), 3);
    jutsu_bus_free(bus);
}
END_TEST

/* A blocked publisher gets in as soon as the dispatcher makes room. */
START_TEST(test_block_waits_for_room)
{
    struct gate g = GATE_INIT;
    struct drops d = { 0 };
    jutsu_bus *bus = gated_bus(2, JUTSU_BUS_BLOCK, 10000, &g, &d, NULL);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.a", NULL), 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.b", NULL), 0);
    pthread_t opener;
    g.delay_ms = 100;
    ck_assert_int_eq(pthread_create(&opener, NULL, gate_open_later, &g), 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.c", NULL), 0);
    int64_t back = now_ms();
    ck_assert_int_eq(pthread_join(opener, NULL), 0);
    ck_assert_int_ge(back, g.opened_at);    /* it waited for the room */
    ck_assert_int_eq(jutsu_bus_drain(bus, 10000), 0);
    ck_assert_int_eq(atomic_load(&g.calls), 4);
    ck_assert_int_eq(d.calls, 0);
    jutsu_bus_free(bus);
}
END_TEST

START_TEST(test_drain_timeout)
{
    struct gate g = GATE_INIT;
    struct drops d = { 0 };
    jutsu_bus *bus = gated_bus(8, JUTSU_BUS_BLOCK, 1000, &g, &d, NULL);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.a", NULL), 0);
    int64_t t0 = now_ms();
    ck_assert_int_eq(jutsu_bus_drain(bus, 50), JUTSU_ETIMEDOUT);
    ck_assert_int_ge(now_ms() - t0, 49);
    gate_open(&g);
    ck_assert_int_eq(jutsu_bus_drain(bus, 10000), 0);
    ck_assert_int_eq(atomic_load(&g.calls), 2);
    jutsu_bus_free(bus);

    /* a threaded bus that was never started would wait forever */
    struct jutsu_bus_opts o;
    jutsu_bus_opts_default(&o);
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), 0);
    ck_assert_int_eq(jutsu_bus_drain(bus, -1), 0);              /* nothing queued */
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "a.b", NULL), 0);
    ck_assert_int_eq(jutsu_bus_drain(bus, -1), JUTSU_ESTATE);
    ck_assert_uint_eq(jutsu_bus_dispatch(bus, 0), 0);           /* threaded: no-op */
    jutsu_bus_free(bus);
}
END_TEST

/* ---- unsubscribe -------------------------------------------------------- */

struct busy {
    atomic_int in_cb;
    atomic_int calls;
};

static void on_busy(const jutsu_event *ev, void *arg)
{
    struct busy *b = arg;
    (void)ev;
    atomic_store(&b->in_cb, 1);
    sleep_ms(1);
    atomic_fetch_add(&b->calls, 1);
    atomic_store(&b->in_cb, 0);
}

struct feeder {
    jutsu_bus *bus;
    atomic_int stop;
};

static void *feed(void *arg)
{
    struct feeder *f = arg;
    while (!atomic_load(&f->stop)) {
        jutsu_bus_publish(f->bus, "feed", "busy.x", NULL);
        sleep_ms(1);
    }
    return NULL;
}

START_TEST(test_unsubscribe_other_thread)
{
    jutsu_bus *bus = make_bus(1, 64, JUTSU_BUS_DROP_NEWEST, 0);
    struct feeder f = { .bus = bus };
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, feed, &f), 0);
    for (int round = 0; round < 10; round++) {
        struct busy b = { 0 };
        jutsu_sub_id id;
        ck_assert_int_eq(jutsu_bus_subscribe(bus, "busy", "busy.*", on_busy, &b, &id), 0);
        int64_t t0 = now_ms();
        while (atomic_load(&b.calls) < 3 && now_ms() - t0 < 10000)
            sleep_ms(1);
        ck_assert_int_ge(atomic_load(&b.calls), 3);
        ck_assert_int_eq(jutsu_bus_unsubscribe(bus, id), 0);
        ck_assert_int_eq(atomic_load(&b.in_cb), 0);
        int calls = atomic_load(&b.calls);
        sleep_ms(20);
        ck_assert_int_eq(jutsu_bus_drain(bus, 10000), 0);
        ck_assert_int_eq(atomic_load(&b.calls), calls);
        ck_assert_int_eq(atomic_load(&b.in_cb), 0);
    }
    atomic_store(&f.stop, 1);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    jutsu_bus_free(bus);
}
END_TEST

/* Unsubscribe from another thread returns only once the running callback
 * has returned. */
START_TEST(test_unsubscribe_waits_for_callback)
{
    struct gate g = GATE_INIT;
    struct drops d = { 0 };
    jutsu_sub_id id = 0;
    jutsu_bus *bus = gated_bus(8, JUTSU_BUS_BLOCK, 1000, &g, &d, &id);
    pthread_t opener;
    g.delay_ms = 150;
    ck_assert_int_eq(pthread_create(&opener, NULL, gate_open_later, &g), 0);
    ck_assert_int_eq(jutsu_bus_unsubscribe(bus, id), 0);
    int64_t back = now_ms();
    ck_assert_int_eq(atomic_load(&g.calls), 1);     /* the callback had finished */
    ck_assert_int_eq(pthread_join(opener, NULL), 0);
    ck_assert_int_ge(back, g.opened_at);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.x", NULL), 0);
    ck_assert_int_eq(jutsu_bus_drain(bus, 10000), 0);
    ck_assert_int_eq(atomic_load(&g.calls), 1);
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.unmatched, 1);
    jutsu_bus_free(bus);
}
END_TEST

/* ---- shutdown and lifetime ---------------------------------------------- */

START_TEST(test_shutdown_undelivered)
{
    struct gate g = GATE_INIT;
    struct drops d = { 0 };
    atomic_store(&bus_fx_frees, 0);
    jutsu_bus *bus = gated_bus(64, JUTSU_BUS_BLOCK, 1000, &g, &d, NULL);
    for (int i = 0; i < 9; i++)
        ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.x", seq_payload(0, i)), 0);
    pthread_t opener;
    g.delay_ms = 1000;      /* well after the shutdown deadline */
    ck_assert_int_eq(pthread_create(&opener, NULL, gate_open_later, &g), 0);
    size_t left = 0;
    int64_t t0 = now_ms();
    ck_assert_int_eq(jutsu_bus_shutdown(bus, 50, &left), JUTSU_ETIMEDOUT);
    ck_assert_int_ge(now_ms() - t0, 49);
    ck_assert_uint_eq(left, 9);
    ck_assert_int_eq(pthread_join(opener, NULL), 0);
    ck_assert_int_eq(atomic_load(&g.calls), 1);
    ck_assert_int_eq(atomic_load(&bus_fx_frees), 9);     /* released undelivered */

    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    ck_assert_uint_eq(st.published, 10);
    ck_assert_uint_eq(st.dispatched, 1);
    ck_assert_uint_eq(st.queued, 0);

    ck_assert_int_eq(jutsu_bus_shutdown(bus, 50, &left), 0);    /* idempotent */
    ck_assert_uint_eq(left, 0);
    ck_assert_int_eq(jutsu_bus_publish(bus, "t", "slow.x", seq_payload(0, 99)),
                     JUTSU_ESHUTDOWN);
    ck_assert_int_eq(atomic_load(&bus_fx_frees), 10);
    ck_assert_int_eq(jutsu_bus_drain(bus, 100), 0);             /* nothing left to wait for */
    jutsu_bus_free(bus);
}
END_TEST

/* A threaded bus frees delivered payloads soon after it goes quiet, not
 * only at shutdown. */
START_TEST(test_idle_bus_releases_payloads)
{
    enum { N = 1000 };
    atomic_int n = 0;
    atomic_store(&bus_fx_frees, 0);
    jutsu_bus *bus = make_bus(1, 64, JUTSU_BUS_BLOCK, 10000);
    ck_assert_int_eq(jutsu_bus_subscribe(bus, "c", "q.*", on_count, &n, NULL), 0);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(jutsu_bus_publish(bus, "t", "q.x", seq_payload(0, i)), 0);
    ck_assert_int_eq(jutsu_bus_drain(bus, 10000), 0);
    ck_assert_int_eq(atomic_load(&n), N);
    int64_t t0 = now_ms();
    while (atomic_load(&bus_fx_frees) < N && now_ms() - t0 < 5000)
        sleep_ms(1);
    ck_assert_int_eq(atomic_load(&bus_fx_frees), N);
    jutsu_bus_free(bus);
}
END_TEST

static Suite *bus_threads_suite(void)
{
    Suite *s = suite_create("bus_threads");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_order_several_subscribers);
    tcase_add_test(tc, test_order_small_queue_block);
    tcase_add_test(tc, test_multi_thread_publish);
    tcase_add_test(tc, test_drop_newest);
    tcase_add_test(tc, test_block_timeout_drops);
    tcase_add_test(tc, test_block_waits_for_room);
    tcase_add_test(tc, test_drain_timeout);
    tcase_add_test(tc, test_unsubscribe_other_thread);
    tcase_add_test(tc, test_unsubscribe_waits_for_callback);
    tcase_add_test(tc, test_shutdown_undelivered);
    tcase_add_test(tc, test_idle_bus_releases_payloads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(bus_threads_suite());
}
