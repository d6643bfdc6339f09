/*
 * plugins/frontend-http/fe_users.c — /api/users (admins), the caller's own
 * password, and /api/invitations (anyone holding the link).
 *
 * An admin cannot demote, disable or delete themselves here: the last
 * admin locking themselves out is a mistake only the CLI can repair, so
 * the API does not offer it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/data.h"
#include "jutsu/error.h"
#include "fe.h"

#define PASSWORD_MAX 4096

static int64_t user_param(struct fe_req *r)
{
    char *end;
    long long id = strtoll(r->params[0], &end, 10);
    if (*end != '\0' || id <= 0) {
        fe_error(r, 400, "bad_request", "a user id is a positive integer", NULL);
        return 0;
    }
    return id;
}

struct list_acc {
    struct fe_req *r;
    json_object   *arr;
    int64_t       *ids;
    size_t         n, cap;
};

static int collect_id(const void *row, void *arg)
{
    const struct jutsu_user_row *u = row;
    struct list_acc *a = arg;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        int64_t *ids = realloc(a->ids, cap * sizeof(*ids));
        if (ids == NULL)
            return JUTSU_ENOMEM;
        a->ids = ids;
        a->cap = cap;
    }
    a->ids[a->n++] = u->id;
    return 0;
}

int fe_h_users_list(struct fe_req *r)
{
    const struct jutsu_data *d = r->fe->host->data(r->fe->ctx);
    const struct jutsu_sessions *ss = fe_sessions(r);
    struct list_acc a = { .r = r };
    jutsu_dbs *s = NULL;
    if (d->open(r->fe->ctx, &s) != 0)
        return fe_error(r, 503, "unavailable", "the database did not answer", NULL);
    int rc = d->users_list(s, collect_id, &a);
    d->close(s);
    if (rc != 0) {
        free(a.ids);
        return fe_error(r, 503, "unavailable", "the users could not be read", NULL);
    }
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < a.n; i++) {
        json_object *u = NULL;
        if (ss->user_json(r->fe->ctx, a.ids[i], &u) == 0)
            json_object_array_add(arr, u);
        else
            json_object_put(u);   /* deleted meanwhile */
    }
    free(a.ids);
    return fe_ok(r, 200, arr);
}

int fe_h_user_get(struct fe_req *r)
{
    json_object *out = NULL;
    int64_t id = user_param(r);
    if (id == 0)
        return 0;
    int rc = fe_sessions(r)->user_json(r->fe->ctx, id, &out);
    return fe_session_answer(r, rc, out);
}

int fe_h_user_update(struct fe_req *r)
{
    const struct jutsu_data *d = r->fe->host->data(r->fe->ctx);
    struct jutsu_user_row u;
    json_object *b, *v, *out = NULL;
    jutsu_dbs *s = NULL;
    char role[24] = "";
    int active = -1;
    int64_t id = user_param(r);
    if (id == 0 || (b = fe_body_json(r)) == NULL)
        return 0;
    if (json_object_object_get_ex(b, "role", &v)) {
        if (!json_object_is_type(v, json_type_string) ||
            fe_sessions(r)->role_perms(json_object_get_string(v)) == 0) {
            json_object_put(b);
            return fe_error(r, 400, "bad_request", "\"role\" is admin or viewer", NULL);
        }
        snprintf(role, sizeof(role), "%s", json_object_get_string(v));
    }
    if (json_object_object_get_ex(b, "is_active", &v)) {
        if (!json_object_is_type(v, json_type_boolean)) {
            json_object_put(b);
            return fe_error(r, 400, "bad_request", "\"is_active\" is true or false", NULL);
        }
        active = json_object_get_boolean(v);
    }
    json_object_put(b);
    if (!*role && active < 0)
        return fe_error(r, 400, "bad_request", "nothing to change: send role or is_active",
                        NULL);
    if (id == r->who.user_id && ((*role && strcmp(role, r->who.role) != 0) || active == 0))
        return fe_error(r, 409, "conflict", "you cannot demote or disable yourself",
                        "another admin can, or `jutsu user role|disable` on the server");
    if (d->open(r->fe->ctx, &s) != 0)
        return fe_error(r, 503, "unavailable", "the database did not answer", NULL);
    int rc = d->user_get(s, id, NULL, &u);
    if (rc == 0) {
        if (*role)
            u.role = role;
        if (active >= 0)
            u.is_active = active;
        rc = d->user_update(s, &u);
    }
    d->close(s);
    if (rc == JUTSU_ENOENT)
        return fe_error(r, 404, "not_found", "no such user", NULL);
    if (rc != 0)
        return fe_error(r, 503, "unavailable", "the user could not be changed", NULL);
    r->fe->host->log(r->fe->ctx, JUTSU_LOG_INFO, "user id %lld changed by %s:%s%s%s",
                     (long long)id, r->who.username, *role ? " role " : "", role,
                     active < 0 ? "" : active ? " enabled" : " disabled");
    rc = fe_sessions(r)->user_json(r->fe->ctx, id, &out);
    return fe_session_answer(r, rc, out);
}

