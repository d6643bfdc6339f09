/*
 * core/config/cfg.h — the configuration tree.
 *
 * The YAML file is read with libyaml into a tree of nodes (maps, sequences,
 * scalars), each remembering file:line:col (1-based, the position libyaml
 * reports for the node's start). ${VAR} and ${VAR:-default} in scalars are
 * expanded from the environment while the tree is built ("$$" is a literal
 * '$'); an unset ${VAR} without a default is an error at its position.
 * Anchors/aliases are resolved by copying; merge keys ("<<") are not
 * supported and say so.
 *
 * A schema (struct jutsu_cfg_key, jutsu/config.h) validates a map node:
 * every problem is added to a diag as "file:line:col: message", then
 * defaults are filled in as nodes (marked is_default) and each scalar gets
 * its typed value. Validation never stops at the first error.
 *
 * Ownership: the jutsu_cfg owns every node and string; pointers stay valid
 * until jutsu_cfg_free. Not thread-safe while being modified; read-only
 * access after validation may happen from any thread.
 */
#ifndef JUTSU_CORE_CFG_H
#define JUTSU_CORE_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jutsu/config.h"
#include "jutsu/money.h"
#include "base/diag.h"

struct json_object;

typedef struct jutsu_cfg jutsu_cfg;

enum jutsu_cfg_node_kind {
    JUTSU_CFG_NODE_SCALAR = 1,
    JUTSU_CFG_NODE_MAP    = 2,
    JUTSU_CFG_NODE_SEQ    = 3
};

typedef struct jutsu_cfg_node jutsu_cfg_node;
struct jutsu_cfg_node {
    int          kind;          /* enum jutsu_cfg_node_kind                    */
    const char  *file;          /* source name ("conf/jutsu.yaml", "env DATABASE_URL") */
    int          line, col;     /* 1-based; 0 for nodes made from defaults     */

    /* SCALAR */
    char        *text;          /* after ${} expansion                        */
    int          quoted;        /* written quoted: never null, never a bool   */
    int          is_null;       /* plain "", "~", "null"                       */

    /* MAP (keys[i] -> items[i]) and SEQ (items[i]) */
    size_t       n;
    char       **keys;          /* MAP only                                   */
    int         *key_line, *key_col;  /* MAP only: where each key is          */
    jutsu_cfg_node **items;

    /* set by validation */
    uint32_t     type;          /* enum jutsu_cfg_type, 0 if not validated    */
    uint32_t     flags;         /* schema flags (JUTSU_CFG_SECRET ...)        */
    int          is_default;    /* made from a schema default                 */
    int          resolved;      /* PATH: was relative, made absolute          */
    int          from_env;      /* set from the environment: a relative PATH
                                   is the working directory's, not the
                                   config file's                              */
    int64_t      i;             /* INT; BOOL 0/1                              */
    double       d;             /* DOUBLE                                     */
    jutsu_money_t m;            /* MONEY                                      */
};

/* Parses a file. On failure returns JUTSU_ECONFIG (syntax, ${} errors; each
 * in diag with file:line:col) or JUTSU_EIO (cannot read: diag says why).
 * The file's directory, without symbolic links, becomes the config's
 * directory (jutsu_cfg_dir). */
int  jutsu_cfg_load_file(const char *path, jutsu_cfg **out, struct jutsu_diag *diag);
/* Same, from memory; `name` stands in for the file name in messages. The
 * config's directory is the working directory at the call. */
int  jutsu_cfg_load_string(const char *name, const char *text, size_t len,
                           jutsu_cfg **out, struct jutsu_diag *diag);
/* An empty document (root is an empty map), without a directory. */
int  jutsu_cfg_new(jutsu_cfg **out);
void jutsu_cfg_free(jutsu_cfg *cfg);

/* The absolute directory that relative values of PATH keys are taken from
 * (jutsu/config.h, "Paths"), or NULL: the working directory when they are
 * resolved. */
