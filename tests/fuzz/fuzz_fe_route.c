/*
 * tests/fuzz/fuzz_fe_route.c — the REST router alone (fe_route_find over
 * the real route table), without HTTP around it: fast, so that path shapes
 * get many more tries than fuzz_fe_request gives them. The input is
 * "METHOD PATH": the method up to the first space, the path after it (as
 * libmicrohttpd hands it over: decoded, so any byte but NUL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fe_req r;
    const struct fe_route *rt;
    char method[16];
    if (size >= FE_PATH_MAX + sizeof(method))
        return 0;
    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';   /* what MHD gives: a C string, cut at the first NUL */
    char *sp = strchr(text, ' ');
    const char *path = sp ? sp + 1 : "/";
    size_t mlen = sp ? (size_t)(sp - text) : strlen(text);
    if (mlen >= sizeof(method))
        mlen = sizeof(method) - 1;
    memcpy(method, text, mlen);
    method[mlen] = '\0';
    int st = fe_route_find(method, path, &r, &rt, r.allow, sizeof(r.allow));
    if ((st == 0) != (rt != NULL) || (st != 0 && st != 404 && st != 405) ||
        (st == 405 && r.allow[0] == '\0') || r.params_n > FE_MAX_PARAMS)
        abort();
    for (int i = 0; st == 0 && i < r.params_n; i++)
        if (strlen(r.params[i]) >= FE_PARAM_MAX)
            abort();
    free(text);
    return 0;
}
