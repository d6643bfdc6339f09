/*
 * core/main.c — the jutsu executable.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return jutsu_cli_main(argc, argv);
}
