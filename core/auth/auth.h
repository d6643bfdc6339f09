/*
 * core/auth/auth.h — sessions, tokens, lockout and users: the host's side
 * of who comes in (the contract is jutsu/session.h; this is its engine).
 *
 * A struct jutsu_auth lives in the app and is reached by every frontend
 * through host->sessions() and by the CLI directly. It knows nothing of
 * plugins or the app: what it needs comes through struct jutsu_auth_env —
 * data sessions, the clock, the factor plugins, events — so that this
 * room sits below host/.
 *
 * Every function below with an `out` argument follows jutsu/session.h:
 * *out is the answer body on success and an error object on failure.
 */
#ifndef JUTSU_CORE_AUTH_AUTH_H
#define JUTSU_CORE_AUTH_AUTH_H

#include <stdint.h>

#include "jutsu/auth.h"
#include "jutsu/session.h"
#include "config/host_settings.h"
#include "store/store.h"

struct json_object;

/* One factor's plugin instance. */
struct jutsu_auth_factor {
    const struct jutsu_auth_ops *ops;
    void                        *state;
    const char                  *instance;
    /* why its last op failed, as it told host->set_error (may be "") */
    const char *(*why)(void *arg);
    void        *why_arg;
};

struct jutsu_auth_env {
    const struct jutsu_settings_auth *settings;
    /* the storage to open sessions on; JUTSU_ENOENT without one */
    int  (*store)(void *arg, struct jutsu_store *out);
    /* the instance serving `factor`; JUTSU_ENOENT when none is configured */
    int  (*factor)(void *arg, const char *factor, struct jutsu_auth_factor *out);
    /* where invitation links point when settings->public_url is empty
     * ("http://127.0.0.1:8080"), or NULL */
    const char *(*base_url)(void *arg);
    jutsu_time_t (*now)(void *arg);
    /* publishes an auth.* event, taking the payload (NULL: no bus) */
    int  (*publish)(void *arg, const char *topic, struct json_object *payload);
    void        *arg;
};

struct jutsu_auth;

int  jutsu_auth_new(const struct jutsu_auth_env *env, struct jutsu_auth **out);
void jutsu_auth_free(struct jutsu_auth *a);
/* Loads (or makes) the key file now rather than at first use: serve does,
 * so a bad key file stops it at start. 0, or the code with why in err. */
int  jutsu_auth_keys_ready(struct jutsu_auth *a, char *err, size_t errsz);
/* host->seal / host->unseal */
int  jutsu_auth_seal(struct jutsu_auth *a, const char *aad, const void *plain, size_t len,
                     char *out, size_t outsz);
int  jutsu_auth_unseal(struct jutsu_auth *a, const char *aad, const char *sealed, void *plain,
                       size_t plainsz, size_t *len);

/* jutsu/session.h, one for one */
int  jutsu_auth_check(struct jutsu_auth *a, const char *token, struct jutsu_identity *who,
                      struct json_object **out);
int  jutsu_auth_login(struct jutsu_auth *a, const char *username, const char *password,
                      const char *client, struct json_object **out);
int  jutsu_auth_login_begin(struct jutsu_auth *a, const char *challenge, const char *factor,
                            struct json_object **out);
int  jutsu_auth_login_finish(struct jutsu_auth *a, const char *challenge, const char *factor,
                             struct json_object *response, const char *client,
                             struct json_object **out);
int  jutsu_auth_refresh(struct jutsu_auth *a, const char *refresh_token, const char *client,
                        struct json_object **out);
int  jutsu_auth_reauth(struct jutsu_auth *a, int64_t user_id, const char *password,
                       const char *client, struct json_object **out);
int  jutsu_auth_logout(struct jutsu_auth *a, const struct jutsu_identity *who,
                       const char *refresh_token, const char *client);
int  jutsu_auth_factor_enrol(struct jutsu_auth *a, int64_t user_id, const char *factor,
                             struct json_object *request, struct json_object **out);
int  jutsu_auth_user_create(struct jutsu_auth *a, const char *username, const char *password,
                            const char *role, const char *email, const char *client,
                            int64_t *user_id, struct json_object **out);
int  jutsu_auth_set_password(struct jutsu_auth *a, int64_t user_id, const char *password,
                             const char *client, struct json_object **out);
int  jutsu_auth_invite(struct jutsu_auth *a, int64_t created_by, const char *email,
                       const char *role, struct json_object **out);
int  jutsu_auth_invitation(struct jutsu_auth *a, const char *token, struct json_object **out);
int  jutsu_auth_accept(struct jutsu_auth *a, const char *token, const char *username,
                       const char *password, const char *client, struct json_object **out);
int  jutsu_auth_user_json(struct jutsu_auth *a, int64_t user_id, struct json_object **out);

/* When there is no user at all, a one-time invitation for the first admin
 * (*out as invite() gives it) and 1; 0 when users exist; <0 on failure.
 * No default password exists: this is how the first admin gets in. */
int  jutsu_auth_first_admin(struct jutsu_auth *a, struct json_object **out);

/* The error object of session.h: {"code", "message", "hint"}; NULL hint
 * leaves it out. Never NULL unless out of memory. */
struct json_object *jutsu_auth_error(const char *code, const char *message, const char *hint);

#endif
