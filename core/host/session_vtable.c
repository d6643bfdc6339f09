/*
 * core/host/session_vtable.c — jutsu/session.h as plugins see it: each
 * call finds the app's sessions engine through the caller's ctx.
 */
#include "jutsu/session.h"
#include "auth/auth.h"
#include "auth/roles.h"
#include "host/app.h"

#define AUTH(ctx) (((struct jutsu_ctx *)(ctx))->app->auth)

static int s_check(jutsu_ctx *ctx, const char *token, struct jutsu_identity *who,
                   struct json_object **out)
{
    return jutsu_auth_check(AUTH(ctx), token, who, out);
}

static int s_login(jutsu_ctx *ctx, const char *username, const char *password,
                   const char *client, struct json_object **out)
{
    return jutsu_auth_login(AUTH(ctx), username, password, client, out);
}

static int s_login_begin(jutsu_ctx *ctx, const char *challenge, const char *factor,
                         struct json_object **out)
{
    return jutsu_auth_login_begin(AUTH(ctx), challenge, factor, out);
}

static int s_login_finish(jutsu_ctx *ctx, const char *challenge, const char *factor,
                          struct json_object *response, const char *client,
                          struct json_object **out)
{
    return jutsu_auth_login_finish(AUTH(ctx), challenge, factor, response, client, out);
}

static int s_refresh(jutsu_ctx *ctx, const char *token, const char *client,
                     struct json_object **out)
{
    return jutsu_auth_refresh(AUTH(ctx), token, client, out);
}

static int s_reauth(jutsu_ctx *ctx, int64_t uid, const char *password, const char *client,
                    struct json_object **out)
{
    return jutsu_auth_reauth(AUTH(ctx), uid, password, client, out);
}

static int s_logout(jutsu_ctx *ctx, const struct jutsu_identity *who, const char *refresh,
                    const char *client)
{
    return jutsu_auth_logout(AUTH(ctx), who, refresh, client);
}

static int s_factor_enrol(jutsu_ctx *ctx, int64_t uid, const char *factor,
                          struct json_object *request, struct json_object **out)
{
    return jutsu_auth_factor_enrol(AUTH(ctx), uid, factor, request, out);
}

static int s_user_create(jutsu_ctx *ctx, const char *username, const char *password,
                         const char *role, const char *email, const char *client,
                         int64_t *uid, struct json_object **out)
{
    return jutsu_auth_user_create(AUTH(ctx), username, password, role, email, client, uid, out);
}

static int s_set_password(jutsu_ctx *ctx, int64_t uid, const char *password, const char *client,
                          struct json_object **out)
{
    return jutsu_auth_set_password(AUTH(ctx), uid, password, client, out);
}

static int s_invite(jutsu_ctx *ctx, int64_t by, const char *email, const char *role,
                    struct json_object **out)
{
    return jutsu_auth_invite(AUTH(ctx), by, email, role, out);
}

static int s_invitation(jutsu_ctx *ctx, const char *token, struct json_object **out)
{
    return jutsu_auth_invitation(AUTH(ctx), token, out);
}

static int s_accept(jutsu_ctx *ctx, const char *token, const char *username,
                    const char *password, const char *client, struct json_object **out)
{
    return jutsu_auth_accept(AUTH(ctx), token, username, password, client, out);
}

static int s_user_json(jutsu_ctx *ctx, int64_t uid, struct json_object **out)
{
    *out = NULL;
    return jutsu_auth_user_json(AUTH(ctx), uid, out);
}

static const struct jutsu_sessions sessions = {
    .size         = sizeof(struct jutsu_sessions),
    .role_perms   = jutsu_role_perms,
    .perm_name    = jutsu_perm_name,
    .check        = s_check,
    .login        = s_login,
    .login_begin  = s_login_begin,
    .login_finish = s_login_finish,
    .refresh      = s_refresh,
    .reauth       = s_reauth,
    .logout       = s_logout,
    .factor_enrol = s_factor_enrol,
    .user_create  = s_user_create,
    .set_password = s_set_password,
    .invite       = s_invite,
    .invitation   = s_invitation,
    .accept       = s_accept,
    .user_json    = s_user_json,
};

const struct jutsu_sessions *jutsu_sessions_vtable(void)
{
    return &sessions;
}
