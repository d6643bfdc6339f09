/*
 * core/host/loader.h — finding, opening and validating plugin shared objects.
 *
 * A module is one opened .so. It is opened with dlopen(RTLD_NOW |
 * RTLD_LOCAL): every undefined symbol is resolved at once (a missing
 * dependency fails here, not in the middle of a job) and nothing the plugin
 * defines leaks into other plugins. Then jutsu_plugin_describe() is
 * resolved and called, and the descriptor is validated field by field
 * before anything else of the plugin is called. Every mismatch is reported,
 * not just the first, with the file name.
 *
 * Plugin files are named NAME.so after the plugin's name
 * ("storage-sqlite.so") and searched in a list of directories.
 *
 * Not thread-safe: modules are opened and closed by the main thread.
 */
#ifndef JUTSU_CORE_LOADER_H
#define JUTSU_CORE_LOADER_H

#include <stddef.h>

#include "jutsu/plugin.h"
#include "base/diag.h"

struct jutsu_module {
    char                      *path;    /* the file as opened          */
    void                      *handle;  /* dlopen handle               */
    const struct jutsu_plugin *desc;    /* validated descriptor        */
    int                        instances;  /* how many instances use it */
};

/* Opens and validates `path`. On failure returns JUTSU_EIO (dlopen or
 * dlsym failed: dlerror() verbatim plus a hint) or JUTSU_EABI (descriptor
 * refused), with every reason in diag, and leaves nothing open. */
int  jutsu_module_open(const char *path, struct jutsu_module **out,
                       struct jutsu_diag *diag);
void jutsu_module_close(struct jutsu_module *m);

/* Checks a descriptor without calling any of its functions; adds one diag
 * line per problem, prefixed with `file`. 0 or JUTSU_EABI. */
int  jutsu_plugin_check(const struct jutsu_plugin *d, const char *file,
                        struct jutsu_diag *diag);
/* Checks a schema table (names, types, defaults parse as their type,
 * ENUM choices, duplicates) and what host->cfg_fill relies on: the flag
 * JUTSU_CFG_FIELD only on a top-level key of a type that can be a field,
 * no two fields sharing a byte, no offset without the flag, `values` only
 * on an ENUM field, known flags, a zero reserved slot. 0 or JUTSU_EABI. */
int  jutsu_schema_check(const struct jutsu_cfg_key *schema, const char *who,
                        struct jutsu_diag *diag);

/* Looks for NAME.so in each directory, in order. *path is malloc'd.
 * 0 or JUTSU_ENOENT. */
int  jutsu_module_find(char *const *dirs, size_t ndirs, const char *name,
                       char **path);

/* Calls fn(path, arg) for every *.so in the directories (sorted by name
 * within a directory; a name seen in an earlier directory is skipped).
 * Stops and returns fn's value if it is nonzero. */
int  jutsu_module_scan(char *const *dirs, size_t ndirs,
                       int (*fn)(const char *path, void *arg), void *arg);

#endif
