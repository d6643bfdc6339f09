/*
 * tests/fuzz/fuzz_config.c — a jutsu.yaml from memory: the YAML reader and
 * ${} expansion (jutsu_cfg_load_string), then validation against the
 * host's schema, then both writers (YAML for `config show`, JSON for the
 * REST config route). Paths resolve against the working directory; no
 * file is read or written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "base/diag.h"
#include "config/cfg.h"
#include "config/host_settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    struct jutsu_diag d;
    jutsu_cfg *cfg = NULL;
    if (size > 65536)
        return 0;
    if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
        abort();
    jutsu_diag_init(&d);
    if (jutsu_cfg_load_string("fuzz.yaml", (const char *)data, size, &cfg, &d) == 0) {
        jutsu_cfg_node *root = jutsu_cfg_root(cfg);
        struct json_object *j = NULL;
        /* the writers' results are not judged: reaching them is the point */
        (void)jutsu_cfg_validate(cfg, root, jutsu_host_schema, "the host config", &d);
        (void)jutsu_cfg_dump_yaml(root, sink);
        if (jutsu_cfg_to_json(root, &j) == 0)
            json_object_put(j);
        jutsu_cfg_free(cfg);
    }
    jutsu_diag_free(&d);
    return 0;
}
