/*
 * plugins/auth-totp/totp_backup.h — backup codes: what a user types when
 * the authenticator is lost. Private to auth-totp.
 *
 * A code is 12 characters of Crockford's base32 (0-9 and A-Z without I, L,
 * O, U: 60 random bits), shown as XXXX-XXXX-XXXX. Typed codes are read in
 * either case, with or without dashes and spaces, and with I and L read as
 * 1 and O as 0, the way Crockford's alphabet intends.
 *
 * Stored: users.backup_codes, a JSON array of one Argon2id string per code
 * still unused. Each is made with a small cost (BACKUP_OPSLIMIT,
 * BACKUP_MEMLIMIT in totp_backup.c): the codes are random with 60 bits,
 * not chosen by people, so guessing one from its hash is out of reach
 * without a costly hash, and checking a typed code against ten hashes stays
 * within a few tens of milliseconds.
 *
 * Thread-safe (no shared state); the caller serialises per user.
 */
#ifndef JUTSU_TOTP_BACKUP_H
#define JUTSU_TOTP_BACKUP_H

#define TOTP_BACKUP_COUNT  10   /* codes per set                        */
#define TOTP_BACKUP_CHARS  12   /* characters of one code, 5 bits each  */
#define TOTP_BACKUP_SHOWN  14   /* XXXX-XXXX-XXXX                       */
#define TOTP_BACKUP_TYPED  64   /* longest input read as a code         */

/* A new set: shown[i] the codes to hand to the user, *json (malloc'd) the
 * array of their hashes to store. 0 or JUTSU_ENOMEM; on failure nothing is
 * left allocated and shown is wiped. The caller wipes shown after use. */
int totp_backup_new(char shown[TOTP_BACKUP_COUNT][TOTP_BACKUP_SHOWN + 1], char **json);

/* `typed` as the 12 characters that were hashed: 1 and norm filled, or 0
 * when it cannot be a backup code (wrong length or character). */
int totp_backup_normalize(const char *typed, char norm[TOTP_BACKUP_CHARS + 1]);

/* Looks for the normalised code among the hashes in `json` (NULL or "": no
 * codes). 1 when found, with *rest (malloc'd) the array without it; 0 when
 * not; JUTSU_EMALFORMED when json is not an array of strings;
 * JUTSU_ENOMEM. */
int totp_backup_use(const char *json, const char *norm, char **rest);

/* Codes left in `json` (0 for NULL or ""), or JUTSU_EMALFORMED. */
int totp_backup_count(const char *json);

#endif
