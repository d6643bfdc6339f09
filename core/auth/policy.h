/*
 * core/auth/policy.h — what a password and a username must be.
 *
 * A password has at least 12 characters (code points, not bytes) and at
 * most 1024 bytes, is not the username (in any case), does not repeat one
 * character throughout, and is not on the list of common passwords. The
 * check says which rule failed; it never repeats the password.
 */
#ifndef JUTSU_CORE_AUTH_POLICY_H
#define JUTSU_CORE_AUTH_POLICY_H

#include <stddef.h>

#define JUTSU_PASSWORD_MIN_CHARS 12
#define JUTSU_PASSWORD_MAX_BYTES 1024
#define JUTSU_USERNAME_MAX       50

/* 0, or JUTSU_EINVAL with the rule it breaks in why. */
int jutsu_policy_password(const char *password, const char *username, char *why, size_t whysz);
/* 1..50 of A-Z a-z 0-9 . _ - @; 0, or JUTSU_EINVAL with why. */
int jutsu_policy_username(const char *username, char *why, size_t whysz);

#endif
