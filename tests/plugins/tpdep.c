/*
 * tests/plugins/tpdep.c — a library that tp-undefdep links against and the
 * tests deliberately keep out of the loader's reach, to produce the
 * "cannot open shared object file" failure of a missing dependency.
 */
int tpdep_answer(void);

int tpdep_answer(void)
{
    return 42;
}
