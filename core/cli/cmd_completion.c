/*
 * core/cli/cmd_completion.c — `jutsu completion bash`: a bash completion
 * script made from the command table, so that it can never name a command
 * or option the binary does not have.
 *
 * The script knows three things, all taken from jutsu_commands[]: the
 * first words, the second words of each first word ("data" -> show, gaps,
 * status), and the --options of each command (the `--x` tokens of its
 * usage line). Global options are completed anywhere; after -c a file.
 * Packages install its output as /usr/share/bash-completion/completions/
 * jutsu; by hand: `source <(jutsu completion bash)`.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define GLOBAL_OPTS "-c --config --log-level --log-format -v --verbose -q --quiet --no-color " \
                    "-h --help"

/* Prints the distinct first words (w == NULL) or the second words after w. */
static void words(const char *first)
{
    char seen[4096] = " ";
    int n_out = 0;
    for (const struct jutsu_cmd *c = jutsu_commands; c->name; c++) {
        char w[64];
        const char *sp = strchr(c->name, ' ');
        if (first == NULL) {
            size_t n = sp ? (size_t)(sp - c->name) : strlen(c->name);
            snprintf(w, sizeof(w), "%.*s", (int)n, c->name);
        } else {
            size_t fl = strlen(first);
            if (sp == NULL || (size_t)(sp - c->name) != fl || strncmp(c->name, first, fl) != 0)
                continue;
            snprintf(w, sizeof(w), "%s", sp + 1);
        }
        char key[70];
        snprintf(key, sizeof(key), " %s ", w);
        if (strstr(seen, key) != NULL || strlen(seen) + strlen(w) + 2 >= sizeof(seen))
            continue;
        strcat(seen, w);
        strcat(seen, " ");
        printf("%s%s", n_out++ ? " " : "", w);
    }
}

/* The --options of a usage line, space-separated. */
static void options_of(const char *usage)
{
    int first = 1;
    for (const char *p = strstr(usage, "--"); p; p = strstr(p + 2, "--")) {
        size_t n = 2;
        while (isalnum((unsigned char)p[n]) || p[n] == '-')
            n++;
        if (n > 2) {
            printf("%s%.*s", first ? "" : " ", (int)n, p);
            first = 0;
        }
    }
}

int jutsu_cmd_completion(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_parse(cli, NULL, NULL, NULL);
    if (rc)
        return rc;
    if (cli->argc != 2 || strcmp(cli->argv[1], "bash") != 0)
        return jutsu_cli_usage(cli, "say `bash` (the only shell it knows)");
    printf("# bash completion for jutsu, made by `jutsu completion bash` from its command "
           "table\n_jutsu() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "    local -a w=()\n    local i\n"
           "    if [[ $prev == -c || $prev == --config ]]; then\n"
           "        COMPREPLY=($(compgen -f -- \"$cur\")); return\n    fi\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        case ${COMP_WORDS[i]} in\n"
           "            -c|--config|--log-level|--log-format) ((i++)) ;;\n"
           "            -*) ;;\n"
           "            *) w+=(\"${COMP_WORDS[i]}\") ;;\n"
           "        esac\n    done\n"
           "    local cands\n");
    /* --format: the values the command takes */
    printf("    if [[ $prev == --format ]]; then\n"
           "        case \"${w[0]-} ${w[1]-}\" in\n");
    for (const struct jutsu_cmd *c = jutsu_commands; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        printf("            \"%s%s\"*) cands=\"", c->name, sp ? "" : " ");
        for (const char *f = c->formats ? c->formats : "text"; *f; f++)
            putchar(*f == ',' ? ' ' : *f);
        printf("\" ;;\n");
    }
    printf("        esac\n"
           "    elif [[ $cur == -* ]]; then\n"
           "        cands=\"" GLOBAL_OPTS "\"\n"
           "        case \"${w[0]-} ${w[1]-}\" in\n");
    for (const struct jutsu_cmd *c = jutsu_commands; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        printf("            \"%s%s\"*) cands+=\" ", c->name, sp ? "" : " ");
        options_of(c->usage ? c->usage : "");
        printf(" --format --help\" ;;\n");
    }
    printf("        esac\n"
           "    elif ((${#w[@]} == 0)); then\n        cands=\"");
    words(NULL);
    printf("\"\n    elif ((${#w[@]} == 1)); then\n        case ${w[0]} in\n");
    for (const struct jutsu_cmd *c = jutsu_commands; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        if (sp == NULL)
            continue;
        char first[64];
        snprintf(first, sizeof(first), "%.*s", (int)(sp - c->name), c->name);
        /* once per first word: when c is that word's first command */
        const struct jutsu_cmd *d = jutsu_commands;
        while (d != c && strncmp(d->name, first, strlen(first)) != 0)
            d++;
        if (d != c)
            continue;
        printf("            %s) cands=\"", first);
        words(first);
        printf("\" ;;\n");
    }
    printf("        esac\n    fi\n"
           "    COMPREPLY=($(compgen -W \"$cands\" -- \"$cur\"))\n}\n"
           "complete -F _jutsu jutsu\n");
    return JUTSU_EXIT_OK;
}
