/*
 * tests/plugins/tp_kpi_omega.c — the example KPI plugin with metrics of its
 * own (docs/examples/kpi-omega), built from its very source so that the
 * tests run what authors copy. CMakeLists.txt builds it under several
 * names: tp-kpi-omega as it is, and variants whose metric name the host
 * must refuse (a daily_performance column, a name against the rule).
 */
#ifndef KPI_OMEGA_NAME
#define KPI_OMEGA_NAME "tp-kpi-omega"
#endif

#include "../../docs/examples/kpi-omega/kpi_omega.c"
