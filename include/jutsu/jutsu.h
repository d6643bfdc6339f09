/*
 * jutsu/jutsu.h — everything a plugin may include, in one line.
 */
#ifndef JUTSU_JUTSU_H
#define JUTSU_JUTSU_H

#include "jutsu/version.h"
#include "jutsu/error.h"
#include "jutsu/log.h"
#include "jutsu/money.h"
#include "jutsu/symbol.h"
#include "jutsu/buf.h"
#include "jutsu/clock.h"
#include "jutsu/config.h"
#include "jutsu/bus.h"
#include "jutsu/plugin.h"
#include "jutsu/host.h"

#endif
