/*
 * core/main.c — the jutsu executable.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return jutsu_cli_main(argc, argv);
}
