/*
 * core/base/calendar.c — the NYSE calendar: holiday rules, early closes, ad-hoc
 * closures and session hours.
 *
 * Every rule is decided from one date alone (its weekday, month and day,
 * plus Easter for Good Friday), so a single function, rule_kind(), answers
 * for any year. A calendar caches its answers for 1970-2100 in one byte per
 * day, with a flag bit for the ad-hoc closures, so that the common queries
 * are a table read; outside that window it asks rule_kind() and the sorted
 * closure list directly. Exchange wall times become UTC instants through
 * core/tz, never through hand-written DST arithmetic.
 */
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "jutsu/error.h"

/* What the rules say about a day: one byte in the table. */
enum day_kind {
    K_OPEN,
    K_EARLY,          /* open, closes at 13:00 */
    K_SATURDAY,
    K_SUNDAY,
    K_NEW_YEAR,
    K_NEW_YEAR_OBS,
    K_MLK,
    K_WASHINGTON,
    K_GOOD_FRIDAY,
    K_MEMORIAL,
    K_JUNETEENTH,
    K_JUNETEENTH_OBS,
    K_INDEPENDENCE,
    K_INDEPENDENCE_OBS,
    K_LABOR,
    K_THANKSGIVING,
    K_CHRISTMAS,
    K_CHRISTMAS_OBS,
    K_COUNT
};

#define K_CLOSURE  0x80   /* table flag: an ad-hoc closure on that day */
#define K_MASK     0x7f

static const char *const kind_names[K_COUNT] = {
    [K_SATURDAY]         = "Saturday",
    [K_SUNDAY]           = "Sunday",
    [K_NEW_YEAR]         = "New Year's Day",
    [K_NEW_YEAR_OBS]     = "New Year's Day (observed)",
    [K_MLK]              = "Martin Luther King Jr. Day",
    [K_WASHINGTON]       = "Washington's Birthday",
    [K_GOOD_FRIDAY]      = "Good Friday",
    [K_MEMORIAL]         = "Memorial Day",
    [K_JUNETEENTH]       = "Juneteenth National Independence Day",
    [K_JUNETEENTH_OBS]   = "Juneteenth National Independence Day (observed)",
    [K_INDEPENDENCE]     = "Independence Day",
    [K_INDEPENDENCE_OBS] = "Independence Day (observed)",
    [K_LABOR]            = "Labor Day",
    [K_THANKSGIVING]     = "Thanksgiving Day",
    [K_CHRISTMAS]        = "Christmas Day",
    [K_CHRISTMAS_OBS]    = "Christmas Day (observed)",
};

static const char OUT_OF_RANGE[] = "outside the calendar's range";

/* The built-in ad-hoc closures, in date order. */
static const struct {
    int y, m, d;
    const char *reason;
} builtin[] = {
    {1985, 9, 27, "Hurricane Gloria"},
    {1994, 4, 27, "President Nixon's funeral"},
    {2001, 9, 11, "September 11 attacks"},
    {2001, 9, 12, "September 11 attacks"},
    {2001, 9, 13, "September 11 attacks"},
    {2001, 9, 14, "September 11 attacks"},
    {2004, 6, 11, "President Reagan's funeral"},
    {2007, 1, 2, "President Ford's funeral"},
    {2012, 10, 29, "Hurricane Sandy"},
    {2012, 10, 30, "Hurricane Sandy"},
    {2018, 12, 5, "President G.H.W. Bush's funeral"},
    {2025, 1, 9, "President Carter's funeral"},
};

#define TABLE_FIRST_YEAR 1970
#define TABLE_LAST_YEAR  2100

struct closure {
    jutsu_date_t date;
    char *reason;             /* owned copy */
};

struct jutsu_calendar {
    const jutsu_tz *tz;       /* borrowed */
    jutsu_date_t first, last; /* the calendar's range */
    jutsu_date_t t_first;     /* table[0] is this day */
    size_t t_len;
    unsigned char *table;
    struct closure *closures; /* sorted by date, no duplicates */
    size_t n_closures, cap_closures;
};

#define MON 1
#define THU 4
#define FRI 5
#define SAT 6
#define SUN 0

