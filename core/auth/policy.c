/*
 * core/auth/policy.c — the password and username rules (see policy.h).
 *
 * The common-password check has two parts. Whole passwords that are on
 * every breach list at 12 characters or more ("123456789012",
 * "qwertyuiopas"); and common words padded to length with digits and
 * punctuation ("Password1234!", "welcome2024!!"), which is how most weak
 * 12-character passwords are made: the letters left after the padding is
 * stripped are compared, case-insensitively, with a list of such words.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jutsu/error.h"
#include "auth/policy.h"

static const char *const common_whole[] = {
    "123456789012", "1234567890123", "12345678901234", "123456789123", "098765432109",
    "111111111111", "000000000000", "123123123123", "121212121212", "112233445566",
    "qwertyuiopas", "qwertyuiop123", "qwertyuiop12", "1q2w3e4r5t6y", "1qaz2wsx3edc",
    "q1w2e3r4t5y6", "zaq12wsxcde3", "asdfghjkl123", "zxcvbnm12345", "qazwsxedcrfv",
    "abcdefghijkl", "abcd1234abcd", "a1b2c3d4e5f6", "aaaaaa111111", "abc123abc123",
    "passw0rd1234", "p@ssw0rd1234", "p@ssword1234", "correcthorsebatterystaple",
    "iloveyou1234", "trustno1trustno1", "letmeinletmein", "changemechangeme",
};

static const char *const common_words[] = {
    "password", "passw0rd", "p@ssw0rd", "p@ssword", "pass", "qwerty", "qwertyuiop",
    "asdfgh", "asdfghjkl", "zxcvbnm", "letmein", "welcome", "iloveyou", "admin",
    "administrator", "root", "changeme", "secret", "default", "login", "master",
    "monkey", "dragon", "football", "baseball", "sunshine", "princess", "shadow",
    "superman", "batman", "trustno", "whatever", "jutsu", "jutsulabs", "trading",
    "trader", "stocks", "money", "abc", "abcdef", "test", "testing", "user", "guest",
};

static int in_list(const char *s, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && strncasecmp(list[i], s, n) == 0)
            return 1;
    return 0;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

int jutsu_policy_password(const char *pw, const char *username, char *why, size_t whysz)
{
    if (pw == NULL || strnlen(pw, JUTSU_PASSWORD_MAX_BYTES + 1) > JUTSU_PASSWORD_MAX_BYTES) {
        snprintf(why, whysz, "a password has at most %d bytes", JUTSU_PASSWORD_MAX_BYTES);
        return JUTSU_EINVAL;
    }
    size_t len = strlen(pw);
    if (utf8_chars(pw) < JUTSU_PASSWORD_MIN_CHARS) {
        snprintf(why, whysz, "a password has at least %d characters",
                 JUTSU_PASSWORD_MIN_CHARS);
        return JUTSU_EINVAL;
    }
    if (username != NULL && strcasecmp(pw, username) == 0) {
        snprintf(why, whysz, "the password may not be the username");
        return JUTSU_EINVAL;
    }
    size_t same = 1;
    while (same < len && pw[same] == pw[0])
        same++;
    if (same == len) {
        snprintf(why, whysz, "the password repeats one character");
        return JUTSU_EINVAL;
    }
    /* the letters between leading and trailing digits and punctuation */
    size_t a = 0, b = len;
    while (a < b && !isalpha((unsigned char)pw[a]))
        a++;
    while (b > a && !isalpha((unsigned char)pw[b - 1]))
        b--;
    if (in_list(pw, len, common_whole, sizeof(common_whole) / sizeof(common_whole[0])) ||
        (b > a && in_list(pw + a, b - a, common_words,
                          sizeof(common_words) / sizeof(common_words[0]))) ||
        (username != NULL && b > a && strlen(username) == b - a &&
         strncasecmp(pw + a, username, b - a) == 0)) {
        snprintf(why, whysz, "the password is too common (a well-known password, or a common "
                 "word or the username padded with digits); a few unrelated words make a "
                 "strong one");
        return JUTSU_EINVAL;
    }
    return 0;
}

int jutsu_policy_username(const char *u, char *why, size_t whysz)
{
    size_t n = u ? strnlen(u, JUTSU_USERNAME_MAX + 1) : 0;
    if (n == 0 || n > JUTSU_USERNAME_MAX) {
        snprintf(why, whysz, "a username has 1 to %d characters", JUTSU_USERNAME_MAX);
        return JUTSU_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)u[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@') {
            snprintf(why, whysz, "a username is made of A-Z a-z 0-9 . _ - @ only");
            return JUTSU_EINVAL;
        }
    }
    return 0;
}
