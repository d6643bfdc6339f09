/*
 * tests/unit/test_auth_core.c — core/auth's pieces on their own: the key
 * file (made 0600, refused when others may read it, key ids rotated),
 * sealing, HS256 tokens, the password policy, the role table.
 * (test_frontend_http drives the same code over HTTP.)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/session.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "auth/policy.h"
#include "auth/roles.h"
#include "testutil.h"

#define NOW INT64_C(1736456400000000)

START_TEST(t_key_file)
{
    char *dir = tu_tmpdir(), path[512], err[512];
    struct jutsu_keys k, k2;
    struct stat st;
    snprintf(path, sizeof(path), "%s/jutsu.key", dir);
    ck_assert_int_eq(jutsu_keys_load(path, &k, err, sizeof(err)), 0);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_uint_eq(k.n, 1);
    /* the same keys again: what one sealed, the other opens */
    char sealed[256];
    unsigned char plain[64];
    size_t len;
    ck_assert_int_eq(jutsu_keys_seal(&k, "totp:user:1", "secret-bytes", 12, sealed,
                                     sizeof(sealed)), 0);
    ck_assert_ptr_null(strstr(sealed, "secret"));
    ck_assert_int_eq(jutsu_keys_load(path, &k2, err, sizeof(err)), 0);
    ck_assert_int_eq(jutsu_keys_unseal(&k2, "totp:user:1", sealed, plain, sizeof(plain), &len), 0);
    ck_assert_uint_eq(len, 12);
    ck_assert_int_eq(memcmp(plain, "secret-bytes", 12), 0);
    /* another row's aad, a changed byte, an unknown kid, not sealed text */
    ck_assert_int_eq(jutsu_keys_unseal(&k2, "totp:user:2", sealed, plain, sizeof(plain), &len),
                     JUTSU_EAUTH);
    char bad[256];
    snprintf(bad, sizeof(bad), "%s", sealed);
    bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(jutsu_keys_unseal(&k2, "totp:user:1", bad, plain, sizeof(plain), &len),
                     JUTSU_EAUTH);
    snprintf(bad, sizeof(bad), "kzz%s", strchr(sealed, ':'));
    ck_assert_int_eq(jutsu_keys_unseal(&k2, "totp:user:1", bad, plain, sizeof(plain), &len),
                     JUTSU_EAUTH);
    ck_assert_int_eq(jutsu_keys_unseal(&k2, "totp:user:1", "JBSWY3DPEHPK3PXP", plain,
                                       sizeof(plain), &len), JUTSU_EAUTH);
    /* readable by others: refused, saying what to do */
    ck_assert_int_eq(chmod(path, 0640), 0);
    ck_assert_int_eq(jutsu_keys_load(path, &k2, err, sizeof(err)), JUTSU_ECONFIG);
    ck_assert_msg(strstr(err, "(mode 0640): chmod 600") != NULL, "%s", err);
    ck_assert_int_eq(chmod(path, 0600), 0);
    /* a symbolic link is not followed */
    char link[512];
    snprintf(link, sizeof(link), "%s/link.key", dir);
    ck_assert_int_eq(symlink(path, link), 0);
    ck_assert_int_ne(jutsu_keys_load(link, &k2, err, sizeof(err)), 0);
    /* a bad line is named */
    char *badf = tu_write_file(dir, "bad.key", "# comment\nk1 not-base64\n");
    ck_assert_int_eq(chmod(badf, 0600), 0);
    ck_assert_int_eq(jutsu_keys_load(badf, &k2, err, sizeof(err)), JUTSU_ECONFIG);
    ck_assert_msg(strstr(err, "bad.key:2: not a key line") != NULL, "%s", err);
    /* a directory that does not exist: the reason and what to do */
    snprintf(link, sizeof(link), "%s/no/such/dir/jutsu.key", dir);
    ck_assert_int_eq(jutsu_keys_load(link, &k2, err, sizeof(err)), JUTSU_EIO);
    ck_assert_msg(strstr(err, "cannot create the key file") != NULL, "%s", err);
    free(badf);
    jutsu_keys_wipe(&k);
    jutsu_keys_wipe(&k2);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