/* ---- the rules --------------------------------------------------------- */

/*
 * Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" form of the
 * computus): month into *m, day into *d.
 */
static void easter(int y, int *m, int *d)
{
    int a = y % 19, b = y / 100, c = y % 100;
    int dd = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - dd - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int mm = (a + 11 * h + 22 * l) / 451;

    *m = (h + l - 7 * mm + 114) / 31;
    *d = (h + l - 7 * mm + 114) % 31 + 1;
}

static int is_good_friday(int y, jutsu_date_t day)
{
    int em, ed;

    easter(y, &em, &ed);
    return day == jutsu_date_from_ymd(y, em, ed) - 2;
}

/*
 * A fixed-date holiday that moves to the nearest weekday: Friday for a
 * Saturday, Monday for a Sunday. `md` is the day of the month, `hol` the
 * holiday's day of the month.
 */
static int fixed_nearest(int md, int wd, int hol, int k_day, int k_obs)
{
    if (md == hol)
        return k_day;
    if ((md == hol - 1 && wd == FRI) || (md == hol + 1 && wd == MON))
        return k_obs;
    return K_OPEN;
}

static int rule_july(int md, int wd)
{
    int k = fixed_nearest(md, wd, 4, K_INDEPENDENCE, K_INDEPENDENCE_OBS);

    /* July 3 Mon-Thu: July 4 is a weekday too, so the eve closes early. */
    if (k == K_OPEN && md == 3 && wd >= MON && wd <= THU)
        return K_EARLY;
    return k;
}

static int rule_december(int md, int wd)
{
    int k = fixed_nearest(md, wd, 25, K_CHRISTMAS, K_CHRISTMAS_OBS);

    /* A Friday Dec 24 is the observed holiday (handled above). */
    if (k == K_OPEN && md == 24 && wd >= MON && wd <= THU)
        return K_EARLY;
    return k;
}

/* The rules' verdict on a Monday..Friday; nth counts that weekday's
 * occurrences in the month (the 3rd Monday has nth 3). */
static int rule_weekday(jutsu_date_t day, int y, int m, int md, int wd)
{
    int nth = (md - 1) / 7 + 1;

    switch (m) {
    case 1:
        if (md == 1)
            return K_NEW_YEAR;
        if (md == 2 && wd == MON)
            return K_NEW_YEAR_OBS;
        return wd == MON && nth == 3 && y >= 1998 ? K_MLK : K_OPEN;
    case 2:
        return wd == MON && nth == 3 ? K_WASHINGTON : K_OPEN;
    case 3:
    case 4:
        return wd == FRI && is_good_friday(y, day) ? K_GOOD_FRIDAY : K_OPEN;
    case 5:
        return wd == MON && md + 7 > 31 ? K_MEMORIAL : K_OPEN;
    case 6:
        /* Juneteenth became a federal holiday in 2021, an NYSE one in 2022. */
        return y >= 2022 ? fixed_nearest(md, wd, 19, K_JUNETEENTH, K_JUNETEENTH_OBS) : K_OPEN;
    case 7:
        return rule_july(md, wd);
    case 9:
        return wd == MON && nth == 1 ? K_LABOR : K_OPEN;
    case 11:
        if (wd == THU && nth == 4)
            return K_THANKSGIVING;
        /* The Friday after the 4th Thursday (Nov 23..29). */
        return wd == FRI && md >= 23 && md <= 29 ? K_EARLY : K_OPEN;
    case 12:
        return rule_december(md, wd);
    default:
        return K_OPEN;
    }
}

/* What the rules alone (no ad-hoc closures) say about `day`. */
static int rule_kind(jutsu_date_t day)
{
    int wd = jutsu_date_weekday(day);
    int y, m, md;

    if (wd == SAT)
        return K_SATURDAY;
    if (wd == SUN)
        return K_SUNDAY;
    jutsu_date_to_ymd(day, &y, &m, &md);
    return rule_weekday(day, y, m, md, wd);
}

/* ---- closures ---------------------------------------------------------- */

