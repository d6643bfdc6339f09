/*
 * tests/unit/test_totp_qr.c — the QR code that auth-totp's "setup" answers
 * beside the otpauth:// URI (plugins/auth-totp/totp_qr.c), from the plugin
 * loaded into an app on a real SQLite database. No QR decoder is at hand,
 * so the matrix is checked by what the standard (ISO/IEC 18004) fixes: the
 * smallest version whose 8-bit capacity at level M holds the URI, a square
 * of 17 + 4 * version modules, the three finder patterns with their light
 * separators, and the timing patterns between them.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/auth.h"
#include "store/data_api.h"
#include "testdb.h"

/* Bytes an 8-bit-mode symbol of each version holds at level M (the
 * standard's table 7), versions 1..15. */
static const int CAP_M[] = { 0,   14,  26,  42,  62,  84,  106, 122,
                             152, 180, 213, 251, 287, 331, 362, 412 };

struct fx {
    struct tdb t;
    char *keydir;
    const struct jutsu_auth_ops *ops;
    void *state;
};

static void open_totp(struct fx *f)
{
    char *y = NULL;
    f->keydir = tu_tmpdir();
    ck_assert_int_gt(asprintf(&y, "auth:\n  secret_key_file: \"%s/jutsu.key\"\n"
                                  "plugins:\n  - name: totp\n    plugin: auth-totp\n",
                              f->keydir), 0);
    tdb_open_with(&f->t, 0, 1, y);
    free(y);
    struct jutsu_ctx *c = jutsu_app_find(f->t.app, "totp");
    ck_assert_ptr_nonnull(c);
    f->ops = jutsu_ctx_ops(c, JUTSU_KIND_AUTH);
    ck_assert_ptr_nonnull(f->ops);
    f->state = c->state;
}

static void close_totp(struct fx *f)
{
    tdb_close(&f->t);
    tu_rmtree(f->keydir);
    free(f->keydir);
}

static int64_t add_user(struct fx *f, const char *name)
{
    struct jutsu_user_row u = { .username = name, .password_hash = "!", .is_active = 1 };
    int64_t id = 0;
    ck_assert_msg(jutsu_data_user_create(f->t.s, &u, &id) == 0, "%s", jutsu_dbs_error(f->t.s));
    return id;
}

static json_object *member(json_object *o, const char *key, json_type type)
{
    json_object *v;
    ck_assert_msg(json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type),
                  "no %s of type %s", key, json_type_to_name(type));
    return v;
}

/* The matrix of a setup answer: rows[y][x] is '1' when dark. */
struct qr {
    int version, size;
    const char *rows[200];
};

static int dark(const struct qr *q, int x, int y)
{
    return q->rows[y][x] == '1';
}

/* The finder pattern whose top-left module is (x0, y0): a dark 7x7 ring, a
 * light 5x5 ring, a dark 3x3 centre. */
static void finder(const struct qr *q, int x0, int y0)
{
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 7; x++) {
            int ring = x == 0 || y == 0 || x == 6 || y == 6;
            int centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
            ck_assert_msg(dark(q, x0 + x, y0 + y) == (ring || centre),
                          "finder at (%d,%d): module (%d,%d) is wrong", x0, y0, x, y);
        }
}

/* The light separator around the finder at (x0, y0): the row and column
 * of the 8x8 corner square that face the symbol's inside. */
static void separator(const struct qr *q, int x0, int y0)
{
    int sx = x0 == 0 ? 7 : x0 - 1, sy = y0 == 0 ? 7 : y0 - 1;
    int bx = x0 == 0 ? 0 : x0 - 1, by = y0 == 0 ? 0 : y0 - 1;
    for (int i = 0; i < 8; i++) {
        ck_assert_msg(!dark(q, sx, by + i), "separator column at x=%d, y=%d", sx, by + i);
        ck_assert_msg(!dark(q, bx + i, sy), "separator row at y=%d, x=%d", sy, bx + i);
    }
}

static void check_qr(json_object *answer, size_t uri_len)
{
    json_object *o = member(answer, "qr", json_type_object);
    json_object *rows = member(o, "rows", json_type_array);
    struct qr q = { .version = json_object_get_int(member(o, "version", json_type_int)),
                    .size = json_object_get_int(member(o, "size", json_type_int)) };
    ck_assert_int_ge(q.version, 1);
    ck_assert_int_le(q.version, 15);
    /* the smallest version that holds the URI */
    ck_assert_msg((size_t)CAP_M[q.version] >= uri_len && (size_t)CAP_M[q.version - 1] < uri_len,
                  "version %d for %zu bytes", q.version, uri_len);
    ck_assert_int_eq(q.size, 17 + 4 * q.version);
    ck_assert_int_eq(json_object_array_length(rows), (size_t)q.size);   /* square */
    for (int y = 0; y < q.size; y++) {
        q.rows[y] = json_object_get_string(json_object_array_get_idx(rows, (size_t)y));
        ck_assert_int_eq(strlen(q.rows[y]), (size_t)q.size);
        ck_assert_int_eq(strspn(q.rows[y], "01"), (size_t)q.size);
    }
    int far = q.size - 7;
    finder(&q, 0, 0);
    finder(&q, far, 0);
    finder(&q, 0, far);
    separator(&q, 0, 0);
    separator(&q, far, 0);
    separator(&q, 0, far);
    /* no fourth finder: the bottom-right corner is data, not a pattern */
    int fourth = 1;
    for (int y = 0; y < 7 && fourth; y++)
        for (int x = 0; x < 7 && fourth; x++)
            fourth = dark(&q, far + x, far + y) ==
                     (x == 0 || y == 0 || x == 6 || y == 6 || (x >= 2 && x <= 4 && y >= 2 &&
                                                               y <= 4));
    ck_assert_msg(!fourth, "a finder pattern in the bottom-right corner");
    /* timing patterns: row 6 and column 6 alternate between the finders */
    for (int i = 8; i < q.size - 8; i++) {
        ck_assert_msg(dark(&q, i, 6) == (i % 2 == 0), "timing row at x=%d", i);
        ck_assert_msg(dark(&q, 6, i) == (i % 2 == 0), "timing column at y=%d", i);
    }
    /* the dark module beside the bottom-left finder, in every version */
    ck_assert(dark(&q, 8, q.size - 8));
}

static void setup_and_check(struct fx *f, const char *name)
{
    int64_t uid = add_user(f, name);
    json_object *req = json_object_new_object(), *a = NULL;
    ck_assert_int_eq(json_object_object_add(req, "action", json_object_new_string("setup")), 0);
    ck_assert_int_eq(f->ops->enrol(f->state, uid, req, &a), 0);
    json_object_put(req);
    const char *uri = json_object_get_string(member(a, "otpauth_uri", json_type_string));
    ck_assert_int_eq(strncmp(uri, "otpauth://totp/", 15), 0);
    check_qr(a, strlen(uri));
    json_object_put(a);
}

/* A usual name, and a long one that needs a larger symbol. */
START_TEST(test_setup_qr)
{
    struct fx f;
    open_totp(&f);
    setup_and_check(&f, "ada");
    setup_and_check(&f, "a-long-username-that-needs-a-larger-qr-symbol-42");
    close_totp(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("totp_qr");
    TCase *tc = tcase_create("plugin");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_setup_qr);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
