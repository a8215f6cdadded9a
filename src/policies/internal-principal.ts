import { type Principal, RESERVED_PRINCIPAL_NAME } from './principal.ts';

/** The server's own principal (`api.user`) for setup and internal work; never reachable from outside. */
export function internalPrincipal(adminGroup: string): Principal {
  return {
    kind: 'internal',
    name: RESERVED_PRINCIPAL_NAME,
    email: null,
    groups: [adminGroup, '*'],
    isAdmin: true,
    isEditor: true,
  };
}