/* Index of the first closure on or after `d`. */
static size_t closure_pos(const jutsu_calendar *c, jutsu_date_t d)
{
    size_t lo = 0, hi = c->n_closures;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->closures[mid].date < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct closure *closure_find(const jutsu_calendar *c, jutsu_date_t d)
{
    size_t i = closure_pos(c, d);
    return i < c->n_closures && c->closures[i].date == d ? &c->closures[i] : NULL;
}

static int in_table(const jutsu_calendar *c, jutsu_date_t d)
{
    return d >= c->t_first && (size_t)((int64_t)d - c->t_first) < c->t_len;
}

/* The rules' kind of `d` plus K_CLOSURE; d must be inside the range. */
static int day_kind(const jutsu_calendar *c, jutsu_date_t d)
{
    if (in_table(c, d))
        return c->table[d - c->t_first];
    return rule_kind(d) | (closure_find(c, d) ? K_CLOSURE : 0);
}

static int kind_is_open(int k)
{
    return !(k & K_CLOSURE) && ((k & K_MASK) == K_OPEN || (k & K_MASK) == K_EARLY);
}

static int in_range(const jutsu_calendar *c, jutsu_date_t d)
{
    return d >= c->first && d <= c->last;
}

static int closure_insert(jutsu_calendar *c, jutsu_date_t d, const char *reason)
{
    size_t i = closure_pos(c, d);
    char *copy;

    if (c->n_closures == c->cap_closures) {
        size_t cap = c->cap_closures ? c->cap_closures * 2 : 16;
        struct closure *n = realloc(c->closures, cap * sizeof(*n));
        if (!n)
            return JUTSU_ENOMEM;
        c->closures = n;
        c->cap_closures = cap;
    }
    copy = strdup(reason);
    if (!copy)
        return JUTSU_ENOMEM;
    memmove(&c->closures[i + 1], &c->closures[i], (c->n_closures - i) * sizeof(c->closures[0]));
    c->closures[i].date = d;
    c->closures[i].reason = copy;
    c->n_closures++;
    if (in_table(c, d))
        c->table[d - c->t_first] |= K_CLOSURE;
    return 0;
}

/* ---- set-up ------------------------------------------------------------ */

int jutsu_calendar_new(const jutsu_tz *tz, int builtin_closures, jutsu_calendar **out)
{
    jutsu_calendar *c;
    jutsu_date_t t_last;

    if (!tz || !out)
        return JUTSU_EINVAL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return JUTSU_ENOMEM;
    c->tz = tz;
    c->first = jutsu_date_from_ymd(JUTSU_CALENDAR_FIRST_YEAR, 1, 1);
    c->last = jutsu_date_from_ymd(JUTSU_CALENDAR_LAST_YEAR, 12, 31);
    c->t_first = jutsu_date_from_ymd(TABLE_FIRST_YEAR, 1, 1);
    t_last = jutsu_date_from_ymd(TABLE_LAST_YEAR, 12, 31);
    /* NOLINTNEXTLINE(bugprone-misplaced-widening-cast): a few thousand days */
    c->t_len = (size_t)(t_last - c->t_first + 1);
    c->table = malloc(c->t_len);
    if (!c->table)
        goto fail;
    for (size_t i = 0; i < c->t_len; i++)
        c->table[i] = (unsigned char)rule_kind(c->t_first + (jutsu_date_t)i);
    for (size_t i = 0; builtin_closures && i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        jutsu_date_t d = jutsu_date_from_ymd(builtin[i].y, builtin[i].m, builtin[i].d);
        if (closure_insert(c, d, builtin[i].reason) != 0)
            goto fail;
    }
    *out = c;
    return 0;

fail:
    jutsu_calendar_free(c);
    return JUTSU_ENOMEM;
}

void jutsu_calendar_free(jutsu_calendar *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_closures; i++)
        free(c->closures[i].reason);
    free(c->closures);
    free(c->table);
    free(c);
}

int jutsu_calendar_add_closure(jutsu_calendar *c, jutsu_date_t d, const char *reason)
{
    if (!c || !reason || !reason[0])
        return JUTSU_EINVAL;
    if (!in_range(c, d))
        return JUTSU_ERANGE;
    if (!kind_is_open(day_kind(c, d)))
        return JUTSU_EEXIST;
    return closure_insert(c, d, reason);
}