int fe_h_user_delete(struct fe_req *r)
{
    const struct jutsu_data *d = r->fe->host->data(r->fe->ctx);
    jutsu_dbs *s = NULL;
    int64_t id = user_param(r);
    if (id == 0)
        return 0;
    if (id == r->who.user_id)
        return fe_error(r, 409, "conflict", "you cannot delete yourself", NULL);
    if (d->open(r->fe->ctx, &s) != 0)
        return fe_error(r, 503, "unavailable", "the database did not answer", NULL);
    struct jutsu_user_row u;
    int rc = d->user_get(s, id, NULL, &u);
    if (rc == 0)
        rc = d->user_delete(s, id);
    d->close(s);
    if (rc == JUTSU_ENOENT)
        return fe_error(r, 404, "not_found", "no such user", NULL);
    if (rc != 0)
        return fe_error(r, 503, "unavailable", "the user could not be deleted", NULL);
    r->fe->host->log(r->fe->ctx, JUTSU_LOG_INFO, "user id %lld deleted by %s", (long long)id,
                     r->who.username);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "deleted", json_object_new_int64(id));
    return fe_ok(r, 200, o);
}

int fe_h_user_invite(struct fe_req *r)
{
    json_object *b = fe_body_json(r), *out = NULL;
    const char *role, *email;
    if (b == NULL)
        return 0;
    if ((role = fe_body_str(r, b, "role", 20, 0)) == NULL) {
        json_object_put(b);
        return 0;
    }
    email = fe_body_str(r, b, "email", 255, 1);
    if (email == NULL && r->json != NULL) {
        json_object_put(b);
        return 0;
    }
    int rc = fe_sessions(r)->invite(r->fe->ctx, r->who.user_id, email, role, &out);
    json_object_put(b);
    return fe_session_answer(r, rc, out);
}

int fe_h_my_password(struct fe_req *r)
{
    json_object *b = fe_body_json(r), *out = NULL;
    const char *cur, *pw;
    if (b == NULL)
        return 0;
    if ((cur = fe_body_str(r, b, "current_password", PASSWORD_MAX, 0)) == NULL ||
        (pw = fe_body_str(r, b, "new_password", PASSWORD_MAX, 0)) == NULL) {
        json_object_put(b);
        return 0;
    }
    const struct jutsu_sessions *ss = fe_sessions(r);
    int rc = ss->reauth(r->fe->ctx, r->who.user_id, cur, r->client, &out);
    if (rc == 0) {
        json_object_put(out);
        out = NULL;
        rc = ss->set_password(r->fe->ctx, r->who.user_id, pw, r->client, &out);
    }
    json_object_put(b);
    return fe_session_answer(r, rc, out);
}

int fe_h_invitation_get(struct fe_req *r)
{
    json_object *out = NULL;
    int rc = fe_sessions(r)->invitation(r->fe->ctx, r->params[0], &out);
    return fe_session_answer(r, rc, out);
}

int fe_h_invitation_accept(struct fe_req *r)
{
    json_object *b = fe_body_json(r), *out = NULL;
    const char *u, *p;
    if (b == NULL)
        return 0;
    if ((u = fe_body_str(r, b, "username", 50, 0)) == NULL ||
        (p = fe_body_str(r, b, "password", PASSWORD_MAX, 0)) == NULL) {
        json_object_put(b);
        return 0;
    }
    int rc = fe_sessions(r)->accept(r->fe->ctx, r->params[0], u, p, r->client, &out);
    json_object_put(b);
    if (rc == 0)
        r->status = 201;
    fe_session_answer(r, rc, out);
    if (rc == 0)
        r->status = 201;
    return 0;
}
