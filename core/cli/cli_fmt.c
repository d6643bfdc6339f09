/*
 * core/cli/cli_fmt.c — the KPI cells the reports share (`perf show`'s
 * table, a sweep's), so that a Sharpe ratio or a drawdown reads the same
 * in every one.
 */
#include <math.h>
#include <stdio.h>

#include "cli/cli.h"

void jutsu_cli_pct(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2f%%", v * 100.0);
}

void jutsu_cli_ratio(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.3f", v);
}
