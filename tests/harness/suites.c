/*
 * tests/harness/suites.c — conformance suites, one per plugin kind.
 */
#include "harness.h"

const struct harness_suite harness_suites[] = {
    { JUTSU_KIND_STORAGE, "storage", harness_storage_suite },
    { JUTSU_KIND_SOURCE, "source", harness_source_suite },
    { JUTSU_KIND_KPI, "kpi", harness_kpi_suite },
    { JUTSU_KIND_STRATEGY, "strategy", harness_strategy_suite },
    { 0, NULL, NULL }
};

const struct harness_suite *harness_suite_find(uint32_t kind)
{
    for (const struct harness_suite *s = harness_suites; s->name; s++)
        if (s->kind == kind)
            return s;
    return NULL;
}