const char *jutsu_cfg_dir(const jutsu_cfg *cfg);
/* Sets it (copied; an absolute path without symbolic links, as
 * realpath() gives, since "../" is taken off it by its text): 0,
 * JUTSU_EINVAL for a relative dir, JUTSU_ENOMEM. */
int  jutsu_cfg_set_dir(jutsu_cfg *cfg, const char *dir);

/* The root node: a map (an empty file is an empty map; a non-map root is
 * a load error). */
jutsu_cfg_node *jutsu_cfg_root(jutsu_cfg *cfg);

/* Lookup: "a.b", "a[2]", "a[2].b". NULL if any step is missing or of the
 * wrong kind. */
jutsu_cfg_node *jutsu_cfg_get(jutsu_cfg_node *node, const char *path);
jutsu_cfg_node *jutsu_cfg_map_get(const jutsu_cfg_node *map, const char *key);

/* Sets `path` (keys only, no [i]) under `root` to a scalar `text`,
 * creating maps on the way and replacing what was there. The new node's
 * position is (origin, 0, 0): used for environment overrides. */
int  jutsu_cfg_set(jutsu_cfg *cfg, jutsu_cfg_node *root, const char *path,
                   const char *text, const char *origin);
/* Removes a key from a map; 0 or JUTSU_ENOENT. */
int  jutsu_cfg_unset(jutsu_cfg_node *map, const char *key);

/* Validates `map` (a MAP node; callers make an empty one with
 * jutsu_cfg_new_map when the file has none) against `schema`. The value of
 * a PATH key is made absolute against jutsu_cfg_dir (the working
 * directory for a from_env node; its text replaced, `resolved` set) unless
 * it is absolute, empty, or starts with ':'. `what` names the context in messages
 * ("plugin storage-sqlite, instance \"db\""). Adds one diag line per
 * problem:
 *   file:line:col: unknown key "pth" in <what>; allowed: path, busy_timeout_ms
 *   file:line:col: "abc" is not an integer (key "port" in <what>)
 *   file:line:col: missing required key "path" in <what>
 *   file:line:col: 70000 is out of range 1..65535 (key "port" in <what>)
 *   file:line:col: "maybe" is not one of: block, drop_newest (key ...)
 * Fills defaults, sets typed values. Returns 0 or JUTSU_ECONFIG. */
int  jutsu_cfg_validate(jutsu_cfg *cfg, jutsu_cfg_node *map,
                        const struct jutsu_cfg_key *schema, const char *what,
                        struct jutsu_diag *diag);

/* Makes an empty MAP node owned by cfg (for a missing `config:`). */
jutsu_cfg_node *jutsu_cfg_new_map(jutsu_cfg *cfg, const char *file, int line, int col);

/* Typed reads of validated (or plain scalar) nodes. 0, JUTSU_ENOENT
 * (missing/null), JUTSU_EINVAL (wrong kind or unparsable). */
int  jutsu_cfg_str(jutsu_cfg_node *node, const char *path, const char **out);
int  jutsu_cfg_int(jutsu_cfg_node *node, const char *path, int64_t *out);
int  jutsu_cfg_bool(jutsu_cfg_node *node, const char *path, int *out);
int  jutsu_cfg_double(jutsu_cfg_node *node, const char *path, double *out);
int  jutsu_cfg_money(jutsu_cfg_node *node, const char *path, jutsu_money_t *out);

/* "str", "int", ... "any" for an enum jutsu_cfg_type; "?" for another value. */
const char *jutsu_cfg_type_name(uint32_t type);

/* The one list of boolean spellings: true/false, yes/no, on/off, in any
 * case. *out is 1 or 0; JUTSU_EINVAL for anything else (*out untouched).
 * Validation and the loader's check of schema defaults both use it, so a
 * default the loader accepts is one validation accepts. */
int  jutsu_cfg_parse_bool(const char *text, int *out);

