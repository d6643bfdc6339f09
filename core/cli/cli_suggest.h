/*
 * core/cli/cli_suggest.h — what to tell someone who typed an argument
 * wrong: the nearest of the names the command knows ("did you mean
 * \"v3_5b\"?"), else the names themselves, and why a date was refused
 * (written in the wrong form, or a day that does not exist).
 *
 * Names come from tables, the config and database rows, whose strings may
 * not outlive the callback that sees them: a jutsu_suggest copies what it
 * keeps. Nothing here allocates; everything is reentrant.
 */
#ifndef JUTSU_CORE_CLI_SUGGEST_H
#define JUTSU_CORE_CLI_SUGGEST_H

#include <stddef.h>

#include "jutsu/clock.h"

struct jutsu_cli;

/* Longest name compared; longer words and names are never suggested. */
#define JUTSU_SUGGEST_MAX_LEN 63

/* Edit distance between a and b: insertions, deletions, substitutions and
 * swaps of two neighbours ("shwo" is 1 from "show") each count 1; ASCII
 * case is ignored. -1 when either is longer than JUTSU_SUGGEST_MAX_LEN. */
int jutsu_cli_edit_distance(const char *a, const char *b);

/* The nearest name to `word` among those offered, and a short list of
 * them all for when none is near. */
struct jutsu_suggest {
    const char *word;                          /* borrowed for the struct's life */
    int         best_dist;                     /* -1: no name near enough yet    */
    char        best[JUTSU_SUGGEST_MAX_LEN + 1];
    size_t      n;                             /* names offered                  */
    char        list[192];                     /* "a, b, c" (", ..." when full)  */
};

void jutsu_cli_suggest_init(struct jutsu_suggest *sg, const char *word);
/* Considers one name (copied if kept). A name equal to the word itself is
 * ignored: the caller asks because the word was not found as it is. */
void jutsu_cli_suggest_offer(struct jutsu_suggest *sg, const char *name);
/* The nearest name offered if it is near enough to be a typo of the word
 * (at most 1 edit for up to 4 characters, 2 up to 7, 3 beyond), the first
 * offered on a tie; NULL otherwise. Points into sg. */
const char *jutsu_cli_suggest_best(const struct jutsu_suggest *sg);
/* The hint for a message, into buf: `did you mean "NAME"?` when a name is
 * near; else "LABEL: a, b, c" with the names offered; else "" (none was
 * offered: the caller says there are none). Returns buf. */
const char *jutsu_cli_suggest_hint(const struct jutsu_suggest *sg, const char *label, char *buf,
                                   size_t size);

/* The hint for an id that no entity (host/entities.h) of `type`
 * ("strategy", "baseline"; NULL: either) carries: the nearest id, else
 * "strategy instances: a, b", else "strategy instances: none". */
struct jutsu_entities;
const char *jutsu_cli_entity_hint(const struct jutsu_entities *e, const char *type,
                                  const char *id, char *buf, size_t size);

/* Why `text` is not a date, as words to follow "--from TEXT: ": "write
 * the date as YYYY-MM-DD" when the form is wrong, "there is no month 13",
 * or "there is no such day: February 2026 has 28 days". 0 when it is a
 * date (*d set, why untouched), else JUTSU_EMALFORMED. */
int jutsu_cli_date_why(const char *text, jutsu_date_t *d, char *why, size_t size);
/* Parses --NAME's value as YYYY-MM-DD, saying what is wrong with it as a
 * usage error: 0 or the usage exit code. */
int jutsu_cli_date_arg(struct jutsu_cli *cli, const char *name, const char *v, jutsu_date_t *d);
/* --from and --to (0: not given) as a range: a usage error naming both
 * when --from is after --to, else 0. */
int jutsu_cli_date_range(struct jutsu_cli *cli, jutsu_date_t from, jutsu_date_t to);

#endif
