/*
 * jutsu/version.h — product and ABI version numbers.
 *
 * Two numbers matter to a plugin author. JUTSU_ABI_MAJOR changes only when
 * something a plugin relies on changes incompatibly; the loader refuses a
 * plugin of any other major. JUTSU_ABI_MINOR grows when the host gains
 * something (a vtable slot appended, a new optional op); a plugin built
 * against minor N runs on every host of the same major with minor >= N.
 * The rules are written out in docs/plugin-abi.md.
 */
#ifndef JUTSU_VERSION_H
#define JUTSU_VERSION_H

#define JUTSU_VERSION_MAJOR 0
#define JUTSU_VERSION_MINOR 1
#define JUTSU_VERSION_PATCH 0
#define JUTSU_VERSION       "0.1.0"

#define JUTSU_ABI_MAJOR 1
#define JUTSU_ABI_MINOR 4

#endif
