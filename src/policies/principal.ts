/** Who is acting: a token, a signed-in user, or the server itself (`api.user`). */
export interface Principal {
  kind: 'token' | 'user' | 'internal';
  /** Token name or user email; what audit records show. */
  name: string;
  email: string | null;
  /** Always includes `*` for users and tokens that were given it. */
  groups: readonly string[];
  isAdmin: boolean;
  isEditor: boolean;
}

export interface RoleSettings {
  adminUsers: readonly string[];
  adminGroup: string;
  editorGroup: string;
}

/** Roles follow from groups and the configured admin emails; pure, so every path agrees. */
export function rolesOf(
  groups: readonly string[],
  email: string | null,
  settings: RoleSettings,
): { isAdmin: boolean; isEditor: boolean } {
  const isAdmin =
    groups.includes(settings.adminGroup) ||
    (email !== null && settings.adminUsers.includes(email.toLowerCase()));
  return { isAdmin, isEditor: isAdmin || groups.includes(settings.editorGroup) };
}

/** The server's own principal for internal work; it can never authenticate from outside. */
export const RESERVED_PRINCIPAL_NAME = 'api.user';
