/*
 * tests/fuzz/fe_http.c — see fe_http.h.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fe_http.h"

#define ROUNDS 8   /* MHD_run calls per phase: a request needs two or three */

struct run {
    fe_http_fn fn;
    int        called;
    int        done;
    struct fe  fe;
};

static void fe_log(jutsu_ctx *ctx, int level, const char *fmt, ...)
{
    (void)ctx;
    (void)level;
    (void)fmt;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    struct run *run = cls;
    struct fe_req *r = *con_cls;
    (void)version;
    if (r == NULL) {
        /* as fe_server.c's on_request sets a request up */
        if ((r = calloc(1, sizeof(*r))) == NULL)
            abort();
        r->fe = &run->fe;
        r->conn = conn;
        r->method = method;
        snprintf(r->path, sizeof(r->path), "%s", url);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size != 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_large || r->body_len + n > FE_HTTP_MAX_BODY) {
            r->too_large = 1;
            return MHD_YES;
        }
        char *b = realloc(r->body, r->body_len + n + 1);
        if (b == NULL)
            abort();
        memcpy(b + r->body_len, upload, n);
        r->body = b;
        r->body_len += n;
        r->body[r->body_len] = '\0';
        return MHD_YES;
    }
    if (!r->too_large) {
        run->fn(r);
        run->called = 1;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"",
                                                                MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        abort();
    int status = r->status >= 100 && r->status <= 599 ? r->status : 200;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct run *run = cls;
    struct fe_req *r = *con_cls;
    (void)c;
    (void)toe;
    run->done = 1;
    if (r == NULL)
        return;
    json_object_put(r->json);
    free(r->raw);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

/* Runs the daemon until the request is answered or `rounds` pass,
 * reading (and dropping) what it sends. 1 once the peer closed. */
static int pump(struct MHD_Daemon *d, int fd, struct run *run, int rounds)
{
    char junk[4096];
    for (int i = 0; i < rounds && !run->done; i++) {
        if (MHD_run(d) != MHD_YES)
            abort();
        ssize_t n;
        while ((n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT)) > 0)
            ;
        if (n == 0)
            return 1;
    }
    return 0;
}

int fe_http_run(const uint8_t *req, size_t len, fe_http_fn fn)
{
    static struct jutsu_host host;
    struct run run;
    int sv[2];
    struct sockaddr_in peer;
    memset(&run, 0, sizeof(run));
    host.size = sizeof(host);
    host.log = fe_log;
    run.fn = fn;
    run.fe.host = &host;
    run.fe.max_body = FE_HTTP_MAX_BODY;
    run.fe.max_header = 32768;
    memset(&peer, 0, sizeof(peer));
    peer.sin_family = AF_INET;
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, &run,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)run.fe.max_header,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &run,
        MHD_OPTION_END);
    if (d == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    if (MHD_add_connection(d, sv[1], (struct sockaddr *)&peer, sizeof(peer)) != MHD_YES)
        abort();
    /* a socketpair holds far more than FE_HTTP_MAX_BODY: one send does */
    if (len > 0 && send(sv[0], req, len, MSG_NOSIGNAL) != (ssize_t)len)
        abort();
    if (!pump(d, sv[0], &run, ROUNDS)) {
        /* an unfinished request: the end of input finishes it */
        if (shutdown(sv[0], SHUT_WR) != 0)
            abort();
        (void)pump(d, sv[0], &run, ROUNDS);
    }
    MHD_stop_daemon(d);
    close(sv[0]);
    return run.called;
}
