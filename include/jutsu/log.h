/*
 * jutsu/log.h — log levels.
 *
 * Plugins log through the host vtable (host->log), never to stdout or
 * stderr directly: the host prefixes every line with the instance name and
 * writes text or JSON lines (for journald) as configured.
 */
#ifndef JUTSU_LOG_H
#define JUTSU_LOG_H

enum jutsu_log_level {
    JUTSU_LOG_ERROR = 0,   /* something failed and a person must act      */
    JUTSU_LOG_WARN  = 1,   /* something is wrong but work goes on          */
    JUTSU_LOG_INFO  = 2,   /* what the service does, a few lines a job     */
    JUTSU_LOG_DEBUG = 3,   /* details for whoever debugs this subsystem    */
    JUTSU_LOG_TRACE = 4    /* per-row, per-event detail                    */
};

#endif
