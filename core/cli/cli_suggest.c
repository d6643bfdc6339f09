/*
 * core/cli/cli_suggest.c — the nearest name to a mistyped one, and why a
 * date was refused (see cli_suggest.h).
 *
 * The distance is Levenshtein's with the swap of two neighbours counted
 * as one edit (the "optimal string alignment" variant), because swapped
 * letters are the commonest typo ("sycn", "shwo") and plain Levenshtein
 * counts them two, which puts them beyond the limit of short words.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "cli/cli_suggest.h"
#include "host/entities.h"

static int lower(char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : (unsigned char)c;
}

static int same(char a, char b)
{
    return lower(a) == lower(b);
}

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

int jutsu_cli_edit_distance(const char *a, const char *b)
{
    /* three rows of the table: i-2, i-1 and i */
    int rows[3][JUTSU_SUGGEST_MAX_LEN + 1];
    size_t la = strlen(a), lb = strlen(b);
    if (la > JUTSU_SUGGEST_MAX_LEN || lb > JUTSU_SUGGEST_MAX_LEN)
        return -1;
    for (size_t j = 0; j <= lb; j++)
        rows[1][j] = (int)j;
    int *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + !same(a[i - 1], b[j - 1]));
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]) &&
                pp[j - 2] + 1 < cur[j])
                cur[j] = pp[j - 2] + 1;
        }
        int *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

/* How many edits still read as a typo of a word this long: one in a
 * short word, more in a long one, never so many that "nope" suggests
 * "hold" (3 edits). */
static int near_limit(size_t len)
{
    return len <= 4 ? 1 : len <= 7 ? 2 : 3;
}

void jutsu_cli_suggest_init(struct jutsu_suggest *sg, const char *word)
{
    memset(sg, 0, sizeof(*sg));
    sg->word = word;
    sg->best_dist = -1;
}

static void list_add(struct jutsu_suggest *sg, const char *name)
{
    static const char more[] = ", ...";
    size_t used = strlen(sg->list), need = strlen(name) + (used ? 2 : 0);
    if (used >= 3 && strcmp(sg->list + used - 3, "...") == 0)
        return;   /* already full */
    if (used + need + sizeof(more) > sizeof(sg->list)) {
        snprintf(sg->list + used, sizeof(sg->list) - used, "%s", used ? more : "...");
        return;
    }
    snprintf(sg->list + used, sizeof(sg->list) - used, "%s%s", used ? ", " : "", name);
}

void jutsu_cli_suggest_offer(struct jutsu_suggest *sg, const char *name)
{
    if (name == NULL || strcmp(name, sg->word) == 0)
        return;
    sg->n++;
    list_add(sg, name);
    int d = jutsu_cli_edit_distance(sg->word, name);
    if (d < 0 || d > near_limit(strlen(sg->word)) || (sg->best_dist >= 0 && d >= sg->best_dist))
        return;
    sg->best_dist = d;
    snprintf(sg->best, sizeof(sg->best), "%s", name);
}

const char *jutsu_cli_suggest_best(const struct jutsu_suggest *sg)
{
    return sg->best_dist >= 0 ? sg->best : NULL;
}

const char *jutsu_cli_suggest_hint(const struct jutsu_suggest *sg, const char *label, char *buf,
                                   size_t size)
{
    const char *best = jutsu_cli_suggest_best(sg);
    if (best)
        snprintf(buf, size, "did you mean \"%s\"?", best);
    else if (sg->n > 0)
        snprintf(buf, size, "%s: %s", label, sg->list);
    else if (size > 0)
        buf[0] = '\0';
    return buf;
}

const char *jutsu_cli_entity_hint(const struct jutsu_entities *e, const char *type,
                                  const char *id, char *buf, size_t size)
{
    struct jutsu_suggest sg;
    const char *label = type == NULL ? "strategies and baselines"
                      : strcmp(type, "baseline") == 0 ? "baselines" : "strategy instances";
    jutsu_cli_suggest_init(&sg, id);
    for (size_t i = 0; i < e->n; i++)
        if (type == NULL || strcmp(e->v[i].type_name, type) == 0)
            jutsu_cli_suggest_offer(&sg, e->v[i].id);
    if (sg.n == 0) {
        snprintf(buf, size, "%s: none", label);
        return buf;
    }
    return jutsu_cli_suggest_hint(&sg, label, buf, size);
}

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
};

int jutsu_cli_date_why(const char *text, jutsu_date_t *d, char *why, size_t size)
{
    int y, m, day;
    if (jutsu_date_parse(text, -1, d) == 0)
        return 0;
    if (jutsu_date_split(text, -1, &y, &m, &day) != 0)
        snprintf(why, size, "write the date as YYYY-MM-DD");
    else if (m < 1 || m > 12)
        /* "2026-30-01" is most often a day and a month swapped */
        snprintf(why, size, "there is no month %d (write the date as YYYY-MM-DD)", m);
    else if (day == 0)
        snprintf(why, size, "there is no day 0");
    else
        snprintf(why, size, "there is no such day: %s %04d has %d days", month_names[m - 1], y,
                 jutsu_date_days_in_month(y, m));
    return JUTSU_EMALFORMED;
}

int jutsu_cli_date_arg(struct jutsu_cli *cli, const char *name, const char *v, jutsu_date_t *d)
{
    char why[96];
    if (jutsu_cli_date_why(v, d, why, sizeof(why)) != 0)
        return jutsu_cli_usage(cli, "--%s %s: %s", name, v, why);
    return 0;
}

int jutsu_cli_date_range(struct jutsu_cli *cli, jutsu_date_t from, jutsu_date_t to)
{
    char f[JUTSU_DATE_BUFSZ], t[JUTSU_DATE_BUFSZ];
    if (from == 0 || to == 0 || from <= to)
        return 0;
    jutsu_date_format(from, f);
    jutsu_date_format(to, t);
    return jutsu_cli_usage(cli, "--from %s is after --to %s", f, t);
}
