/*
 * core/auth/roles.h — roles and what they may do: the one table.
 *
 *   role     permissions
 *   admin    self, read, control, users   (everything)
 *   viewer   self, read                   (read-only)
 *
 * Routes name a permission (jutsu/session.h, enum jutsu_perm); a caller
 * passes when its role holds it. A new role is one row here.
 */
#ifndef JUTSU_CORE_AUTH_ROLES_H
#define JUTSU_CORE_AUTH_ROLES_H

#include <stdint.h>

/* The permission bits of `role`; 0 when there is no such role. */
uint32_t    jutsu_role_perms(const char *role);
/* "public", "self", "read", "control", "users"; "?" for anything else. */
const char *jutsu_perm_name(uint32_t perm);
/* Whether `role` is one of the table's. */
int         jutsu_role_valid(const char *role);

#endif
