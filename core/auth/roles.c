/*
 * core/auth/roles.c — the role → permission table (see roles.h).
 */
#include <stddef.h>
#include <string.h>

#include "jutsu/session.h"
#include "auth/roles.h"

static const struct {
    const char *role;
    uint32_t    perms;
} roles[] = {
    { "admin",  JUTSU_PERM_SELF | JUTSU_PERM_READ | JUTSU_PERM_CONTROL | JUTSU_PERM_USERS },
    { "viewer", JUTSU_PERM_SELF | JUTSU_PERM_READ },
};

uint32_t jutsu_role_perms(const char *role)
{
    for (size_t i = 0; role && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(roles[i].role, role) == 0)
            return roles[i].perms;
    return 0;
}

int jutsu_role_valid(const char *role)
{
    return jutsu_role_perms(role) != 0;
}

const char *jutsu_perm_name(uint32_t perm)
{
    switch (perm) {
    case JUTSU_PERM_PUBLIC:  return "public";
    case JUTSU_PERM_SELF:    return "self";
    case JUTSU_PERM_READ:    return "read";
    case JUTSU_PERM_CONTROL: return "control";
    case JUTSU_PERM_USERS:   return "users";
    default:                 return "?";
    }
}
