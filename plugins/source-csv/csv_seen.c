/*
 * plugins/source-csv/csv_seen.c — the bars a file has delivered so far, to
 * catch a date it repeats with other values.
 *
 * The sync job dedupes every source's bars (the first delivered wins), but
 * it cannot tell a harmless repeat from a file that says two things about
 * one day, nor say where either came from. The reader can: it remembers
 * each delivered bar (symbol, time, values, line) in a hash table, and a
 * row whose key is already there is compared with the earlier one. The
 * caller rejects it when the values differ (naming both lines; the earlier
 * one is the one kept, as the job would have kept it) and lets an identical
 * repeat through for the job to drop and count as skipped: it loses
 * nothing, and an export concatenated from overlapping downloads is full
 * of them.
 *
 * Symbols are interned to small numbers through a second table, so that a
 * multi-symbol file sorted by date costs one hash lookup per row however
 * many symbols it interleaves. Memory is about 64 bytes per bar, less than
 * the job itself keeps for it.
 */
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "csv_int.h"

#define EMPTY UINT32_MAX

static uint64_t mix(uint64_t h)
{
    /* splitmix64's finaliser: dates differ in a few middle bits only */
    h ^= h >> 30;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 27;
    h *= UINT64_C(0x94d049bb133111eb);
    return h ^ (h >> 31);
}

static uint64_t bar_hash(uint32_t sym, jutsu_time_t ts)
{
    return mix((uint64_t)ts ^ ((uint64_t)sym << 48));
}

static uint64_t sym_hash(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);     /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h;
}

/* A table of `cap` (a power of two) slots; each holds an index or EMPTY. */
static uint32_t *slots_new(size_t cap)
{
    uint32_t *t = malloc(cap * sizeof(*t));
    if (t != NULL)
        memset(t, 0xff, cap * sizeof(*t));
    return t;
}

static size_t bar_slot(const struct csv_seen *s, uint32_t sym, jutsu_time_t ts)
{
    size_t mask = s->nslot - 1, i = (size_t)bar_hash(sym, ts) & mask;
    while (s->slot[i] != EMPTY &&
           (s->v[s->slot[i]].ts != ts || s->v[s->slot[i]].sym != sym))
        i = (i + 1) & mask;
    return i;
}

static size_t sym_slot(const struct csv_seen *s, const char *sym)
{
    size_t mask = s->nsymslot - 1, i = (size_t)sym_hash(sym) & mask;
    while (s->symslot[i] != EMPTY && strcmp(s->sym[s->symslot[i]], sym) != 0)
        i = (i + 1) & mask;
    return i;
}

/* Keeps both tables at most half full, and the arrays room for one more. */
static int grow(struct csv_seen *s)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        if (cap > EMPTY)    /* indexes are 32 bits */
            return JUTSU_ENOMEM;
        struct csv_seen_bar *v = realloc(s->v, cap * sizeof(*v));
        if (v == NULL)
            return JUTSU_ENOMEM;
        s->v = v;
        s->cap = cap;
    }
    if ((s->n + 1) * 2 > s->nslot) {
        size_t n = s->nslot ? s->nslot * 2 : 2048;
        uint32_t *t = slots_new(n), *old = s->slot;
        if (t == NULL)
            return JUTSU_ENOMEM;
        s->slot = t;
        s->nslot = n;
        for (uint32_t k = 0; k < s->n; k++)
            s->slot[bar_slot(s, s->v[k].sym, s->v[k].ts)] = k;
        free(old);
    }
    return 0;
}

static int sym_id(struct csv_seen *s, const char *sym, uint32_t *id)
{
    if (s->nsym > 0 && strcmp(s->sym[s->last], sym) == 0) {
        *id = s->last;      /* the usual file: one symbol's rows together */
        return 0;
    }
    if ((s->nsym + 1) * 2 > s->nsymslot) {
        size_t n = s->nsymslot ? s->nsymslot * 2 : 64;
        uint32_t *t = slots_new(n), *old = s->symslot;
        char (*names)[CSV_SYMBOL_MAX] = realloc(s->sym, n / 2 * sizeof(*names));
        if (t == NULL || names == NULL) {
            free(t);
            if (names != NULL)
                s->sym = names;
            return JUTSU_ENOMEM;
        }
        s->sym = names;
        s->symslot = t;
        s->nsymslot = n;
        for (uint32_t k = 0; k < s->nsym; k++)
            s->symslot[sym_slot(s, s->sym[k])] = k;
        free(old);
    }
    size_t i = sym_slot(s, sym);
    if (s->symslot[i] == EMPTY) {
        memcpy(s->sym[s->nsym], sym, CSV_SYMBOL_MAX);
        s->symslot[i] = (uint32_t)s->nsym++;
    }
    *id = s->last = s->symslot[i];
    return 0;
}

int csv_seen_check(struct csv_seen *s, const char *sym, const struct jutsu_bar *b,
                   const struct csv_seen_bar **earlier)
{
    uint32_t id;
    int rc;
    *earlier = NULL;
    if ((rc = sym_id(s, sym, &id)) != 0 || (rc = grow(s)) != 0)
        return rc;
    size_t i = bar_slot(s, id, b->ts);
    if (s->slot[i] != EMPTY) {
        *earlier = &s->v[s->slot[i]];
        return 0;
    }
    s->v[s->n] = (struct csv_seen_bar){ .ts = b->ts, .open = b->open, .high = b->high,
                                        .low = b->low, .close = b->close,
                                        .volume = b->volume, .line = b->line, .sym = id };
    s->slot[i] = (uint32_t)s->n++;
    return 0;
}

void csv_seen_free(struct csv_seen *s)
{
    free(s->v);
    free(s->slot);
    free(s->sym);
    free(s->symslot);
    memset(s, 0, sizeof(*s));
}
