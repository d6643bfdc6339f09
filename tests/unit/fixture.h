/*
 * tests/unit/fixture.h — runs fixture-httpd (tests/fixtures/httpd), the
 * scripted loopback HTTP server, for a C test of a network source.
 *
 *   struct fixture f;
 *   ck_assert_int_eq(fixture_start(routes_json, &f), 0);
 *   ... point the plugin's base_url at f.base_url ...
 *   fixture_stop(&f);
 *
 * The server is $JUTSU_BUILD_DIR/tests/fixtures/httpd/fixture-httpd
 * ($FIXTURE_HTTPD overrides the path). It inherits the environment, so set
 * FIXTURE_LOG before fixture_start to get its request log. It is asked to
 * die with the thread that started it, so a crashed test leaves no server
 * behind.
 */
#ifndef JUTSU_TEST_FIXTURE_H
#define JUTSU_TEST_FIXTURE_H

#include <stddef.h>
#include <sys/types.h>

struct fixture {
    int   port;
    pid_t pid;
    char  base_url[64];   /* "http://127.0.0.1:PORT", no trailing slash */
};

/* Starts the server on a free port and waits (up to 10 s) for its "port N"
 * line. Returns 0, or -1 with the reason on stderr (no process left). */
int fixture_start(const char *routes_json_path, struct fixture *out);

/* SIGTERM and waitpid; safe on a fixture that failed to start or was
 * already stopped. */
void fixture_stop(struct fixture *f);

/* The request log FIXTURE_LOG named: all of it ("" when the server wrote
 * none yet; the caller frees), its i-th line (0-based; "" past the end),
 * how many times `needle` occurs in it. Out of memory aborts the test. */
char *fixture_log_read(const char *path);
void  fixture_log_line(const char *path, int i, char *out, size_t size);
int   fixture_log_count(const char *path, const char *needle);

#endif
