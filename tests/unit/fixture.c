/*
 * tests/unit/fixture.c — start and stop fixture-httpd for a test (see
 * fixture.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

static char *server_path(void)
{
    const char *p = getenv("FIXTURE_HTTPD");
    const char *build = getenv("JUTSU_BUILD_DIR");
    char *path = NULL;
    if (p && *p)
        return strdup(p);
    if (asprintf(&path, "%s/tests/fixtures/httpd/fixture-httpd",
                 build && *build ? build : "build") < 0)
        return NULL;
    return path;
}

/* In the child: stdout to the pipe, then the server. Never returns. */
static void run_server(const char *exe, const char *routes, int out, pid_t parent)
{
    /* die with the test, even if it crashes before fixture_stop */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(127);
    if (dup2(out, STDOUT_FILENO) < 0)
        _exit(127);
    close(out);
    execl(exe, exe, routes, "--port", "0", (char *)NULL);
    fprintf(stderr, "fixture: cannot run %s: %s (is it built? set JUTSU_BUILD_DIR)\n", exe,
            strerror(errno));
    _exit(127);
}

/* Reads "port N\n" from fd within 10 s; the port, or -1. */
static int read_port(int fd)
{
    char line[64];
    size_t len = 0;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (len < sizeof(line) - 1) {
        int r = poll(&p, 1, 10000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t n = read(fd, line + len, sizeof(line) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        len += (size_t)n;
        line[len] = '\0';
        if (strchr(line, '\n'))
            break;
    }
    int port = -1;
    char nl = 0;
    if (sscanf(line, "port %d%c", &port, &nl) != 2 || nl != '\n' || port <= 0 || port > 65535)
        return -1;
    return port;
}

int fixture_start(const char *routes_json_path, struct fixture *out)
{
    int fds[2] = { -1, -1 };
    char *exe = server_path();
    memset(out, 0, sizeof(*out));
    out->pid = -1;
    if (exe == NULL || pipe(fds) != 0)
        goto fail;
    pid_t parent = getpid();
    out->pid = fork();
    if (out->pid < 0)
        goto fail;
    if (out->pid == 0) {
        close(fds[0]);
        run_server(exe, routes_json_path, fds[1], parent);
    }
    close(fds[1]);
    fds[1] = -1;
    out->port = read_port(fds[0]);
    if (out->port < 0) {
        fprintf(stderr, "fixture: %s %s printed no \"port N\" line (see its messages above)\n",
                exe, routes_json_path);
        goto fail;
    }
    close(fds[0]);
    free(exe);
    snprintf(out->base_url, sizeof(out->base_url), "http://127.0.0.1:%d", out->port);
    return 0;
fail:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    free(exe);
    fixture_stop(out);
    return -1;
}

void fixture_stop(struct fixture *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        while (waitpid(f->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    f->pid = -1;
}

char *fixture_log_read(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m == NULL)
        abort();
    FILE *f = fopen(path, "r");
    if (f) {
        int ch;
        while ((ch = fgetc(f)) != EOF)
            fputc(ch, m);
        fclose(f);
    }
    if (fclose(m) != 0 || text == NULL)
        abort();
    return text;
}

void fixture_log_line(const char *path, int i, char *out, size_t size)
{
    char *text = fixture_log_read(path), *p = text;
    for (int k = 0; k < i && p && *p; k++)
        p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
    snprintf(out, size, "%.*s", p ? (int)strcspn(p, "\n") : 0, p ? p : "");
    free(text);
}

int fixture_log_count(const char *path, const char *needle)
{
    char *text = fixture_log_read(path);
    int n = 0;
    for (char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    free(text);
    return n;
}