int jutsu_calendar_remove_closure(jutsu_calendar *c, jutsu_date_t d)
{
    size_t i;

    if (!c)
        return JUTSU_EINVAL;
    i = closure_pos(c, d);
    if (i >= c->n_closures || c->closures[i].date != d)
        return JUTSU_ENOENT;
    free(c->closures[i].reason);
    memmove(&c->closures[i], &c->closures[i + 1],
            (c->n_closures - i - 1) * sizeof(c->closures[0]));
    c->n_closures--;
    if (in_table(c, d))
        c->table[d - c->t_first] &= (unsigned char)~K_CLOSURE;
    return 0;
}

/* ---- queries ----------------------------------------------------------- */

int jutsu_calendar_is_trading_day(const jutsu_calendar *c, jutsu_date_t d)
{
    return c && in_range(c, d) && kind_is_open(day_kind(c, d));
}

const char *jutsu_calendar_closed_reason(const jutsu_calendar *c, jutsu_date_t d)
{
    int k;

    if (!c)
        return NULL;
    if (!in_range(c, d))
        return OUT_OF_RANGE;
    k = day_kind(c, d);
    if (kind_is_open(k))
        return NULL;
    /* Rule holidays win: a closure can only be added on a rule-open day. */
    if ((k & K_MASK) != K_OPEN && (k & K_MASK) != K_EARLY)
        return kind_names[k & K_MASK];
    const struct closure *cl = closure_find(c, d);
    return cl ? cl->reason : "closed";
}

int jutsu_calendar_session(const jutsu_calendar *c, jutsu_date_t d, struct jutsu_session *out)
{
    struct jutsu_session s;
    int k, rc;

    if (!c || !out)
        return JUTSU_EINVAL;
    if (!in_range(c, d))
        return JUTSU_ENOENT;
    k = day_kind(c, d);
    if (!kind_is_open(k))
        return JUTSU_ENOENT;
    s.date = d;
    s.early_close = (k & K_MASK) == K_EARLY;
    rc = jutsu_tz_to_utc(c->tz, d, 9, 30, 0, &s.open);
    if (rc == 0)
        rc = jutsu_tz_to_utc(c->tz, d, s.early_close ? 13 : 16, 0, 0, &s.close);
    if (rc != 0)
        return rc;
    *out = s;
    return 0;
}

jutsu_date_t jutsu_calendar_next(const jutsu_calendar *c, jutsu_date_t d)
{
    if (!c || d >= c->last)
        return JUTSU_CALENDAR_NONE;
    /* Closed runs are short (a weekend plus a holiday, or a few closures),
     * so walking day by day is cheap. */
    for (jutsu_date_t e = d < c->first ? c->first : d + 1; e <= c->last; e++)
        if (kind_is_open(day_kind(c, e)))
            return e;
    return JUTSU_CALENDAR_NONE;
}

jutsu_date_t jutsu_calendar_prev(const jutsu_calendar *c, jutsu_date_t d)
{
    if (!c || d <= c->first)
        return JUTSU_CALENDAR_NONE;
    for (jutsu_date_t e = d > c->last ? c->last : d - 1; e >= c->first; e--)
        if (kind_is_open(day_kind(c, e)))
            return e;
    return JUTSU_CALENDAR_NONE;
}

int64_t jutsu_calendar_count(const jutsu_calendar *c, jutsu_date_t from, jutsu_date_t to)
{
    int64_t n = 0;

    if (!c)
        return 0;
    if (from < c->first)
        from = c->first;
    if (to > c->last)
        to = c->last;
    for (jutsu_date_t e = from; e <= to; e++)
        n += kind_is_open(day_kind(c, e));
    return n;
}

int jutsu_calendar_local_date(const jutsu_calendar *c, jutsu_time_t t, jutsu_date_t *d)
{
    if (!c || !d)
        return JUTSU_EINVAL;
    return jutsu_tz_local_date(c->tz, t, d, NULL);
}
