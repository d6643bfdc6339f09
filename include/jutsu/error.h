/*
 * jutsu/error.h — the error codes every Jutsu function returns.
 *
 * Functions return 0 on success or one negative JUTSU_E* code. The code says
 * what kind of failure it was (so a caller can decide: retry, report, give
 * up); the details (which file, row, column, plugin) go to the log at the
 * place that knows them. jutsu_strerror() is inline so that plugins can use
 * it without linking against anything.
 */
#ifndef JUTSU_ERROR_H
#define JUTSU_ERROR_H

enum jutsu_err {
    JUTSU_OK          =   0,
    JUTSU_EINVAL      =  -1,  /* an argument or input value is invalid       */
    JUTSU_ENOMEM      =  -2,  /* allocation failed                           */
    JUTSU_ENOENT      =  -3,  /* no such key, row, file or plugin            */
    JUTSU_EEXIST      =  -4,  /* already exists (duplicate name or key)      */
    JUTSU_EIO         =  -5,  /* an operating-system or file error           */
    JUTSU_ECONFIG     =  -6,  /* the configuration is invalid                */
    JUTSU_EABI        =  -7,  /* plugin/host ABI mismatch                    */
    JUTSU_ESTATE      =  -8,  /* called in the wrong state (not started ...) */
    JUTSU_EFULL       =  -9,  /* a bounded queue or buffer is full           */
    JUTSU_ETIMEDOUT   = -10,  /* a deadline passed                           */
    JUTSU_ESHUTDOWN   = -11,  /* the subsystem is shutting down              */
    JUTSU_EDB         = -12,  /* the database reported an error             */
    JUTSU_ECONSTRAINT = -13,  /* a constraint (unique, check, fk) failed     */
    JUTSU_ENOTFOUND   = -14,  /* a remote source does not know the item      */
    JUTSU_ERATELIMIT  = -15,  /* a remote source asked us to slow down       */
    JUTSU_EAUTH       = -16,  /* credentials missing, wrong or expired       */
    JUTSU_ETRANSIENT  = -17,  /* a temporary failure; retrying may succeed   */
    JUTSU_EMALFORMED  = -18,  /* input could not be parsed                   */
    JUTSU_ERANGE      = -19,  /* a value is out of its allowed range         */
    JUTSU_ENOTSUP     = -20,  /* the operation is not supported here         */
    JUTSU_EPLUGIN     = -21,  /* a plugin op failed (see the log)            */
    JUTSU_EBUSY       = -22,  /* held by someone else (lock, running job)    */
    JUTSU_ELOCKED     = -23,  /* an account is locked for a while            */
    JUTSU_E_LAST      = -24
};

/* The name of a code, for messages. Never NULL. */
static inline const char *jutsu_strerror(int err)
{
    switch (err) {
    case JUTSU_OK:          return "success";
    case JUTSU_EINVAL:      return "invalid argument";
    case JUTSU_ENOMEM:      return "out of memory";
    case JUTSU_ENOENT:      return "not found";
    case JUTSU_EEXIST:      return "already exists";
    case JUTSU_EIO:         return "input/output error";
    case JUTSU_ECONFIG:     return "invalid configuration";
    case JUTSU_EABI:        return "plugin ABI mismatch";
    case JUTSU_ESTATE:      return "wrong state for this operation";
    case JUTSU_EFULL:       return "queue full";
    case JUTSU_ETIMEDOUT:   return "timed out";
    case JUTSU_ESHUTDOWN:   return "shutting down";
    case JUTSU_EDB:         return "database error";
    case JUTSU_ECONSTRAINT: return "constraint violated";
    case JUTSU_ENOTFOUND:   return "unknown to the source";
    case JUTSU_ERATELIMIT:  return "rate limited";
    case JUTSU_EAUTH:       return "authentication failed or expired";
    case JUTSU_ETRANSIENT:  return "temporary failure";
    case JUTSU_EMALFORMED:  return "malformed input";
    case JUTSU_ERANGE:      return "value out of range";
    case JUTSU_ENOTSUP:     return "not supported";
    case JUTSU_EPLUGIN:     return "plugin failure";
    case JUTSU_EBUSY:       return "busy";
    case JUTSU_ELOCKED:     return "account locked";
    default:                return "unknown error";
    }
}

#endif
