/*
 * plugins/frontend-http/fe_assets.h — the dashboard's files as the build
 * embeds them (cmake/embed.cmake writes fe_assets.c from web/ and uPlot's
 * dist files). Read only; fe_static.c serves them.
 */
#ifndef JUTSU_FE_ASSETS_H
#define JUTSU_FE_ASSETS_H

#include <stddef.h>

struct fe_asset {
    const char          *path;    /* "/js/api.js": the URL path it is served at */
    const unsigned char *data;
    size_t               len;
    const char          *ctype;   /* Content-Type */
    const char          *etag;    /* strong: "\"<32 hex of its SHA-256>\"" */
};

extern const struct fe_asset fe_assets[];
extern const size_t fe_assets_n;

#endif
