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
 * many symbols it interleaves. Only the last CSV_SEEN_WINDOW to twice that
 * many bars are remembered (see rotate): about 10 MB, whatever the file's
 * length.
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

static size_t bar_slot(const struct csv_seen_gen *g, uint32_t sym, jutsu_time_t ts)
{
    size_t mask = g->nslot - 1, i = (size_t)bar_hash(sym, ts) & mask;
    while (g->slot[i] != EMPTY &&
           (g->v[g->slot[i]].ts != ts || g->v[g->slot[i]].sym != sym))
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

/* The bar of (sym, ts) in generation g, or NULL. */
static const struct csv_seen_bar *gen_find(const struct csv_seen_gen *g, uint32_t sym,
                                           jutsu_time_t ts)
{
    if (g->nslot == 0)
        return NULL;
    uint32_t k = g->slot[bar_slot(g, sym, ts)];
    return k == EMPTY ? NULL : &g->v[k];
}

/* Keeps the table at most half full, and the array room for one more. */
static int grow(struct csv_seen_gen *g)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 1024;
        struct csv_seen_bar *v = realloc(g->v, cap * sizeof(*v));
        if (v == NULL)
            return JUTSU_ENOMEM;
        g->v = v;
        g->cap = cap;
    }
    if ((g->n + 1) * 2 > g->nslot) {
        size_t n = g->nslot ? g->nslot * 2 : 2048;
        uint32_t *t = slots_new(n), *old = g->slot;
        if (t == NULL)
            return JUTSU_ENOMEM;
        g->slot = t;
        g->nslot = n;
        for (uint32_t k = 0; k < g->n; k++)
            g->slot[bar_slot(g, g->v[k].sym, g->v[k].ts)] = k;
        free(old);
    }
    return 0;
}

/* The current generation is full: it becomes the old one, and the old
 * one's memory, emptied, the current one. A file sorted by date repeats a
 * date, if at all, within a few rows (overlapping downloads pasted
 * together: within a few years of bars), so a window of the last 64 Ki to
 * 128 Ki bars catches what a whole-file table caught, in constant memory.
 * A repeat further back is dropped by the database's conflict clause (the
 * first kept) and counted as skipped, its values not compared. */
static void rotate(struct csv_seen *s)
{
    struct csv_seen_gen g = s->old;
    s->old = s->cur;
    g.n = 0;
    if (g.slot != NULL)
        memset(g.slot, 0xff, g.nslot * sizeof(*g.slot));
    s->cur = g;
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
    if ((rc = sym_id(s, sym, &id)) != 0 || (rc = grow(&s->cur)) != 0)
        return rc;
    struct csv_seen_gen *g = &s->cur;
    size_t i = bar_slot(g, id, b->ts);
    if (g->slot[i] != EMPTY) {
        *earlier = &g->v[g->slot[i]];
        return 0;
    }
    if ((*earlier = gen_find(&s->old, id, b->ts)) != NULL)
        return 0;
    g->v[g->n] = (struct csv_seen_bar){ .ts = b->ts, .open = b->open, .high = b->high,
                                        .low = b->low, .close = b->close,
                                        .volume = b->volume, .line = b->line, .sym = id };
    g->slot[i] = (uint32_t)g->n++;
    if (g->n == CSV_SEEN_WINDOW)
        rotate(s);
    return 0;
}

void csv_seen_free(struct csv_seen *s)
{
    free(s->cur.v);
    free(s->cur.slot);
    free(s->old.v);
    free(s->old.slot);
    free(s->sym);
    free(s->symslot);
    memset(s, 0, sizeof(*s));
}