static void claims(struct jutsu_jwt_claims *c, jutsu_time_t exp)
{
    memset(c, 0, sizeof(*c));
    c->sub = 7;
    snprintf(c->typ, sizeof(c->typ), "access");
    jutsu_jwt_new_id(c->jti);
    jutsu_jwt_new_id(c->fam);
    snprintf(c->pwv, sizeof(c->pwv), "abc");
    c->iat = NOW;
    c->exp = exp;
}

START_TEST(t_tokens_and_rotation)
{
    char *dir = tu_tmpdir(), path[512], err[512], tok[JUTSU_JWT_MAX], tok2[JUTSU_JWT_MAX + 8];
    struct jutsu_keys k, k2;
    struct jutsu_jwt_claims c, got;
    const char *why;
    snprintf(path, sizeof(path), "%s/jutsu.key", dir);
    ck_assert_int_eq(jutsu_keys_load(path, &k, err, sizeof(err)), 0);
    claims(&c, NOW + 900 * INT64_C(1000000));
    ck_assert_int_eq(jutsu_jwt_sign(&k, &c, tok, sizeof(tok)), 0);
    ck_assert_int_eq(jutsu_jwt_verify(&k, tok, NOW, &got, &why), 0);
    ck_assert_int_eq(got.sub, 7);
    ck_assert_str_eq(got.jti, c.jti);
    ck_assert_str_eq(got.typ, "access");
    ck_assert_int_eq(got.exp, c.exp);
    /* expired at exp, not after */
    ck_assert_int_eq(jutsu_jwt_verify(&k, tok, c.exp, &got, &why), JUTSU_EAUTH);
    ck_assert_str_eq(why, "expired");
    /* one more dot, one fewer, a trailing byte */
    snprintf(tok2, sizeof(tok2), "%s.", tok);
    ck_assert_int_eq(jutsu_jwt_verify(&k, tok2, NOW, &got, &why), JUTSU_EAUTH);
    snprintf(tok2, sizeof(tok2), "%s", tok);
    *strrchr(tok2, '.') = '\0';
    ck_assert_int_eq(jutsu_jwt_verify(&k, tok2, NOW, &got, &why), JUTSU_EAUTH);
    snprintf(tok2, sizeof(tok2), "%sA", tok);
    ck_assert_int_eq(jutsu_jwt_verify(&k, tok2, NOW, &got, &why), JUTSU_EAUTH);
    /* the payload just read, under a signature that is not its own */
    snprintf(tok2, sizeof(tok2), "%s", tok);
    char *last = tok2 + strlen(tok2) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    ck_assert_int_eq(jutsu_jwt_verify(&k, tok2, NOW, &got, &why), JUTSU_EAUTH);
    ck_assert_str_eq(why, "signature does not match");
    /* two tokens in turn: each one's own claims (the last payload is kept) */
    struct jutsu_jwt_claims c2;
    claims(&c2, NOW + 60 * INT64_C(1000000));
    c2.sub = 8;
    ck_assert_int_eq(jutsu_jwt_sign(&k, &c2, tok2, sizeof(tok2)), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(jutsu_jwt_verify(&k, tok2, NOW, &got, &why), 0);
        ck_assert_int_eq(got.sub, 8);
        ck_assert_str_eq(got.jti, c2.jti);
        ck_assert_int_eq(jutsu_jwt_verify(&k, tok, NOW, &got, &why), 0);
        ck_assert_int_eq(got.sub, 7);
        ck_assert_int_eq(got.exp, c.exp);
    }
    ck_assert_int_eq(jutsu_jwt_verify(&k, tok2, c2.exp, &got, &why), JUTSU_EAUTH);
    ck_assert_str_eq(why, "expired");

    /* rotation: a new first line; old tokens still open, new ones name the new kid */
    FILE *f = fopen(path, "r");
    char old[4096] = "";
    size_t n = fread(old, 1, sizeof(old) - 1, f);
    fclose(f);
    old[n] = '\0';
    f = fopen(path, "w");
    fprintf(f, "k2 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n%s", old);
    fclose(f);
    ck_assert_int_eq(jutsu_keys_load(path, &k2, err, sizeof(err)), 0);
    ck_assert_uint_eq(k2.n, 2);
    ck_assert_str_eq(k2.keys[0].kid, "k2");
    ck_assert_int_eq(jutsu_jwt_verify(&k2, tok, NOW, &got, &why), 0);
    ck_assert_int_eq(jutsu_jwt_sign(&k2, &c, tok2, sizeof(tok2)), 0);
    ck_assert_str_ne(tok2, tok);
    ck_assert_int_eq(jutsu_jwt_verify(&k, tok2, NOW, &got, &why), JUTSU_EAUTH);  /* k lacks k2 */
    ck_assert_str_eq(why, "header is not HS256 with a key id we hold");
    /* the old line removed: its tokens end */
    f = fopen(path, "w");
    fprintf(f, "k2 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n");
    fclose(f);
    ck_assert_int_eq(jutsu_keys_load(path, &k2, err, sizeof(err)), 0);
    ck_assert_int_eq(jutsu_jwt_verify(&k2, tok, NOW, &got, &why), JUTSU_EAUTH);
    ck_assert_int_eq(jutsu_jwt_verify(&k2, tok2, NOW, &got, &why), 0);
    jutsu_keys_wipe(&k);
    jutsu_keys_wipe(&k2);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(t_policy_and_roles)
{
    char why[256];
    ck_assert_int_eq(jutsu_policy_password("orange-kettle-sunrise", "ada", why, sizeof(why)), 0);
    ck_assert_int_eq(jutsu_policy_password("short-pw", "ada", why, sizeof(why)), JUTSU_EINVAL);
    ck_assert_ptr_nonnull(strstr(why, "at least 12 characters"));
    /* 12 characters, not 12 bytes: six two-byte letters are six */
    ck_assert_int_eq(jutsu_policy_password("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                                           "ada", why, sizeof(why)), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_policy_password("AdaLovelace1815", "adalovelace1815", why,
                                           sizeof(why)), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_policy_password("aaaaaaaaaaaaaaaa", "ada", why, sizeof(why)),
                     JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_policy_password("123456789012", "ada", why, sizeof(why)),
                     JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_policy_password("Password1234!", "ada", why, sizeof(why)),
                     JUTSU_EINVAL);
    ck_assert_ptr_nonnull(strstr(why, "too common"));
    ck_assert_int_eq(jutsu_policy_password("2024!!adalovelace", "adalovelace", why, sizeof(why)),
                     JUTSU_EINVAL);
    char *big = malloc(1100);
    memset(big, 'x', 1099);
    big[0] = 'y';
    big[1099] = '\0';
    ck_assert_int_eq(jutsu_policy_password(big, "ada", why, sizeof(why)), JUTSU_EINVAL);
    free(big);
    ck_assert_int_eq(jutsu_policy_username("ada.l-1@x", why, sizeof(why)), 0);
    ck_assert_int_eq(jutsu_policy_username("ada lovelace", why, sizeof(why)), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_policy_username("", why, sizeof(why)), JUTSU_EINVAL);
    /* the role table */
    ck_assert_uint_eq(jutsu_role_perms("viewer"), JUTSU_PERM_SELF | JUTSU_PERM_READ);
    ck_assert_uint_eq(jutsu_role_perms("admin") & JUTSU_PERM_USERS, JUTSU_PERM_USERS);
    ck_assert_uint_eq(jutsu_role_perms("admin") & JUTSU_PERM_CONTROL, JUTSU_PERM_CONTROL);
    ck_assert_uint_eq(jutsu_role_perms("root"), 0);
    ck_assert_str_eq(jutsu_perm_name(JUTSU_PERM_USERS), "users");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth_core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, t_key_file);
    tcase_add_test(tc, t_tokens_and_rotation);
    tcase_add_test(tc, t_policy_and_roles);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
