/*
 * core/host/loader.c — dlopen, the entry symbol, the search path.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jutsu/error.h"
#include "host/loader.h"

/* The usual reasons behind a dlopen failure, so that the message says
 * what to try next rather than only what went wrong. dlerror() names the
 * file it could not open first: the plugin's own path when the plugin
 * itself is missing, a library's name when a dependency is. */
static const char *dlopen_hint(const char *path, const char *err)
{
    size_t plen = strlen(path);
    int itself = strncmp(err, path, plen) == 0 && err[plen] == ':';
    if (itself && strstr(err, "No such file"))
        return "no such file: check the path and the plugin_path setting";
    if (strstr(err, "cannot open shared object file") && strstr(err, ".so"))
        return "a library it depends on is missing: run `ldd` on the file to see which one";
    if (strstr(err, "undefined symbol"))
        return "it was built against a different version of a library it uses; rebuild it";
    if (strstr(err, "wrong ELF class") || strstr(err, "invalid ELF header"))
        return "it was built for another architecture or is not a shared object";
    if (strstr(err, "No such file"))
        return "check the path and the plugin_path setting";
    return "run `ldd` on the file and check it was built for this system";
}

int jutsu_module_open(const char *path, struct jutsu_module **out,
                      struct jutsu_diag *diag)
{
    *out = NULL;
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *err = dlerror();
        if (err == NULL)
            err = "unknown dlopen error";
        jutsu_diag_add(diag, "%s: cannot load: %s", path, err);
        jutsu_diag_add(diag, "%s: hint: %s", path, dlopen_hint(path, err));
        return JUTSU_EIO;
    }

    dlerror();
    void *sym = dlsym(h, JUTSU_PLUGIN_ENTRY);
    const char *err = dlerror();
    if (sym == NULL || err != NULL) {
        jutsu_diag_add(diag, "%s: not a Jutsu plugin: %s", path,
                       err ? err : "symbol " JUTSU_PLUGIN_ENTRY " is NULL");
        jutsu_diag_add(diag, "%s: hint: a plugin exports %s() "
                       "(use JUTSU_PLUGIN_DECLARE from jutsu/plugin.h)",
                       path, JUTSU_PLUGIN_ENTRY);
        dlclose(h);
        return JUTSU_EIO;
    }

    /* ISO C forbids converting void* to a function pointer; POSIX requires
     * it to work for dlsym. Copy the bits to stay warning-free. */
    jutsu_plugin_describe_fn describe;
    memcpy(&describe, &sym, sizeof(describe));
    const struct jutsu_plugin *d = describe();
    if (jutsu_plugin_check(d, path, diag) != 0) {
        dlclose(h);
        return JUTSU_EABI;
    }

    struct jutsu_module *m = calloc(1, sizeof(*m));
    if (m == NULL || (m->path = strdup(path)) == NULL) {
        free(m);
        dlclose(h);
        jutsu_diag_add(diag, "%s: out of memory", path);
        return JUTSU_ENOMEM;
    }
    m->handle = h;
    m->desc = d;
    *out = m;
    return 0;
}

void jutsu_module_close(struct jutsu_module *m)
{
    if (m == NULL)
        return;
    /* Leak-check runs want the symbols of unloaded plugins in their stack
     * traces; JUTSU_NO_DLCLOSE keeps the objects mapped for them. */
    if (m->handle && getenv("JUTSU_NO_DLCLOSE") == NULL)
        dlclose(m->handle);
    free(m->path);
    free(m);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int jutsu_module_find(char *const *dirs, size_t ndirs, const char *name,
                      char **path)
{
    *path = NULL;
    for (size_t i = 0; i < ndirs; i++) {
        char *p = NULL;
        if (asprintf(&p, "%s/%s.so", dirs[i], name) < 0)
            return JUTSU_ENOMEM;
        if (is_file(p)) {
            *path = p;
            return 0;
        }
        free(p);
    }
    return JUTSU_ENOENT;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_so_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/* Names (not paths) of *.so files in one directory, sorted. */
static int list_dir(const char *dir, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    DIR *dp = opendir(dir);
    if (dp == NULL)
        return errno == ENOENT || errno == ENOTDIR ? 0 : JUTSU_EIO;
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (!has_so_suffix(e->d_name))
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nn = realloc(*names, ncap * sizeof(*nn));
            if (nn == NULL) {
                rc = JUTSU_ENOMEM;
                break;
            }
            *names = nn;
            cap = ncap;
        }
        if (((*names)[*n] = strdup(e->d_name)) == NULL) {
            rc = JUTSU_ENOMEM;
            break;
        }
        (*n)++;
    }
    closedir(dp);
    if (*n > 1)
        qsort(*names, *n, sizeof(**names), cmp_names);
    return rc;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int seen_before(char *const *dirs, size_t upto, const char *name)
{
    for (size_t i = 0; i < upto; i++) {
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dirs[i], name) < 0)
            return 0;
        int found = is_file(p);
        free(p);
        if (found)
            return 1;
    }
    return 0;
}

int jutsu_module_scan(char *const *dirs, size_t ndirs,
                      int (*fn)(const char *path, void *arg), void *arg)
{
    for (size_t i = 0; i < ndirs; i++) {
        char **names;
        size_t n;
        int rc = list_dir(dirs[i], &names, &n);
        if (rc != 0) {
            free_names(names, n);
            return rc;
        }
        for (size_t j = 0; j < n && rc == 0; j++) {
            char *p = NULL;
            if (seen_before(dirs, i, names[j]))
                continue;
            if (asprintf(&p, "%s/%s", dirs[i], names[j]) < 0) {
                rc = JUTSU_ENOMEM;
                break;
            }
            rc = fn(p, arg);
            free(p);
        }
        free_names(names, n);
        if (rc != 0)
            return rc;
    }
    return 0;
}