/* Copies the validated values of `map` into a plugin's config struct
 * (host->cfg_fill; core/config/cfg_fill.c): for every key of `schema` (top
 * level only) that carries JUTSU_CFG_FIELD, its value is written at
 * (char *)conf + key->offset as the C type jutsu/config.h gives its type.
 * A key the map lacks or holds null is skipped when the schema gives it
 * neither a default nor REQUIRED (its field keeps what the caller put
 * there); with either, absence means `map` was not validated against
 * `schema`. Returns 0, or JUTSU_EINVAL with a message naming the key in
 * err (when a key with a default or REQUIRED is missing, when a value's
 * validated type is not the key's, an ENUM's text is none of its choices,
 * or the key's type cannot be a field; also for a NULL conf or a map that
 * is no MAP); fields written before the failing key keep their new
 * values. Reads the tree only. */
int  jutsu_cfg_fill(const jutsu_cfg_node *map, const struct jutsu_cfg_key *schema, void *conf,
                    char *err, size_t errsz);

/* `path` made absolute (core/config/cfg_fill.c): kept if it is absolute,
 * else joined to `dir` (NULL: the working directory) after its leading
 * "./" and "../" steps are taken off `dir`, whose text must then be free
 * of symbolic links. *out is the caller's to free. 0, JUTSU_ENOMEM, or
 * JUTSU_EIO when the working directory cannot be had. */
int  jutsu_cfg_path_join(const char *dir, const char *path, char **out);
/* The directory of the file at `path`, without symbolic links (realpath):
 * what the file's relative paths are taken from; *out is the caller's.
 * 0, JUTSU_ENOMEM, or JUTSU_EIO (said in diag). */
int  jutsu_cfg_file_dir(const char *path, char **out, struct jutsu_diag *diag);

/* Looks at the disk for every validated PATH value of the tree (what
 * `jutsu config check` adds to validation): a MUST_EXIST one must exist
 * and be readable; any other must exist, or the nearest directory above it
 * that exists must be writable (so the missing directories and the file
 * can be made there). One diag line per problem, "file:line:col: key:
 * path ...", saying for a value written relative which directory it was
 * taken from. 0 or JUTSU_ECONFIG. Reads the tree only. */
int  jutsu_cfg_check_paths(jutsu_cfg *cfg, struct jutsu_diag *diag);

/* Writes "file:line:col" of a node into buf (size >= 64 recommended). */
const char *jutsu_cfg_where(const jutsu_cfg_node *node, char *buf, size_t size);

/* The tree as YAML text (block style, keys in file order), with the
 * values of SECRET nodes replaced by "********". */
int  jutsu_cfg_dump_yaml(const jutsu_cfg_node *node, FILE *out);
/* The tree as JSON (typed values where validated), secrets masked;
 * *out owned by the caller. */
int  jutsu_cfg_to_json(const jutsu_cfg_node *node, struct json_object **out);

/* Marks every scalar under `node` whose key is in `keys` (NULL-terminated)
 * as SECRET, e.g. password-like keys of free-form maps. */
void jutsu_cfg_mark_secret(jutsu_cfg_node *node, const char *const *keys);

/* The environment's say over the file (core/config/cfg_env.c): DATABASE_URL,
 * DATABASE_TYPE, POSTGRES_*, and `database.url` from the file, set into
 * `database.*` with their origin ("env POSTGRES_PORT") as their position.
 * 0 or JUTSU_ECONFIG (said in diag). */
int  jutsu_cfg_env_apply(jutsu_cfg *cfg, struct jutsu_diag *diag);
/* Parses a database URL into `database.*` keys of the root; a relative
 * SQLite path is left for validation to resolve, against the config
 * file's directory as one written in the file (DATABASE_URL's, marked
 * from_env by jutsu_cfg_env_apply, against the working directory). */
int  jutsu_cfg_database_url_apply(jutsu_cfg *cfg, const char *url, const char *origin,
                                  struct jutsu_diag *diag);

/* Describes a schema as help text (for `jutsu plugins describe`):
 *   key            type     default   help   (nested maps indented) */
void jutsu_cfg_schema_help(const struct jutsu_cfg_key *schema, FILE *out, int indent);
/* The schema as JSON, for `--format json`; owned by the caller. */
struct json_object *jutsu_cfg_schema_json(const struct jutsu_cfg_key *schema);

#endif
