/*
 * tests/fuzz/fuzz_csv.c — a whole CSV file through the CSV source's
 * parser, as csv_plugin.c drives it: the reader (csv_read.c) opens the
 * file, the header finds the layout (one line, or yfinance's three), and
 * the rows become bars (csv_rows.c) or, for a file with a symbol column,
 * a list of symbols (csv_scan_symbols).
 *
 * The reader wants a path: the input is put in a memfd, read through
 * /proc/self/fd. The first byte picks the options the plugin's settings
 * would (adjusted close, rounding, a symbol to filter on); the rest is the
 * file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jutsu/money.h"
#include "csv_int.h"
#include "host_fx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each_symbol(const char *symbol, void *arg)
{
    (void)arg;
    return strlen(symbol) >= CSV_SYMBOL_MAX;   /* nonzero would be a bug: stops the scan */
}

static void parse(const char *path, uint8_t opt)
{
    struct csv_reader rd;
    struct csv_layout l;
    char why[768];
    int adj = opt & 1;
    if (csv_reader_open(&rd, path, why, sizeof(why)) != 0)
        abort();   /* a memfd always opens */
    csv_reader_skip_bom(&rd);
    if (csv_layout_read(&rd, adj, &l, why, sizeof(why)) == 0) {
        if ((opt & 2) && l.col[CSV_SYMBOL] >= 0) {
            if (csv_scan_symbols(&l, &rd, each_symbol, NULL) > 0)
                abort();
        } else {
            struct csv_job job;
            memset(&job, 0, sizeof(job));
            job.file = "fuzz.csv";
            job.round = (opt & 4) ? JUTSU_MONEY_HALF_EVEN : JUTSU_MONEY_EXACT;
            job.adj_close = adj;
            job.symbol = (opt & 8) ? "QQQ" : NULL;
            snprintf(job.batch_symbol, sizeof(job.batch_symbol), "%s",
                     l.ticker[0] ? l.ticker : "FUZZ");
            job.from = (opt & 16) ? INT64_C(1262304000000000) : INT64_MIN;   /* 2010-01-01 */
            job.to = INT64_MAX;
            job.sink = &fuzz_sink;
            if (csv_rows(&l, &rd, &job) > 0)
                abort();   /* fuzz_sink never stops a fetch */
        }
    }
    csv_reader_close(&rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    char path[64];
    if (size == 0 || size > (1u << 20))
        return 0;
    if (fd < 0 && (fd = memfd_create("fuzz.csv", 0)) < 0)
        abort();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
        abort();
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    parse(path, data[0]);
    return 0;
}
